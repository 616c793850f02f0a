import { randomBytes } from 'node:crypto';
import {
  accountOf,
  callService,
  convertedLead,
  type CrossService,
  startCrossService,
  waitFor,
} from '@crm/test-support';

/**
 * Interest to acquisition across services: leads and pipeline run as separate real processes on
 * the real broker. A conversion in leads opens an account and an opportunity in pipeline, in one
 * trace; winning it publishes the acquisition, a later win the expansion. Each test makes its own
 * customer. (Commands, refusals and read models are specified in process: apps/pipeline/test.)
 */
jest.setTimeout(180_000);

let services: CrossService;

beforeAll(async () => (services = await startCrossService()));
afterAll(async () => expect(await services?.stop()).toEqual(['graceful', 'graceful']));

const pipeline = (method: string, path: string, body?: unknown) =>
  callService(services.pipeline, method, path, body);

/** A customer's account opened in pipeline, and an opportunity of it with an amount. */
async function accountWithOpportunity(amount: number) {
  const account = await pipeline('POST', '/accounts', {
    name: `Shop ${randomBytes(3).toString('hex')}`,
    kind: 'company',
  });
  expect(account.status).toBe(201);
  const opened = await pipeline('POST', '/opportunities', {
    accountId: account.body.id,
    name: 'First order',
    ownerId: services.owner,
    currency: 'EUR',
    amount,
  });
  expect(opened.status).toBe(201);
  return { customerId: account.body.id as string, opportunityId: opened.body.id as string };
}

/** The types published for one aggregate (the record key), in the order of its partition. */
const publishedFor = (subject: string) =>
  services.integrator.events.filter((e) => e.event.subject === subject).map((e) => e.event.type);

const lifecycleStage = (customerId: string, stage: string) =>
  services.integrator
    .ofType('crm.pipeline.CustomerLifecycleStageReached.v1')
    .find((e) => e.event.customerid === customerId && (e.event.data as { stage: string }).stage === stage);

describe('from interest to acquisition', () => {
  it('turns a lead converted in leads into an account with a contact and an open opportunity in pipeline', async () => {
    const lead = await convertedLead(services.leads);
    const account = await accountOf(services.pipeline, lead.customerId, (a) => a.opportunities.length > 0);
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
  });

  it('links the conversion request in leads and the opportunity created in pipeline in one trace', async () => {
    const { leadsTopic, pipelineTopic, otlp } = services;
    const lead = await convertedLead(services.leads);
    const spans = await waitFor('spans of both services in the conversion trace', () => {
      const t = otlp.trace(lead.traceId);
      const services = new Set(t.map((s) => s.service));
      const opened = t.some((s) => s.service === 'pipeline' && /^pg\.query:INSERT/.test(s.name));
      const published = t.some((s) => s.service === 'pipeline' && s.name === `${pipelineTopic} publish`);
      return services.has('leads') && services.has('pipeline') && opened && published ? t : undefined;
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

  it('publishes the acquisition when the first opportunity is won, and expansion for a later win', async () => {
    const { customerId, opportunityId } = await accountWithOpportunity(12000);
    expect((await pipeline('POST', `/opportunities/${opportunityId}/win`, {})).status).toBe(200);
    const acquisition = await waitFor('the acquisition on crm.pipeline.events', () =>
      lifecycleStage(customerId, 'acquisition'),
    );
    expect(acquisition.event.data).toMatchObject({
      customerId,
      stage: 'acquisition',
      previousStage: 'interest',
      reason: { aggregateType: 'opportunity', aggregateId: opportunityId },
    });

    const upsell = await pipeline('POST', '/opportunities', {
      accountId: customerId,
      name: 'Upsell',
      ownerId: services.owner,
      currency: 'EUR',
      amount: 500,
    });
    expect((await pipeline('POST', `/opportunities/${upsell.body.id}/win`, {})).status).toBe(200);
    const expansion = await waitFor('the expansion on crm.pipeline.events', () =>
      lifecycleStage(customerId, 'expansion'),
    );
    expect(expansion.event.data).toMatchObject({ previousStage: 'acquisition' });
    const account = await accountOf(services.pipeline, customerId, (a) => a.lifecycleStage === 'expansion');
    expect(Number(account.wonRevenue)).toBe(12500);
  });

  it('publishes nothing for a refused command: the next event of the opportunity follows the last accepted one', async () => {
    const { opportunityId } = await accountWithOpportunity(0);
    const refused = await pipeline('POST', `/opportunities/${opportunityId}/win`, {});
    expect(refused.body.code).toBe('WIN_NEEDS_QUOTE_OR_AMOUNT');
    expect((await pipeline('PATCH', `/opportunities/${opportunityId}`, { amount: 900 })).status).toBe(200);
    // One key, one partition, in order: once the change is read, anything published before it was too.
    await waitFor('the change of amount on crm.pipeline.events', () =>
      publishedFor(opportunityId).includes('crm.pipeline.OpportunityDetailsChanged.v1'),
    );
    expect(publishedFor(opportunityId)).toEqual([
      'crm.pipeline.OpportunityOpened.v1',
      'crm.pipeline.OpportunityDetailsChanged.v1',
    ]);
  });

  it('serves the AsyncAPI document of its topic; every record it publishes fits it', async () => {
    const served = await pipeline('GET', '/asyncapi.json');
    expect(served.status).toBe(200);
    const channels = Object.values(served.body.channels as Record<string, { address: string }>);
    const { pipelineTopic } = services;
    expect(channels.map((c) => c.address)).toEqual([pipelineTopic, `${pipelineTopic}.dlq`]);

    const { customerId, opportunityId } = await accountWithOpportunity(250);
    expect((await pipeline('POST', `/opportunities/${opportunityId}/win`, {})).status).toBe(200);
    const expected = ['AccountOpened', 'OpportunityOpened', 'OpportunityWon', 'AccountWinRecorded'];
    const messages = await waitFor('the account, the win and the acquisition read by the SDK', () => {
      const ours = services.integrator.events
        .filter((e) => e.event.customerid === customerId)
        .map((e) => e.message);
      return [...expected, 'CustomerLifecycleStageReached'].every((m) =>
        ours.includes(`pipelineEvents/${m}V1`),
      )
        ? ours
        : undefined;
    });
    expect(messages).toHaveLength(5);
    expect(services.integrator.rejected.map((r) => r.reason)).toEqual([]);
  });
});
