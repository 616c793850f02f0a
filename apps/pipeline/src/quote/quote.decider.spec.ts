import { DomainError, fold } from '@crm/decider';
import { deciderSpec } from '@crm/decider/testing';
import type { QuoteLine } from '@crm/contracts';
import { quoteDecider, type QuoteCommand } from './quote.decider';
import type { QuoteEvent } from './quote.events';

const at = '2026-11-23T10:00:00.000Z';
const ids = { quoteId: 'q-1', opportunityId: 'opp-1' };
const threshold = 15;
const line = (discountPercent: number): QuoteLine => ({
  product: 'seat',
  quantity: 3,
  unitPrice: 19.99,
  discountPercent,
});
const small = [line(10)];
const big = [line(20)];
const bigger = [line(25)];
// 3 × 19.99 = 59.97; 10% → 6.00 off; 20% → 11.99 off; 25% → 14.99 off
const totals10 = { subtotal: 59.97, discount: 6, total: 53.97, maxDiscountPercent: 10 };
const totals20 = { subtotal: 59.97, discount: 11.99, total: 47.98, maxDiscountPercent: 20 };
const totals25 = { subtotal: 59.97, discount: 14.99, total: 44.98, maxDiscountPercent: 25 };

const drafted = (lines = small, totals = totals10, approvalRequired = false): QuoteEvent => ({
  type: 'QuoteDrafted',
  data: { ...ids, customerId: 'cus-1', currency: 'EUR', lines, totals, approvalRequired, draftedAt: at },
});
const revised = (lines: QuoteLine[], totals: typeof totals10, approvalRequired: boolean): QuoteEvent => ({
  type: 'QuoteRevised',
  data: { quoteId: 'q-1', lines, totals, approvalRequired, revisedAt: at },
});
const approved: QuoteEvent = {
  type: 'QuoteDiscountApproved',
  data: { quoteId: 'q-1', approvedBy: 'boss', maxDiscountPercent: 20, approvedAt: at },
};
const sent = (total = 53.97): QuoteEvent => ({
  type: 'QuoteSent',
  data: { ...ids, total, currency: 'EUR', sentAt: at },
});
const accepted: QuoteEvent = {
  type: 'QuoteAccepted',
  data: { ...ids, total: 53.97, currency: 'EUR', acceptedAt: at },
};
const rejected: QuoteEvent = {
  type: 'QuoteRejected',
  data: { ...ids, reason: 'too expensive', rejectedAt: at },
};

const draft = (lines: QuoteLine[] = small, discountApprovalThreshold = threshold): QuoteCommand => ({
  type: 'DraftQuote',
  data: { ...ids, customerId: 'cus-1', currency: 'EUR', lines, discountApprovalThreshold, at },
});
const revise = (lines: QuoteLine[]): QuoteCommand => ({
  type: 'ReviseQuote',
  data: { lines, discountApprovalThreshold: threshold, at },
});
const approve = (approverRoles = ['sales_manager']): QuoteCommand => ({
  type: 'ApproveQuoteDiscount',
  data: { approverId: 'boss', approverRoles, at },
});
const send: QuoteCommand = { type: 'SendQuote', data: { at } };
const accept: QuoteCommand = { type: 'AcceptQuote', data: { at } };
const reject: QuoteCommand = { type: 'RejectQuote', data: { reason: 'too expensive', at } };

const spec = deciderSpec(quoteDecider);
const needingApproval = drafted(big, totals20, true);

