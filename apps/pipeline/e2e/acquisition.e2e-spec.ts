import { randomBytes, randomUUID } from 'node:crypto';
import { Kafka, logLevel, type Admin } from 'kafkajs';
import { Client } from 'pg';
import {
  OtlpReceiver,
  PublishedEventsReader,
  callService,
  ServiceProcess,
  freePort,
  freshDatabase,
  kafkaBrokers,
  waitFor,
} from '@crm/test-support';

/**
 * Interest to acquisition across services: leads and pipeline run as separate real processes on
 * the real broker. A conversion in leads opens an account and an opportunity in pipeline, exactly
 * once even when Kafka delivers the conversion again; winning it publishes the acquisition.
 */
jest.setTimeout(180_000);

let db: Awaited<ReturnType<typeof freshDatabase>>;
let leads: ServiceProcess;
let pipeline: ServiceProcess;
let otlp: OtlpReceiver;
let admin: Admin;
let integrator: PublishedEventsReader;
const groupPrefix = `e2e-${randomUUID()}`;
// The broker is shared with other runs, whose events the fresh consumer groups replay into this
// run's read models; owners unique to this run keep the reports this test checks to itself.
const run = randomBytes(3).toString('hex');
const topicPrefix = `e2e-${run}.`;
const leadsTopic = `${topicPrefix}crm.leads.events`;
const pipelineTopic = `${topicPrefix}crm.pipeline.events`;
const ana = `ana-${run}`;
const ben = `ben-${run}`;
const traceparent = () => `00-${randomBytes(16).toString('hex')}-${randomBytes(8).toString('hex')}-01`;

const call = callService;

/** Events any request with this correlation id led to (reactions keep the correlation id too). */
async function eventsCorrelatedWith(correlationId: string): Promise<number> {
  const client = new Client({ connectionString: db.url });
  await client.connect();
  try {
    const { rows } = await client.query(
      `select count(*) from pipeline_eventstore.es_events where metadata->>'correlationId' = $1`,
      [correlationId],
    );
    return Number(rows[0].count);
  } finally {
    await client.end();
  }
}

function pipelineProcess(port: number) {
  return new ServiceProcess('pipeline', port, {
    DATABASE_URL: db.url,
    KAFKA_BROKERS: kafkaBrokers().join(','),
    KAFKA_GROUP_PREFIX: groupPrefix,
    KAFKA_TOPIC_PREFIX: topicPrefix,
    OTEL_EXPORTER_OTLP_ENDPOINT: otlp.endpoint,
    LOG_LEVEL: 'warn',
  });
}

/** Captures, engages, qualifies and converts a lead; returns its ids and the conversion's trace id. */
async function convertedLead() {
  const captured = await call(leads, 'POST', '/leads', {
    personName: 'Olga Ruiz',
    companyName: `Acme ${randomBytes(3).toString('hex')}`,
    email: `olga.${randomBytes(4).toString('hex')}@acme.example`,
    channel: 'referral',
    companySize: 400,
    interests: ['erp'],
  });
  expect(captured.status).toBe(201);
  const { id, customerId } = captured.body;
  expect(
    (await call(leads, 'POST', `/leads/${id}/engagements`, { kind: 'meeting', channel: 'event' })).status,
  ).toBe(201);
  expect((await call(leads, 'POST', `/leads/${id}/qualify`)).status).toBe(200);
  const tp = traceparent();
  const converted = await call(leads, 'POST', `/leads/${id}/convert`, undefined, { traceparent: tp });
  expect(converted.status).toBe(200);
  return {
    leadId: id as string,
    customerId: customerId as string,
    ownerId: captured.body.ownerId as string,
    traceId: tp.split('-')[1],
  };
}

async function accountOf(customerId: string, until: (a: { opportunities: unknown[] }) => boolean) {
  return waitFor(`account ${customerId} in pipeline`, async () => {
    const r = await call(pipeline, 'GET', `/accounts/${customerId}`);
    return r.status === 200 && until(r.body) ? r.body : undefined;
  });
}

