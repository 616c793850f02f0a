import { randomUUID } from 'node:crypto';
import type { InProcessService } from '@crm/test-support';
import { anAccount, anOpportunity, aQuote, startPipeline } from './pipeline.given';

jest.setTimeout(60_000);

/**
 * Opportunities over HTTP, in process: opening, stage moves, and the rules of winning and losing,
 * on the real event store (given the streams, when the request, then the answer and the events).
 */
let pipeline: InProcessService;
beforeAll(async () => (pipeline = await startPipeline()));
afterAll(() => pipeline?.stop());

describe('opening an opportunity', () => {
  it("opens it in the pipeline's first stage, with that stage's probability and forecast category", async () => {
    const account = anAccount();
    const { response, events } = await pipeline
      .given({ [account.stream]: [account.opened()] })
      .when('POST', '/opportunities', {
        accountId: account.accountId,
        name: 'Licences',
        ownerId: 'rep-1',
        currency: 'EUR',
        amount: 1200.5,
        expectedCloseDate: '2026-12-15',
      })
      .then({
        status: 201,
        body: {
          customerId: account.customerId,
          status: 'open',
          stage: 'prospecting',
          probability: 10,
          forecastCategory: 'pipeline',
          amount: 1200.5,
          revision: 0,
        },
        headers: { location: /^\/opportunities\/[0-9a-f-]{36}$/ },
        events: [{ type: 'OpportunityOpened', data: { accountId: account.accountId, stage: 'prospecting' } }],
      });
    expect(events[0].streamId).toBe(`opportunity-${response.body.id}`);
  });

  it('answers 400 naming every offending field', async () => {
    const { response } = await pipeline
      .when('POST', '/opportunities', { accountId: 'nope', name: '', currency: 'euro', amount: -1 })
      .then({ status: 400, problem: { code: 'VALIDATION_FAILED' } });
    expect(response.body.errors.map((e: { field: string }) => e.field).sort()).toEqual([
      'accountId',
      'amount',
      'currency',
      'name',
      'ownerId',
    ]);
  });

  it('answers 404 for an account that does not exist', () =>
    pipeline
      .when('POST', '/opportunities', {
        accountId: randomUUID(),
        name: 'x',
        ownerId: 'rep-1',
        currency: 'EUR',
      })
      .then({ status: 404, problem: { code: 'ACCOUNT_NOT_FOUND' } }));

  it('answers 400 for a stage the pipeline does not have, or a closed one', async () => {
    const account = anAccount();
    const opening = (stage: string) => ({
      accountId: account.accountId,
      name: 'x',
      ownerId: 'rep-1',
      currency: 'EUR',
      stage,
    });
    await pipeline
      .given({ [account.stream]: [account.opened()] })
      .when('POST', '/opportunities', opening('dreaming'))
      .then({ status: 400, problem: { code: 'UNKNOWN_STAGE', details: { stage: 'dreaming' } } });
    await pipeline
      .when('POST', '/opportunities', opening('closed_won'))
      .then({ status: 400, problem: { code: 'STAGE_IS_CLOSED' } });
  });
});

describe('stages', () => {
  it('moves an opportunity to another open stage; probability and forecast category follow', async () => {
    const opportunity = anOpportunity(anAccount());
    await pipeline
      .given({ [opportunity.stream]: [opportunity.opened()] })
      .when('POST', `${opportunity.path}/stage`, { stage: 'negotiation' }, { 'if-match': '"0"' })
      .then({
        status: 200,
        body: { stage: 'negotiation', probability: 75, forecastCategory: 'commit', revision: 1 },
        events: [{ type: 'OpportunityStageChanged', data: { from: 'prospecting', to: 'negotiation' } }],
      });
  });

  it('refuses to move it to a closed stage with 422: win or lose it instead', async () => {
    const opportunity = anOpportunity(anAccount());
    await pipeline
      .given({ [opportunity.stream]: [opportunity.opened()] })
      .when('POST', `${opportunity.path}/stage`, { stage: 'closed_won' })
      .then({ status: 422, problem: { code: 'USE_WIN_OR_LOSE' } });
  });

  it('answers 412 to a stale If-Match, with both revisions, and the correlation id', async () => {
    const opportunity = anOpportunity(anAccount());
    await pipeline
      .given({ [opportunity.stream]: [opportunity.opened(), opportunity.movedTo('proposal')] })
      .when(
        'POST',
        `${opportunity.path}/stage`,
        { stage: 'negotiation' },
        { 'if-match': '"0"', 'x-correlation-id': 'corr-stale' },
      )
      .then({
        status: 412,
        problem: {
          type: 'https://crm.example/problems/precondition-failed',
          code: 'PRECONDITION_FAILED',
          details: { expectedRevision: 0, actualRevision: 1 },
          correlationId: 'corr-stale',
        },
      });
  });
});

