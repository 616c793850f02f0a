import { DomainError, conflict, forbidden, notFound, ruleBroken, type Decider } from '@crm/decider';
import type { QuoteLine, QuoteTotals } from '@crm/contracts';
import type { QuoteEvent } from './quote.events';
import { computeTotals } from './quote-totals';

export type QuoteCommand =
  | {
      type: 'DraftQuote';
      data: {
        quoteId: string;
        opportunityId: string;
        customerId: string;
        currency: string;
        lines: QuoteLine[];
        /** Line discounts above this percentage need a manager's approval. */
        discountApprovalThreshold: number;
        at: string;
      };
    }
  | { type: 'ReviseQuote'; data: { lines: QuoteLine[]; discountApprovalThreshold: number; at: string } }
  | { type: 'ApproveQuoteDiscount'; data: { approverId: string; approverRoles: string[]; at: string } }
  | { type: 'SendQuote'; data: { at: string } }
  | { type: 'AcceptQuote'; data: { at: string } }
  | { type: 'RejectQuote'; data: { reason?: string; at: string } };

export type QuoteStatus = 'draft' | 'sent' | 'accepted' | 'rejected';

export interface Quote {
  quoteId: string;
  opportunityId: string;
  customerId: string;
  currency: string;
  lines: QuoteLine[];
  totals: QuoteTotals;
  status: QuoteStatus;
  /** True while the discount still waits for a manager's approval (false once approved). */
  approvalRequired: boolean;
  /** Whether a manager's approval covers the current discount. */
  approved: boolean;
  /** The largest discount the standing approval covers. */
  approvedMaxDiscountPercent?: number;
}

/** `undefined` until the quote is drafted. */
export type QuoteState = Quote | undefined;

export const MANAGER_ROLE = 'sales_manager';

function existing(state: QuoteState): Quote {
  if (!state) throw notFound('QUOTE_NOT_FOUND', 'no quote with this id');
  return state;
}

function draft(state: QuoteState): Quote {
  const quote = existing(state);
  if (quote.status !== 'draft') {
    throw ruleBroken('QUOTE_ALREADY_SENT', `the quote is ${quote.status} and can no longer change`, {
      status: quote.status,
    });
  }
  return quote;
}

function priced(lines: QuoteLine[]): QuoteTotals {
  if (!Array.isArray(lines) || lines.length === 0) {
    throw new DomainError('validation', 'QUOTE_NEEDS_LINES', 'a quote needs at least one line', {
      field: 'lines',
    });
  }
  return computeTotals(lines);
}

const approvalStillCovers = (quote: Quote, maxDiscountPercent: number) =>
  quote.approvedMaxDiscountPercent !== undefined && maxDiscountPercent <= quote.approvedMaxDiscountPercent;

function sent(quote: Quote): Quote {
  if (quote.status === 'draft') throw ruleBroken('QUOTE_NOT_SENT', 'the quote has not been sent yet');
  return quote;
}