beforeAll(async () => {
  db = await freshDatabase();
  otlp = new OtlpReceiver();
  await otlp.start();
  leads = new ServiceProcess('leads', await freePort(), {
    DATABASE_URL: db.url,
    KAFKA_BROKERS: kafkaBrokers().join(','),
    KAFKA_GROUP_PREFIX: groupPrefix,
    KAFKA_TOPIC_PREFIX: topicPrefix,
    LEAD_OWNERS: ana,
    OTEL_EXPORTER_OTLP_ENDPOINT: otlp.endpoint,
    LOG_LEVEL: 'warn',
  });
  pipeline = pipelineProcess(await freePort());
  await Promise.all([leads.start(), pipeline.start()]);
  const kafka = new Kafka({ clientId: 'e2e', brokers: kafkaBrokers(), logLevel: logLevel.NOTHING });
  admin = kafka.admin();
  await admin.connect();
  // Integrators read crm.pipeline.events with the CloudEvents SDK, each record fitting the AsyncAPI document.
  integrator = await PublishedEventsReader.follow(kafkaBrokers(), pipelineTopic);
});

afterAll(async () => {
  await integrator?.stop();
  await admin?.disconnect();
  const ended = await Promise.all([leads?.stop(), pipeline?.stop()]);
  await otlp?.stop();
  await db?.drop();
  expect(ended).toEqual(['graceful', 'graceful']);
});

