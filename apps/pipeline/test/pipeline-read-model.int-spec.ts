import { randomUUID } from 'node:crypto';
import { publishedEvents, type InProcessService, type ProjectionSpec } from '@crm/test-support';
import { PipelineReadModelProjection } from '../src/read-model/pipeline.projection';
import { anAccount, anOpportunity, aQuote, at, later, startPipeline } from './pipeline.given';

jest.setTimeout(60_000);

/**
 * The pipeline-read-model projection: given these events on crm.pipeline.events, then these rows
 * in the service's migrated tables (accounts, contacts, opportunities with their stage history,
 * quotes), each batch in a real transaction, and what the queries and reports answer from them.
 */
let pipeline: InProcessService;
let projection: ProjectionSpec;
beforeAll(async () => {
  pipeline = await startPipeline();
  projection = await pipeline.projection('pipeline-read-model', [PipelineReadModelProjection]);
});
afterAll(() => pipeline?.stop());

const get = async (path: string) => {
  const response = await pipeline.request('GET', path);
  expect(response.status).toBe(200);
  return response.body;
};

describe('opportunities', () => {
  it('given an opportunity opened from a campaign response, then its row names the campaign', async () => {
    const fromCampaignId = randomUUID();
    const opportunity = anOpportunity(anAccount(), { fromCampaignId });
    await projection.given(...publishedEvents('pipeline', opportunity.opportunityId, [opportunity.opened()]));
    expect(await get(`/opportunities/${opportunity.opportunityId}`)).toMatchObject({
      fromCampaignId,
      fromLeadId: null,
    });
  });
});

describe('accounts', () => {
  it('given an account opened with contacts and a win, then its row, its contacts and its revenue', async () => {
    const account = anAccount();
    const opportunityId = randomUUID();
    const history = publishedEvents('pipeline', account.accountId, [
      account.opened(),
      account.contactAdded({ name: 'Olga Ruiz', email: 'olga@acme.example' }),
      account.contactAdded({ name: 'Ben Ito', role: 'technical' }),
      account.winRecorded(opportunityId, 1250.5),
      account.stageReached('acquisition', 'interest', opportunityId),
    ]);
    await projection.given(...history);
    const rows = await projection.rows(
      `select name, kind, customer_type, lifecycle_stage, won_revenue, revision from pipeline.account
       where account_id = $1`,
      [account.accountId],
    );
    expect(rows).toEqual([
      {
        name: 'Acme SA',
        kind: 'company',
        customer_type: 'prospect',
        lifecycle_stage: 'acquisition',
        won_revenue: '1250.5',
        revision: 4,
      },
    ]);
    const contacts = await projection.rows(
      'select name, email, role from pipeline.contact where account_id = $1 order by name',
      [account.accountId],
    );
    expect(contacts).toEqual([
      { name: 'Ben Ito', email: null, role: 'technical' },
      { name: 'Olga Ruiz', email: 'olga@acme.example', role: 'decision_maker' },
    ]);

    // Delivered again (a consumer that lost its dedupe rows): no second contact, no revenue twice.
    await projection.given(...history);
    const again = await get(`/accounts/${account.accountId}`);
    expect(again).toMatchObject({ wonRevenue: '1250.5', lifecycleStage: 'acquisition', revision: 4 });
    expect(again.contacts).toHaveLength(2);
  });
});

