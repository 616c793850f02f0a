import type { InProcessService } from '@crm/test-support';
import { anAccount, anOpportunity, aQuote, as, DISCOUNTED_LINES, startPipeline } from './pipeline.given';

jest.setTimeout(60_000);

/**
 * Quotes over HTTP, in process: totals to the cent, and a discount above the threshold (15 %)
 * that only a manager may approve before the quote goes out.
 */
let pipeline: InProcessService;
beforeAll(async () => (pipeline = await startPipeline()));
afterAll(() => pipeline?.stop());

describe('drafting', () => {
  it('drafts a quote with totals exact to the cent; a discount above the threshold awaits approval', async () => {
    const opportunity = anOpportunity(anAccount());
    const { response, events } = await pipeline
      .given({ [opportunity.stream]: [opportunity.opened()] })
      .when('POST', `${opportunity.path}/quotes`, { lines: DISCOUNTED_LINES })
      .then({
        status: 201,
        body: {
          status: 'draft',
          currency: 'EUR',
          totals: { subtotal: 859.97, discount: 209, total: 650.97, maxDiscountPercent: 25 },
          approvalRequired: true,
          approved: false,
        },
        headers: { location: /^\/quotes\/[0-9a-f-]{36}$/ },
        events: [
          {
            type: 'QuoteDrafted',
            data: { opportunityId: opportunity.opportunityId, approvalRequired: true },
          },
        ],
      });
    expect(events[0].streamId).toBe(`quote-${response.body.id}`);
  });

  it('answers 400 naming each bad field of a line', async () => {
    const opportunity = anOpportunity(anAccount());
    const { response } = await pipeline
      .given({ [opportunity.stream]: [opportunity.opened()] })
      .when('POST', `${opportunity.path}/quotes`, {
        lines: [{ product: 'x', quantity: 0, unitPrice: 1.001 }],
      })
      .then({ status: 400, problem: { code: 'VALIDATION_FAILED' } });
    expect(response.body.errors.map((e: { field: string }) => e.field).sort()).toEqual([
      'lines.0.quantity',
      'lines.0.unitPrice',
    ]);
  });

  it('refuses to quote a closed opportunity with 422', async () => {
    const opportunity = anOpportunity(anAccount(), { amount: 100 });
    await pipeline
      .given({ [opportunity.stream]: [opportunity.opened(), opportunity.won(100)] })
      .when('POST', `${opportunity.path}/quotes`, { lines: DISCOUNTED_LINES })
      .then({ status: 422, problem: { code: 'OPPORTUNITY_CLOSED' } });
  });
});

describe('discount approval', () => {
  it('refuses to send a quote whose discount awaits approval with 422', async () => {
    const quote = aQuote(anOpportunity(anAccount()));
    await pipeline
      .given({ [quote.stream]: [quote.drafted()] })
      .when('POST', `${quote.path}/send`)
      .then({
        status: 422,
        problem: { code: 'DISCOUNT_NEEDS_APPROVAL', details: { maxDiscountPercent: 25 } },
      });
  });

  it('answers 403 to an approval by someone without the manager role', async () => {
    const quote = aQuote(anOpportunity(anAccount()));
    await pipeline
      .given({ [quote.stream]: [quote.drafted()] })
      .when('POST', `${quote.path}/approve-discount`, undefined, await as('sales_rep'))
      .then({ status: 403, problem: { code: 'ROLE_NOT_ALLOWED' } });
  });

  it("records a manager's approval by name; the quote can then be sent and accepted", async () => {
    const opportunity = anOpportunity(anAccount());
    const quote = aQuote(opportunity);
    await pipeline
      .given({ [opportunity.stream]: [opportunity.opened()], [quote.stream]: [quote.drafted()] })
      .when('POST', `${quote.path}/approve-discount`, undefined, await as('sales_manager'))
      .then({
        status: 200,
        body: { approvalRequired: false, approved: true },
        events: [{ type: 'QuoteDiscountApproved', data: { approvedBy: 'u-mia', maxDiscountPercent: 25 } }],
      });
    await pipeline.when('POST', `${quote.path}/send`).then({
      status: 200,
      body: { status: 'sent' },
      events: [{ type: 'QuoteSent', data: { total: 650.97, currency: 'EUR' } }],
    });
    await pipeline.when('POST', `${quote.path}/accept`).then({
      status: 200,
      body: { status: 'accepted' },
      events: [{ type: 'QuoteAccepted', data: { total: 650.97 } }],
    });
  });

  it('asks for approval again when a revision raises the discount beyond the approved one', async () => {
    const quote = aQuote(anOpportunity(anAccount()));
    const deeper = DISCOUNTED_LINES.map((line) => ({ ...line, discountPercent: 30 }));
    await pipeline
      .given({ [quote.stream]: [quote.drafted(), quote.approved()] })
      .when('PUT', `${quote.path}/lines`, { lines: deeper }, { 'if-match': '"1"' })
      .then({
        status: 200,
        body: { approvalRequired: true, totals: expect.objectContaining({ maxDiscountPercent: 30 }) },
        events: [{ type: 'QuoteRevised', data: { approvalRequired: true } }],
      });
  });
});

describe('after sending', () => {
  it('refuses to change the lines of a sent quote with 422', async () => {
    const quote = aQuote(anOpportunity(anAccount()));
    await pipeline
      .given({ [quote.stream]: [quote.drafted(), quote.approved(), quote.sent()] })
      .when('PUT', `${quote.path}/lines`, { lines: DISCOUNTED_LINES })
      .then({ status: 422, problem: { code: 'QUOTE_ALREADY_SENT', details: { status: 'sent' } } });
  });

  it('refuses to accept a quote not sent yet with 422', async () => {
    const quote = aQuote(anOpportunity(anAccount()));
    await pipeline
      .given({ [quote.stream]: [quote.drafted(), quote.approved()] })
      .when('POST', `${quote.path}/accept`)
      .then({ status: 422, problem: { code: 'QUOTE_NOT_SENT' } });
  });

  it('answers 412 to a stale If-Match on a quote', async () => {
    const quote = aQuote(anOpportunity(anAccount()));
    await pipeline
      .given({ [quote.stream]: [quote.drafted(), quote.approved()] })
      .when('POST', `${quote.path}/send`, undefined, { 'if-match': '"0"' })
      .then({
        status: 412,
        problem: { code: 'PRECONDITION_FAILED', details: { expectedRevision: 0, actualRevision: 1 } },
      });
  });
});