describe('quote decider', () => {
  describe('drafting', () => {
    it('drafts with exact totals and no approval needed at or below the threshold', () =>
      spec.given([]).when(draft()).then([drafted()]));
    it('needs approval when a line discount is above the threshold', () =>
      spec.given([]).when(draft(big)).then([needingApproval]));
    it('does not need approval at exactly the threshold', () =>
      spec
        .given([])
        .when(draft(big, 20))
        .thenMatches(([event]) => expect(event.data).toMatchObject({ approvalRequired: false })));
    it('needs at least one line', () => spec.given([]).when(draft([])).thenThrows('QUOTE_NEEDS_LINES'));
    it('refuses invalid lines', () =>
      spec
        .given([])
        .when(draft([{ ...line(0), quantity: 0 }]))
        .thenThrows('INVALID_QUOTE_LINE'));
    it('refuses a quote that already exists', () =>
      spec.given([drafted()]).when(draft()).thenThrows('QUOTE_ALREADY_EXISTS'));
  });

  describe('approving discounts', () => {
    it('lets a manager approve the discount', () =>
      spec.given([needingApproval]).when(approve()).then([approved]));
    it('refuses anyone who is not a manager', () => {
      spec
        .given([needingApproval])
        .when(approve(['sales_rep']))
        .thenThrows('MANAGER_ROLE_REQUIRED');
      try {
        quoteDecider.decide(approve([]), fold(quoteDecider, [needingApproval]));
      } catch (error) {
        expect(error).toBeInstanceOf(DomainError);
        expect((error as DomainError).kind).toBe('forbidden');
        return;
      }
      throw new Error('expected a forbidden error');
    });
    it('has nothing to approve when no approval is needed', () =>
      spec.given([drafted()]).when(approve()).thenNothingHappens());
    it('has nothing to approve twice', () =>
      spec.given([needingApproval, approved]).when(approve()).thenNothingHappens());
    it('cannot approve a quote already sent', () =>
      spec.given([drafted(), sent()]).when(approve()).thenThrows('QUOTE_ALREADY_SENT'));
    it('refuses an unknown quote', () => spec.given([]).when(approve()).thenThrows('QUOTE_NOT_FOUND'));
  });

  describe('revising', () => {
    it('revises a draft, recomputing totals and whether approval is needed', () =>
      spec
        .given([drafted()])
        .when(revise(big))
        .then([revised(big, totals20, true)]));
    it('drops the need for approval when the discount falls to the threshold', () =>
      spec
        .given([needingApproval])
        .when(revise(small))
        .then([revised(small, totals10, false)]));
    it('voids an approval when the new discount is higher than the approved one', () =>
      spec
        .given([needingApproval, approved])
        .when(revise(bigger))
        .then([revised(bigger, totals25, true)]));
    it('keeps an approval that still covers the new discount', () =>
      spec
        .given([
          drafted(bigger, totals25, true),
          { ...approved, data: { ...approved.data, maxDiscountPercent: 25 } } as QuoteEvent,
        ])
        .when(revise(big))
        .then([revised(big, totals20, false)]));
    it('a voided approval stays void for later revisions', () => {
      const state = fold(quoteDecider, [needingApproval, approved, revised(bigger, totals25, true)]);
      expect(state).toMatchObject({ approvalRequired: true, approved: false });
      expect(quoteDecider.decide(revise(big), state)).toEqual([revised(big, totals20, true)]);
    });
    it('needs at least one line', () =>
      spec.given([drafted()]).when(revise([])).thenThrows('QUOTE_NEEDS_LINES'));
    it('cannot revise a quote already sent', () =>
      spec.given([drafted(), sent()]).when(revise(small)).thenThrows('QUOTE_ALREADY_SENT'));
    it('refuses an unknown quote', () => spec.given([]).when(revise(small)).thenThrows('QUOTE_NOT_FOUND'));
  });

  describe('sending', () => {
    it('sends a draft without discount issues', () => spec.given([drafted()]).when(send).then([sent()]));
    it('refuses to send an unapproved discount above the threshold', () =>
      spec.given([needingApproval]).when(send).thenThrows('DISCOUNT_NEEDS_APPROVAL'));
    it('sends once the discount is approved', () =>
      spec
        .given([needingApproval, approved])
        .when(send)
        .then([sent(47.98)]));
    it('refuses to send after a revision raised the discount past the approval', () =>
      spec
        .given([needingApproval, approved, revised(bigger, totals25, true)])
        .when(send)
        .thenThrows('DISCOUNT_NEEDS_APPROVAL'));
    it('does nothing when already sent', () =>
      spec.given([drafted(), sent()]).when(send).thenNothingHappens());
    it('refuses to send a rejected quote', () =>
      spec.given([drafted(), sent(), rejected]).when(send).thenThrows('QUOTE_REJECTED'));
    it('refuses an unknown quote', () => spec.given([]).when(send).thenThrows('QUOTE_NOT_FOUND'));
  });

  describe('accepting and rejecting', () => {
    it('accepts a sent quote', () => spec.given([drafted(), sent()]).when(accept).then([accepted]));
    it('cannot accept a quote that was not sent', () =>
      spec.given([drafted()]).when(accept).thenThrows('QUOTE_NOT_SENT'));
    it('does nothing when already accepted', () =>
      spec.given([drafted(), sent(), accepted]).when(accept).thenNothingHappens());
    it('cannot accept a rejected quote', () =>
      spec.given([drafted(), sent(), rejected]).when(accept).thenThrows('QUOTE_REJECTED'));
    it('rejects a sent quote with a reason', () =>
      spec.given([drafted(), sent()]).when(reject).then([rejected]));
    it('rejects without a reason', () =>
      spec
        .given([drafted(), sent()])
        .when({ type: 'RejectQuote', data: { at } })
        .then([{ type: 'QuoteRejected', data: { ...ids, rejectedAt: at } }]));
    it('cannot reject a quote that was not sent', () =>
      spec.given([drafted()]).when(reject).thenThrows('QUOTE_NOT_SENT'));
    it('does nothing when already rejected', () =>
      spec.given([drafted(), sent(), rejected]).when(reject).thenNothingHappens());
    it('cannot reject an accepted quote', () =>
      spec.given([drafted(), sent(), accepted]).when(reject).thenThrows('QUOTE_ACCEPTED'));
    it('refuses an unknown quote', () => spec.given([]).when(accept).thenThrows('QUOTE_NOT_FOUND'));
  });

  it('keeps the state a win needs', () =>
    expect(
      fold(quoteDecider, [
        needingApproval,
        approved,
        sent(47.98),
        { ...accepted, data: { ...accepted.data, total: 47.98 } } as QuoteEvent,
      ]),
    ).toMatchObject({
      ...ids,
      status: 'accepted',
      currency: 'EUR',
      totals: totals20,
      approvalRequired: false,
      approved: true,
    }));
});