describe('opportunities', () => {
  it('given an opportunity moved through the stages, then its row and the time it spent in each', async () => {
    const opportunity = anOpportunity(anAccount(), { amount: 5000 });
    const t1 = '2026-06-05T10:00:00.000Z';
    const t2 = '2026-06-12T10:00:00.000Z';
    await projection.given(
      ...publishedEvents('pipeline', opportunity.opportunityId, [
        opportunity.opened(),
        opportunity.movedTo('proposal', 'prospecting', t1),
        opportunity.movedTo('negotiation', 'proposal', t2),
      ]),
    );
    const rows = await projection.rows(
      `select stage, probability, forecast_category, status, amount, revision from pipeline.opportunity
       where opportunity_id = $1`,
      [opportunity.opportunityId],
    );
    expect(rows).toEqual([
      {
        stage: 'negotiation',
        probability: 75,
        forecast_category: 'commit',
        status: 'open',
        amount: '5000',
        revision: 2,
      },
    ]);
    const read = await get(`/opportunities/${opportunity.opportunityId}`);
    expect(read.stageHistory).toEqual([
      { stage: 'prospecting', enteredAt: at, leftAt: t1, durationMs: 4 * 86_400_000 },
      { stage: 'proposal', enteredAt: t1, leftAt: t2, durationMs: 7 * 86_400_000 },
      { stage: 'negotiation', enteredAt: t2, leftAt: null, durationMs: expect.any(Number) },
    ]);
  });

  it('given a win, then the opportunity is closed at 100 % and its last stage is left', async () => {
    const opportunity = anOpportunity(anAccount(), { amount: 800 });
    await projection.given(
      ...publishedEvents('pipeline', opportunity.opportunityId, [opportunity.opened(), opportunity.won(900)]),
    );
    const read = await get(`/opportunities/${opportunity.opportunityId}`);
    expect(read).toMatchObject({
      status: 'won',
      probability: 100,
      forecastCategory: 'closed',
      amount: 900,
      closedAt: later,
      revision: 1,
    });
    expect(read.stageHistory).toEqual([
      { stage: 'prospecting', enteredAt: at, leftAt: later, durationMs: 19 * 86_400_000 },
    ]);
  });

  it('does not let a stage change delivered after a newer one move the opportunity back', async () => {
    const opportunity = anOpportunity(anAccount());
    const [opened, toProposal, toNegotiation] = publishedEvents('pipeline', opportunity.opportunityId, [
      opportunity.opened(),
      opportunity.movedTo('proposal'),
      opportunity.movedTo('negotiation', 'proposal'),
    ]);
    await projection.given(opened, toNegotiation);
    await projection.given(toProposal);
    const rows = await projection.rows(
      'select stage, probability, revision from pipeline.opportunity where opportunity_id = $1',
      [opportunity.opportunityId],
    );
    expect(rows).toEqual([{ stage: 'negotiation', probability: 75, revision: 2 }]);
    const read = await get(`/opportunities/${opportunity.opportunityId}`);
    expect(read.stageHistory.map((h: { stage: string }) => h.stage)).toEqual(['prospecting', 'negotiation']);
    expect(read.stage).toBe('negotiation');
  });

  it('keeps the stage history as it is when a stage change and a win are delivered again', async () => {
    const opportunity = anOpportunity(anAccount(), { amount: 800 });
    const history = publishedEvents('pipeline', opportunity.opportunityId, [
      opportunity.opened(),
      opportunity.movedTo('proposal'),
      opportunity.won(900),
    ]);
    await projection.given(...history);
    const before = (await get(`/opportunities/${opportunity.opportunityId}`)).stageHistory;
    await projection.given(history[1], history[2]);
    expect((await get(`/opportunities/${opportunity.opportunityId}`)).stageHistory).toEqual(before);
    expect(before.map((h: { stage: string }) => h.stage)).toEqual(['prospecting', 'proposal']);
  });
});

describe('quotes', () => {
  it('given a quote drafted, approved, sent and accepted, then its row with totals and approver', async () => {
    const quote = aQuote(anOpportunity(anAccount()));
    const history = publishedEvents('pipeline', quote.quoteId, [
      quote.drafted(),
      quote.approved('mia'),
      quote.sent(),
      quote.accepted(),
    ]);
    await projection.given(...history);
    await projection.given(history[1]); // an older event again: changes nothing
    expect(await get(`/quotes/${quote.quoteId}`)).toMatchObject({
      status: 'accepted',
      subtotal: 859.97,
      discount: 209,
      total: 650.97,
      maxDiscountPercent: 25,
      approvalRequired: true,
      approvedBy: 'mia',
      revision: 3,
    });
  });
});

describe('reports', () => {
  it('forecasts, reports wins and losses with reasons, and the performance of each owner', async () => {
    const owner = `ben-${randomUUID().slice(0, 8)}`;
    const account = anAccount();
    const open = anOpportunity(account, { ownerId: owner, amount: 1000, expectedCloseDate: '2027-01-20' });
    const lost = anOpportunity(account, { ownerId: owner, amount: 300 });
    await projection.given(
      ...publishedEvents('pipeline', open.opportunityId, [open.opened(), open.movedTo('negotiation')]),
      ...publishedEvents('pipeline', lost.opportunityId, [lost.opened(), lost.lost('competitor')]),
    );

    expect(await get(`/forecast?ownerId=${owner}`)).toEqual([
      {
        ownerId: owner,
        period: '2027-01',
        currency: 'EUR',
        openCount: 1,
        openAmount: 1000,
        weightedAmount: 750,
        byCategory: { pipeline: 0, best_case: 0, commit: 1000, closed: 0 },
      },
    ]);
    expect((await get('/reports/win-loss')).lossReasons).toContainEqual({ reason: 'competitor', count: 1 });
    expect(await get('/reports/sales-performance')).toContainEqual(
      expect.objectContaining({ ownerId: owner, won: 0, lost: 1, open: 1, winRate: 0 }),
    );
  });
});