describe('winning and losing', () => {
  it('refuses to win an opportunity without amount or quote with 422; with an amount it is won', async () => {
    const opportunity = anOpportunity(anAccount());
    await pipeline
      .given({ [opportunity.stream]: [opportunity.opened()] })
      .when('POST', `${opportunity.path}/win`, {})
      .then({ status: 422, problem: { code: 'WIN_NEEDS_QUOTE_OR_AMOUNT' } });
    await pipeline.when('PATCH', opportunity.path, { amount: 12000 }).then({
      status: 200,
      events: [{ type: 'OpportunityDetailsChanged', data: { changes: { amount: 12000 } } }],
    });
    await pipeline.when('POST', `${opportunity.path}/win`, {}).then({
      status: 200,
      body: { status: 'won', amount: 12000, probability: 100 },
      events: [
        { type: 'OpportunityWon', data: { amount: 12000, currency: 'EUR', previousStage: 'prospecting' } },
      ],
    });
  });

  it('wins with an accepted quote, at its total; a quote only sent is refused with 422', async () => {
    const opportunity = anOpportunity(anAccount());
    const quote = aQuote(opportunity);
    const win = { quoteId: quote.quoteId };
    await pipeline
      .given({
        [opportunity.stream]: [opportunity.opened()],
        [quote.stream]: [quote.drafted(), quote.approved(), quote.sent()],
      })
      .when('POST', `${opportunity.path}/win`, win)
      .then({ status: 422, problem: { code: 'QUOTE_NOT_ACCEPTED', details: { status: 'sent' } } });
    await pipeline
      .given({ [quote.stream]: [quote.accepted()] })
      .when('POST', `${opportunity.path}/win`, win)
      .then({
        status: 200,
        body: { status: 'won', amount: 650.97 },
        events: [{ type: 'OpportunityWon', data: { amount: 650.97, quoteId: quote.quoteId } }],
      });
  });

  it("refuses another opportunity's quote with 422 and an unknown one with 404", async () => {
    const account = anAccount();
    const opportunity = anOpportunity(account);
    const quote = aQuote(anOpportunity(account));
    await pipeline
      .given({
        [opportunity.stream]: [opportunity.opened()],
        [quote.stream]: [quote.drafted(), quote.approved(), quote.sent(), quote.accepted()],
      })
      .when('POST', `${opportunity.path}/win`, { quoteId: quote.quoteId })
      .then({ status: 422, problem: { code: 'QUOTE_OF_ANOTHER_OPPORTUNITY' } });
    await pipeline
      .when('POST', `${opportunity.path}/win`, { quoteId: randomUUID() })
      .then({ status: 404, problem: { code: 'QUOTE_NOT_FOUND' } });
  });

  it('needs a reason to lose an opportunity, and a lost one can no longer be won', async () => {
    const opportunity = anOpportunity(anAccount(), { amount: 300 });
    await pipeline
      .given({ [opportunity.stream]: [opportunity.opened()] })
      .when('POST', `${opportunity.path}/lose`, {})
      .then({ status: 400, problem: { code: 'VALIDATION_FAILED' } });
    await pipeline.when('POST', `${opportunity.path}/lose`, { reason: 'competitor', notes: 'cheaper' }).then({
      status: 200,
      body: { status: 'lost', probability: 0, forecastCategory: 'omitted' },
      events: [{ type: 'OpportunityLost', data: { reason: 'competitor', notes: 'cheaper' } }],
    });
    await pipeline
      .when('POST', `${opportunity.path}/win`, {})
      .then({ status: 422, problem: { code: 'OPPORTUNITY_CLOSED', details: { status: 'lost' } } });
  });
});