describe('from interest to acquisition', () => {
  let lead: Awaited<ReturnType<typeof convertedLead>>;
  let opportunityId: string;

  it('turns a lead converted in leads into an account with a contact and an open opportunity in pipeline', async () => {
    lead = await convertedLead();
    const account = await accountOf(lead.customerId, (a) => a.opportunities.length > 0);
    expect(account).toMatchObject({
      accountId: lead.customerId,
      kind: 'company',
      fromLeadId: lead.leadId,
      lifecycleStage: 'interest',
    });
    expect(account.contacts).toEqual([
      expect.objectContaining({ name: 'Olga Ruiz', role: 'decision_maker' }),
    ]);
    expect(account.opportunities).toEqual([
      expect.objectContaining({
        status: 'open',
        stage: 'prospecting',
        probability: 10,
        ownerId: lead.ownerId,
        fromLeadId: lead.leadId,
      }),
    ]);
    opportunityId = (account.opportunities[0] as { opportunityId: string }).opportunityId;
  });

  it('links the conversion request in leads and the opportunity created in pipeline in one trace', async () => {
    const spans = await waitFor('spans of both services in the conversion trace', () => {
      const t = otlp.trace(lead.traceId);
      const services = new Set(t.map((s) => s.service));
      const opened = t.some((s) => s.service === 'pipeline' && /^pg\.query:INSERT/.test(s.name));
      return services.has('leads') && services.has('pipeline') && opened ? t : undefined;
    });
    expect(spans).toContainEqual(
      expect.objectContaining({ service: 'leads', name: `POST /leads/:id/convert`, kind: 2 }),
    );
    expect(spans).toContainEqual(
      expect.objectContaining({ service: 'pipeline', name: `${leadsTopic} process`, kind: 5 }),
    );
    expect(spans.some((s) => s.service === 'pipeline' && /es:pipeline_eventstore:append/.test(s.name))).toBe(
      true,
    );
    expect(spans).toContainEqual(
      expect.objectContaining({ service: 'pipeline', name: `${pipelineTopic} publish`, kind: 4 }),
    );
  });

  it('does not open a second account or opportunity when the conversion is delivered again', async () => {
    expect(await pipeline.stop()).toBe('graceful');
    // Every pipeline consumer group re-reads its topic from the start: a full redelivery. The
    // lead-conversion reaction also forgets what it processed, as after a crash between its
    // appends and its dedupe commit, so the conversion is really handled a second time.
    for (const name of ['lead-conversion', 'pipeline-read-model', 'win-recording']) {
      const topic = name === 'lead-conversion' ? leadsTopic : pipelineTopic;
      await admin.resetOffsets({ groupId: `${groupPrefix}-pipeline-${name}`, topic, earliest: true });
    }
    const client = new Client({ connectionString: db.url });
    await client.connect();
    const forgotten = await client.query(
      `DELETE FROM pipeline.processed_events WHERE consumer = 'lead-conversion'`,
    );
    await client.end();
    expect(forgotten.rowCount).toBeGreaterThan(0);

    pipeline = pipelineProcess(pipeline.port);
    await pipeline.start();
    const metric = (text: string, name: string, consumer: string) =>
      Number(new RegExp(`^${name}\\{consumer="${consumer}"[^}]*\\} (\\d+)`, 'm').exec(text)?.[1] ?? NaN);
    await waitFor('the redelivered conversion handled again and the projection replayed', async () => {
      const text = await (await fetch(`${pipeline.url}/metrics`)).text();
      return metric(text, 'crm_consumer_processed_total', 'lead-conversion') >= 1 &&
        metric(text, 'crm_consumer_lag_messages', 'lead-conversion') === 0 &&
        metric(text, 'crm_consumer_skipped_duplicates_total', 'pipeline-read-model') >= 1
        ? text
        : undefined;
    });
    const account = await accountOf(lead.customerId, () => true);
    expect(account.opportunities).toHaveLength(1);
    expect(account.contacts).toHaveLength(1);
    const accounts = integrator
      .ofType('crm.pipeline.AccountOpened.v1')
      .filter((e) => e.event.subject === lead.customerId);
    const opportunities = integrator
      .ofType('crm.pipeline.OpportunityOpened.v1')
      .filter((e) => e.event.subject === opportunityId);
    expect(accounts).toHaveLength(1);
    expect(opportunities).toHaveLength(1);
  });

  it('closing the opportunity as won publishes the customer acquisition; a later win is expansion', async () => {
    const missing = await call(pipeline, 'POST', `/opportunities/${opportunityId}/win`, {});
    expect(missing.status).toBe(422);
    expect(missing.body.code).toBe('WIN_NEEDS_QUOTE_OR_AMOUNT');
    expect(
      (
        await call(pipeline, 'PATCH', `/opportunities/${opportunityId}`, {
          amount: 12000,
          expectedCloseDate: '2026-12-15',
        })
      ).status,
    ).toBe(200);
    const won = await call(pipeline, 'POST', `/opportunities/${opportunityId}/win`, {});
    expect(won.status).toBe(200);
    expect(won.body).toMatchObject({ status: 'won', amount: 12000 });

    const acquisition = await waitFor('the acquisition lifecycle event on crm.pipeline.events', () =>
      integrator
        .ofType('crm.pipeline.CustomerLifecycleStageReached.v1')
        .find((e) => e.event.customerid === lead.customerId),
    );
    expect(acquisition.event.data).toMatchObject({
      customerId: lead.customerId,
      stage: 'acquisition',
      previousStage: 'interest',
      reason: { aggregateType: 'opportunity', aggregateId: opportunityId },
    });

    const second = await call(pipeline, 'POST', '/opportunities', {
      accountId: lead.customerId,
      name: 'Upsell',
      ownerId: ana,
      currency: 'EUR',
      amount: 500,
    });
    expect(second.status).toBe(201);
    expect((await call(pipeline, 'POST', `/opportunities/${second.body.id}/win`, {})).status).toBe(200);
    const expansion = await waitFor('the expansion lifecycle event', () =>
      integrator
        .ofType('crm.pipeline.CustomerLifecycleStageReached.v1')
        .find(
          (e) =>
            (e.event.data as { stage: string }).stage === 'expansion' &&
            e.event.customerid === lead.customerId,
        ),
    );
    expect(expansion.event.data).toMatchObject({ previousStage: 'acquisition' });
    const account = await accountOf(
      lead.customerId,
      (a) => (a as unknown as { lifecycleStage: string }).lifecycleStage === 'expansion',
    );
    expect(Number((account as unknown as { wonRevenue: string }).wonRevenue)).toBe(12500);
  });

  it('needs a manager to approve a large discount before the quote goes out, and wins with the accepted quote', async () => {
    const opened = await call(pipeline, 'POST', '/opportunities', {
      accountId: lead.customerId,
      name: 'Licences',
      ownerId: ana,
      currency: 'EUR',
    });
    const id = opened.body.id;
    const quote = await call(pipeline, 'POST', `/opportunities/${id}/quotes`, {
      lines: [
        { product: 'Licence', quantity: 3, unitPrice: 19.99, discountPercent: 15 },
        { product: 'Training', quantity: 2, unitPrice: 400, discountPercent: 25 },
      ],
    });
    expect(quote.status).toBe(201);
    expect(quote.body.totals).toEqual({
      subtotal: 859.97,
      discount: 209,
      total: 650.97,
      maxDiscountPercent: 25,
    });
    const quoteId = quote.body.id;
    expect((await call(pipeline, 'POST', `/quotes/${quoteId}/send`)).body.code).toBe(
      'DISCOUNT_NEEDS_APPROVAL',
    );
    const rep = await call(pipeline, 'POST', `/quotes/${quoteId}/approve-discount`, undefined, {
      'x-actor': 'rep-1',
      'x-actor-roles': 'sales',
    });
    expect(rep.status).toBe(403);
    const approved = await call(pipeline, 'POST', `/quotes/${quoteId}/approve-discount`, undefined, {
      'x-actor': 'mia',
      'x-actor-roles': 'sales,manager',
    });
    expect(approved.status).toBe(200);
    expect((await call(pipeline, 'POST', `/quotes/${quoteId}/send`)).status).toBe(200);
    const notAccepted = await call(pipeline, 'POST', `/opportunities/${id}/win`, { quoteId });
    expect(notAccepted.body.code).toBe('QUOTE_NOT_ACCEPTED');
    expect((await call(pipeline, 'POST', `/quotes/${quoteId}/accept`)).status).toBe(200);
    const won = await call(pipeline, 'POST', `/opportunities/${id}/win`, { quoteId });
    expect(won.body).toMatchObject({ status: 'won', amount: 650.97 });
  });

  it('reports forecast, win/loss with reasons and performance per owner', async () => {
    const opened = await call(pipeline, 'POST', '/opportunities', {
      accountId: lead.customerId,
      name: 'Maybe',
      ownerId: ben,
      currency: 'EUR',
      amount: 1000,
      expectedCloseDate: '2027-01-20',
    });
    expect(
      (await call(pipeline, 'POST', `/opportunities/${opened.body.id}/stage`, { stage: 'negotiation' })).body,
    ).toMatchObject({ probability: 75, forecastCategory: 'commit' });
    const lost = await call(pipeline, 'POST', '/opportunities', {
      accountId: lead.customerId,
      name: 'Gone',
      ownerId: ben,
      currency: 'EUR',
      amount: 300,
    });
    expect((await call(pipeline, 'POST', `/opportunities/${lost.body.id}/lose`, {})).status).toBe(400);
    expect(
      (await call(pipeline, 'POST', `/opportunities/${lost.body.id}/lose`, { reason: 'competitor' })).status,
    ).toBe(200);

    const forecast = await waitFor('ben in the forecast', async () => {
      const r = await call(pipeline, 'GET', `/forecast?ownerId=${ben}`);
      return r.body.find(
        (row: { period: string; weightedAmount: number }) =>
          row.period === '2027-01' && row.weightedAmount === 750,
      );
    });
    expect(forecast).toMatchObject({
      ownerId: ben,
      openCount: 1,
      openAmount: 1000,
      weightedAmount: 750,
      byCategory: { commit: 1000 },
    });
    const winLoss = await waitFor('the loss in the report', async () => {
      const r = await call(pipeline, 'GET', '/reports/win-loss');
      return r.body.lossReasons.some((l: { reason: string }) => l.reason === 'competitor')
        ? r.body
        : undefined;
    });
    expect(winLoss.lost).toBeGreaterThanOrEqual(1);
    const performance = await waitFor('the loss in the performance report', async () => {
      const r = await call(pipeline, 'GET', '/reports/sales-performance');
      return r.body.some((row: { ownerId: string; lost: number }) => row.ownerId === ben && row.lost === 1)
        ? r.body
        : undefined;
    });
    expect(performance).toContainEqual(
      expect.objectContaining({ ownerId: ben, won: 0, lost: 1, open: 1, winRate: 0 }),
    );
    expect(performance).toContainEqual(
      expect.objectContaining({ ownerId: ana, won: 3, wonRevenue: 13150.97 }),
    );
  });

  it('rejects bad input and stale revisions with clear 4xx errors, appending nothing', async () => {
    const refused = { 'x-correlation-id': `refused-${run}` };
    const bad = await call(
      pipeline,
      'POST',
      '/opportunities',
      {
        accountId: 'nope',
        name: '',
        currency: 'euro',
        amount: -1,
      },
      refused,
    );
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: { field: string }) => e.field).sort()).toEqual([
      'accountId',
      'amount',
      'currency',
      'name',
      'ownerId',
    ]);
    const unknownAccount = await call(
      pipeline,
      'POST',
      '/opportunities',
      {
        accountId: randomUUID(),
        name: 'x',
        ownerId: 'a',
        currency: 'EUR',
      },
      refused,
    );
    expect(unknownAccount.status).toBe(404);
    const badLines = await call(
      pipeline,
      'POST',
      `/opportunities/${opportunityId}/quotes`,
      {
        lines: [{ product: 'x', quantity: 0, unitPrice: 1.001 }],
      },
      refused,
    );
    expect(badLines.status).toBe(400);
    expect(badLines.body.errors.map((e: { field: string }) => e.field).sort()).toEqual([
      'lines.0.quantity',
      'lines.0.unitPrice',
    ]);
    const opened = await call(
      pipeline,
      'POST',
      '/opportunities',
      {
        accountId: lead.customerId,
        name: 'Concurrent',
        ownerId: ana,
        currency: 'EUR',
      },
      { 'x-correlation-id': `accepted-${run}` },
    );
    const etag = opened.headers.get('etag')!;
    const moved = await call(
      pipeline,
      'POST',
      `/opportunities/${opened.body.id}/stage`,
      { stage: 'proposal' },
      { 'if-match': etag },
    );
    expect(moved.status).toBe(200);
    const stale = await call(
      pipeline,
      'POST',
      `/opportunities/${opened.body.id}/stage`,
      { stage: 'negotiation' },
      { 'if-match': etag, ...refused },
    );
    // If-Match names a revision the opportunity has moved on from: 412, as HTTP defines it.
    expect(stale.status).toBe(412);
    expect(stale.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(stale.body).toMatchObject({
      type: 'https://crm.example/problems/precondition-failed',
      status: 412,
      code: 'PRECONDITION_FAILED',
      instance: `/opportunities/${opened.body.id}/stage`,
      details: { expectedRevision: opened.body.revision, actualRevision: moved.body.revision },
      correlationId: `refused-${run}`,
    });
    expect(await eventsCorrelatedWith(`refused-${run}`)).toBe(0);
    expect(await eventsCorrelatedWith(`accepted-${run}`)).toBe(1); // the count does see what was appended
  });

  it('serves the AsyncAPI document of its topic; every record it published fits it', async () => {
    const served = await call(pipeline, 'GET', '/asyncapi.json');
    expect(served.status).toBe(200);
    const channels = Object.values(served.body.channels as Record<string, { address: string }>);
    expect(channels.map((c) => c.address)).toEqual([pipelineTopic, `${pipelineTopic}.dlq`]);
    expect(integrator.events.map((e) => e.message)).toEqual(
      expect.arrayContaining([
        'pipelineEvents/AccountOpenedV1',
        'pipelineEvents/OpportunityOpenedV1',
        'pipelineEvents/OpportunityWonV1',
        'pipelineEvents/CustomerLifecycleStageReachedV1',
      ]),
    );
    expect(integrator.rejected.map((r) => r.reason)).toEqual([]);
  });
});
