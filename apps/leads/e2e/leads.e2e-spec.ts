import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
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
 * The leads service as users meet it: a real process (built output, OTel preloaded) on the real
 * PostgreSQL and Kafka broker. Integrators read crm.leads.events with a plain Kafka consumer and
 * the CloudEvents SDK, each record fitting the AsyncAPI document; SREs see one trace from the HTTP
 * request to the projection write. Each test makes its own leads. (Commands, refusals and the
 * read model are specified in process: apps/leads/test.)
 */
jest.setTimeout(120_000);

let db: Awaited<ReturnType<typeof freshDatabase>>;
let leads: ServiceProcess;
let otlp: OtlpReceiver;
let integrator: PublishedEventsReader;

// This run's own topics and owners: the broker is shared with other runs and benchmarks.
const run = randomBytes(3).toString('hex');
const topicPrefix = `e2e-${run}.`;
const leadsTopic = `${topicPrefix}crm.leads.events`;
const email = () => `ana.${randomBytes(4).toString('hex')}@Example.COM`;
const traceparent = () => `00-${randomBytes(16).toString('hex')}-${randomBytes(8).toString('hex')}-01`;

const http = (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
  callService(leads, method, path, body, headers);

const kafkaEventsOf = (leadId: string) => integrator.events.filter((e) => e.key === leadId);

/** A lead captured over HTTP (a fresh e-mail unless one is given): its id, customer id and owner. */
async function capture(body: Record<string, unknown>) {
  const captured = await http('POST', '/leads', { email: email(), ...body });
  expect(captured.status).toBe(201);
  return captured.body as { id: string; customerId: string; ownerId: string };
}

async function readLead(id: string, until: (lead: Record<string, unknown>) => boolean = () => true) {
  return waitFor(`lead ${id} in the projection`, async () => {
    const r = await http('GET', `/leads/${id}`);
    return r.status === 200 && until(r.body) ? r : undefined;
  });
}

beforeAll(async () => {
  db = await freshDatabase();
  otlp = new OtlpReceiver();
  await otlp.start();
  leads = new ServiceProcess('leads', await freePort(), {
    DATABASE_URL: db.url,
    KAFKA_BROKERS: kafkaBrokers().join(','),
    LEAD_OWNERS: `ana-${run},ben-${run}`,
    KAFKA_GROUP_PREFIX: `e2e-${randomUUID()}`,
    KAFKA_TOPIC_PREFIX: topicPrefix,
    OTEL_EXPORTER_OTLP_ENDPOINT: otlp.endpoint,
    LOG_LEVEL: 'warn',
  });
  await leads.start();
  integrator = await PublishedEventsReader.follow(kafkaBrokers(), leadsTopic);
});

afterAll(async () => {
  await integrator?.stop();
  const ended = await leads?.stop();
  await otlp?.stop();
  await db?.drop();
  expect(ended).toBe('graceful');
});

describe('leads service, end to end', () => {
  it('captures a lead over HTTP, publishes it as a CloudEvent, and serves it from the projection', async () => {
    const tp = traceparent();
    const captured = await http(
      'POST',
      '/leads',
      {
        personName: '  Ana   Pérez ',
        companyName: 'Acme SA',
        email: email(),
        phone: '+34 600 12 34 56',
        channel: 'web_form',
        source: { utmSource: 'newsletter', utmCampaign: 'autumn' },
        companySize: 120,
        interests: ['erp', 'crm'],
      },
      { traceparent: tp, 'x-correlation-id': 'corr-e2e-1' },
    );
    expect(captured.status).toBe(201);
    const { id, customerId } = captured.body;

    const published = await waitFor('LeadCaptured on crm.leads.events', () => {
      const ours = kafkaEventsOf(id);
      return ours.length >= 3 ? ours : undefined;
    });
    const { event: first, message } = published[0];
    expect(message).toBe('leadsEvents/LeadCapturedV1');
    expect(first).toMatchObject({
      specversion: '1.0',
      type: 'crm.leads.LeadCaptured.v1',
      source: '/crm/leads',
      subject: id,
      datacontenttype: 'application/json',
      customerid: customerId,
      correlationid: 'corr-e2e-1',
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
    });
    expect(String(first.traceparent).split('-')[1]).toBe(tp.split('-')[1]);
    // Integrators read the personal values sealed with the customer's key; the rest as it is.
    const sealed = expect.stringMatching(/^pii:v1:[A-Za-z0-9_-]+$/);
    expect(first.data).toMatchObject({ leadId: id, personName: sealed, email: sealed, phone: sealed });
    expect(JSON.stringify(first.data)).not.toMatch(/Ana|P\u00e9rez|Pérez|example\.com|600123456/);
    expect(published.map((e) => e.event.type)).toEqual([
      'crm.leads.LeadCaptured.v1',
      'crm.leads.CustomerLifecycleStageReached.v1',
      'crm.leads.LeadAssigned.v1',
    ]);

    const read = await readLead(id, (lead) => lead.revision === 2);
    expect(read.headers.get('etag')).toBe('"2"');
    expect(read.body).toMatchObject({
      leadId: id,
      customerId,
      status: 'new',
      channel: 'web_form',
      companySize: 120,
    });
  });

  it('takes a lead through engagement, qualification and conversion; a refused conversion publishes nothing', async () => {
    const created = await capture({
      personName: 'Dora',
      companyName: 'Big Co',
      channel: 'referral',
      companySize: 2000,
    });
    const { id } = created;
    const engaged = await http('POST', `/leads/${id}/engagements`, {
      kind: 'meeting',
      channel: 'event',
      summary: 'demo',
    });
    expect(engaged.status).toBe(201);
    expect((await http('POST', `/leads/${id}/convert`)).body.code).toBe('LEAD_NOT_QUALIFIED');
    const qualified = await http('POST', `/leads/${id}/qualify`);
    expect(qualified.body).toMatchObject({ status: 'qualified', score: 25 + 10 + 10 + 30 });
    expect((await http('POST', `/leads/${id}/convert`)).body.status).toBe('converted');

    // One key, one partition, in order: once the conversion is read, whatever the refused one
    // had published would have been read before it.
    const published = await waitFor('LeadConverted on Kafka', () => {
      const ours = kafkaEventsOf(id);
      return ours.some((e) => e.event.type === 'crm.leads.LeadConverted.v1') ? ours : undefined;
    });
    expect(published.map((e) => e.message)).toEqual(
      [
        'LeadCaptured',
        'CustomerLifecycleStageReached',
        'LeadAssigned',
        'LeadEngagementRecorded',
        'LeadWorkStarted',
        'LeadQualified',
        'LeadConverted',
      ].map((type) => `leadsEvents/${type}V1`),
    );
    expect(published[6].event.data).toMatchObject({ leadId: id, ownerId: created.ownerId, score: 75 });

    const lead = await readLead(id, (l) => l.status === 'converted');
    expect(lead.body.engagements).toEqual([
      expect.objectContaining({ kind: 'meeting', channel: 'event', summary: 'demo' }),
    ]);
    expect(lead.body.scoreBreakdown).toEqual({
      channel: 25,
      customerType: 10,
      engagements: 10,
      companySize: 30,
    });
  });

  it('serves its OpenAPI document and health endpoints', async () => {
    const docs = await http('GET', '/docs-json');
    expect(Object.keys(docs.body.paths)).toEqual(
      expect.arrayContaining(['/leads', '/leads/{id}', '/leads/{id}/convert']),
    );
    const ready = await http('GET', '/health/ready');
    expect(ready.status).toBe(200);
    expect(ready.body).toMatchObject({ status: 'ok', error: {} });
    expect(Object.keys(ready.body.details)).toEqual(['postgres', 'event-store', 'kafka', 'projections']);
    expect((await http('GET', '/health/live')).status).toBe(200);
  });

  it('links the HTTP request, the event append, the Kafka publish and the projection write in one trace', async () => {
    const tp = traceparent();
    const traceId = tp.split('-')[1];
    const created = await http(
      'POST',
      '/leads',
      { personName: 'Tracy', email: email(), channel: 'email' },
      { traceparent: tp },
    );
    expect(created.status).toBe(201);
    await readLead(created.body.id);
    const spans = await waitFor('the spans of the whole trace', () => {
      const t = otlp.trace(traceId);
      return t.some((s) => s.name === `${leadsTopic} process`) &&
        t.some((s) => /^pg\.query:INSERT/.test(s.name))
        ? t
        : undefined;
    });
    const byId = new Map(spans.map((s) => [s.spanId, s]));
    const parentOf = (s: { parentSpanId?: string }) =>
      s.parentSpanId ? byId.get(s.parentSpanId) : undefined;
    // HTTP server span -> event append -> Kafka produce -> consume -> projection write
    expect(spans).toContainEqual(expect.objectContaining({ name: 'POST /leads', kind: 2 }));
    expect(spans.some((s) => /^pg\.query:es:leads_eventstore:append/.test(s.name))).toBe(true);
    const publish = spans.filter((s) => s.name === `${leadsTopic} publish` && s.kind === 4);
    const consume = spans.filter((s) => s.name === `${leadsTopic} process` && s.kind === 5);
    expect(publish.length).toBeGreaterThanOrEqual(1);
    expect(consume.every((s) => parentOf(s)?.name === `${leadsTopic} publish`)).toBe(true);
    const projectionWrite = spans.find(
      (s) => /^pg\.query:INSERT/.test(s.name) && parentOf(s)?.name === `${leadsTopic} process`,
    );
    expect(projectionWrite).toBeDefined();
    expect(new Set(spans.map((s) => s.service))).toEqual(new Set(['leads']));
  });

  it('serves the AsyncAPI document of its topic, and every record it published fits it', async () => {
    const served = await http('GET', '/asyncapi.json');
    expect(served.status).toBe(200);
    const channels = served.body.channels as Record<string, { address: string; messages: object }>;
    expect(Object.values(channels).map((c) => c.address)).toEqual([leadsTopic, `${leadsTopic}.dlq`]);
    const file = join(__dirname, '..', '..', '..', 'libs', 'contracts', 'asyncapi.json');
    const checkedIn = JSON.parse(readFileSync(file, 'utf8'));
    expect(channels.leadsEvents.messages).toEqual(checkedIn.channels.leadsEvents.messages);

    // A lead converted and another disqualified: every type of the topic, each read by the
    // CloudEvents SDK and fitting its message in the document.
    const converted = await capture({ companyName: 'Convert Co', channel: 'referral', companySize: 2000 });
    await http('POST', `/leads/${converted.id}/engagements`, { kind: 'call', channel: 'phone' });
    await http('POST', `/leads/${converted.id}/qualify`);
    expect((await http('POST', `/leads/${converted.id}/convert`)).status).toBe(200);
    const dropped = await capture({ personName: 'Nadia', channel: 'social' });
    expect((await http('POST', `/leads/${dropped.id}/disqualify`, { reason: 'spam' })).status).toBe(200);
    const published = [
      'CustomerLifecycleStageReachedV1',
      'LeadAssignedV1',
      'LeadCapturedV1',
      'LeadConvertedV1',
      'LeadDisqualifiedV1',
      'LeadEngagementRecordedV1',
      'LeadQualifiedV1',
      'LeadWorkStartedV1',
    ].map((m) => `leadsEvents/${m}`);
    const seen = await waitFor('a record of every type on the topic', () => {
      const ours = [...kafkaEventsOf(converted.id), ...kafkaEventsOf(dropped.id)];
      const messages = [...new Set(ours.map((e) => e.message))].sort();
      return messages.length >= published.length ? messages : undefined;
    });
    expect(seen).toEqual(published);
    expect(integrator.rejected.map((r) => r.reason)).toEqual([]);
  });
});