function decide(command: QuoteCommand, state: QuoteState): QuoteEvent[] {
  switch (command.type) {
    case 'DraftQuote': {
      if (state) throw conflict('QUOTE_ALREADY_EXISTS', 'a quote with this id already exists');
      const { discountApprovalThreshold, at, ...quote } = command.data;
      const totals = priced(quote.lines);
      return [
        {
          type: 'QuoteDrafted',
          data: {
            ...quote,
            totals,
            approvalRequired: totals.maxDiscountPercent > discountApprovalThreshold,
            draftedAt: at,
          },
        },
      ];
    }
    case 'ReviseQuote': {
      const quote = draft(state);
      const { lines, discountApprovalThreshold, at } = command.data;
      const totals = priced(lines);
      const approvalRequired =
        totals.maxDiscountPercent > discountApprovalThreshold &&
        !approvalStillCovers(quote, totals.maxDiscountPercent);
      return [
        {
          type: 'QuoteRevised',
          data: { quoteId: quote.quoteId, lines, totals, approvalRequired, revisedAt: at },
        },
      ];
    }
    case 'ApproveQuoteDiscount': {
      const quote = existing(state);
      const { approverId, approverRoles, at } = command.data;
      if (!approverRoles.includes(MANAGER_ROLE)) {
        throw forbidden('MANAGER_ROLE_REQUIRED', 'only a manager can approve a quote discount', {
          approverId,
        });
      }
      draft(state);
      if (!quote.approvalRequired) return [];
      return [
        {
          type: 'QuoteDiscountApproved',
          data: {
            quoteId: quote.quoteId,
            approvedBy: approverId,
            maxDiscountPercent: quote.totals.maxDiscountPercent,
            approvedAt: at,
          },
        },
      ];
    }
    case 'SendQuote': {
      const quote = existing(state);
      if (quote.status === 'sent' || quote.status === 'accepted') return [];
      if (quote.status === 'rejected') throw ruleBroken('QUOTE_REJECTED', 'the quote was rejected');
      if (quote.approvalRequired) {
        throw ruleBroken(
          'DISCOUNT_NEEDS_APPROVAL',
          'a manager must approve the discount before the quote is sent',
          {
            maxDiscountPercent: quote.totals.maxDiscountPercent,
          },
        );
      }
      const { quoteId, opportunityId, currency } = quote;
      return [
        {
          type: 'QuoteSent',
          data: { quoteId, opportunityId, total: quote.totals.total, currency, sentAt: command.data.at },
        },
      ];
    }
    case 'AcceptQuote': {
      const quote = sent(existing(state));
      if (quote.status === 'accepted') return [];
      if (quote.status === 'rejected')
        throw ruleBroken('QUOTE_REJECTED', 'a rejected quote cannot be accepted');
      const { quoteId, opportunityId, currency } = quote;
      return [
        {
          type: 'QuoteAccepted',
          data: { quoteId, opportunityId, total: quote.totals.total, currency, acceptedAt: command.data.at },
        },
      ];
    }
    case 'RejectQuote': {
      const quote = sent(existing(state));
      if (quote.status === 'rejected') return [];
      if (quote.status === 'accepted')
        throw ruleBroken('QUOTE_ACCEPTED', 'an accepted quote cannot be rejected');
      const { reason, at } = command.data;
      return [
        {
          type: 'QuoteRejected',
          data: {
            quoteId: quote.quoteId,
            opportunityId: quote.opportunityId,
            ...(reason ? { reason } : {}),
            rejectedAt: at,
          },
        },
      ];
    }
  }
}

function evolve(state: QuoteState, event: QuoteEvent): QuoteState {
  if (event.type === 'QuoteDrafted') {
    const { quoteId, opportunityId, customerId, currency, lines, totals, approvalRequired } = event.data;
    return {
      quoteId,
      opportunityId,
      customerId,
      currency,
      lines,
      totals,
      status: 'draft',
      approvalRequired,
      approved: false,
    };
  }
  if (!state) return state;
  switch (event.type) {
    case 'QuoteRevised': {
      const { lines, totals, approvalRequired } = event.data;
      const keepsApproval = approvalStillCovers(state, totals.maxDiscountPercent);
      const { approvedMaxDiscountPercent, ...rest } = state;
      return {
        ...rest,
        lines,
        totals,
        approvalRequired,
        approved: keepsApproval,
        ...(keepsApproval ? { approvedMaxDiscountPercent } : {}),
      };
    }
    case 'QuoteDiscountApproved':
      return {
        ...state,
        approvalRequired: false,
        approved: true,
        approvedMaxDiscountPercent: event.data.maxDiscountPercent,
      };
    case 'QuoteSent':
      return { ...state, status: 'sent' };
    case 'QuoteAccepted':
      return { ...state, status: 'accepted' };
    case 'QuoteRejected':
      return { ...state, status: 'rejected' };
  }
}

export const quoteDecider: Decider<QuoteCommand, QuoteState, QuoteEvent> = {
  initialState: () => undefined,
  decide,
  evolve,
};
