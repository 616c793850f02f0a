import { fold } from '@crm/decider';
import { deciderSpec } from '@crm/decider/testing';
import type { LossReason } from '@crm/contracts';
import { opportunityDecider, type OpportunityCommand, type WinningQuote } from './opportunity.decider';
import type { OpportunityEvent } from './opportunity.events';
import { at, later, opportunityId, opened, withAmount, toProposal, won, lost } from './opportunity.fixtures';

const quote: WinningQuote = {
  quoteId: 'q-1',
  total: 9990.5,
  currency: 'USD',
  status: 'accepted',
  opportunityId,
};
const win = (withQuote?: WinningQuote): OpportunityCommand => ({
  type: 'WinOpportunity',
  data: { ...(withQuote ? { quote: withQuote } : {}), at: later },
});
const lose = (reason: LossReason, notes?: string): OpportunityCommand => ({
  type: 'LoseOpportunity',
  data: { reason, notes, at: later },
});

const spec = deciderSpec(opportunityDecider);

describe('opportunity decider: winning, losing, state', () => {
  describe('winning', () => {
    it('wins with the opportunity amount', () => spec.given([withAmount]).when(win()).then([won]));
    it('wins with the amount as last changed', () =>
      spec
        .given([
          opened,
          toProposal,
          {
            type: 'OpportunityDetailsChanged',
            data: {
              opportunityId,
              changes: { amount: 700, currency: 'GBP', ownerId: 'rep-2' },
              changedAt: at,
            },
          },
        ])
        .when(win())
        .then([
          {
            ...won,
            data: { ...won.data, amount: 700, currency: 'GBP', ownerId: 'rep-2', previousStage: 'proposal' },
          } as OpportunityEvent,
        ]));
    it('wins with an accepted quote, taking its total and currency', () =>
      spec
        .given([withAmount])
        .when(win(quote))
        .then([
          {
            ...won,
            data: { ...won.data, amount: 9990.5, currency: 'USD', quoteId: 'q-1' },
          } as OpportunityEvent,
        ]));
    it('refuses without a quote or an amount', () =>
      spec.given([opened]).when(win()).thenThrows('WIN_NEEDS_QUOTE_OR_AMOUNT'));
    it('refuses with a zero amount', () =>
      spec
        .given([{ ...opened, data: { ...opened.data, amount: 0 } } as OpportunityEvent])
        .when(win())
        .thenThrows('WIN_NEEDS_QUOTE_OR_AMOUNT'));
    it('refuses a quote that is not accepted, even with an amount', () =>
      spec
        .given([withAmount])
        .when(win({ ...quote, status: 'sent' }))
        .thenThrows('QUOTE_NOT_ACCEPTED'));
    it('refuses the quote of another opportunity', () =>
      spec
        .given([withAmount])
        .when(win({ ...quote, opportunityId: 'opp-2' }))
        .thenThrows('QUOTE_OF_ANOTHER_OPPORTUNITY'));
    it('does nothing when already won', () => spec.given([withAmount, won]).when(win()).thenNothingHappens());
    it('refuses to win a lost opportunity', () =>
      spec.given([withAmount, lost]).when(win()).thenThrows('OPPORTUNITY_CLOSED'));
    it('refuses an unknown opportunity', () =>
      spec.given([]).when(win(quote)).thenThrows('OPPORTUNITY_NOT_FOUND'));
  });

  describe('losing', () => {
    it('loses with a reason and notes', () =>
      spec
        .given([opened, toProposal])
        .when(lose('competitor', 'went with Globex'))
        .then([
          {
            ...lost,
            data: {
              ...lost.data,
              reason: 'competitor',
              notes: 'went with Globex',
              previousStage: 'proposal',
            },
          } as OpportunityEvent,
        ]));
    it('needs a reason', () =>
      spec
        .given([opened])
        .when(lose('' as LossReason))
        .thenThrows('LOSS_REASON_REQUIRED'));
    it('needs a reason even when the field is missing', () =>
      spec
        .given([opened])
        .when({ type: 'LoseOpportunity', data: { at } } as OpportunityCommand)
        .thenThrows('LOSS_REASON_REQUIRED'));
    it('refuses a reason that is not a loss reason', () =>
      spec
        .given([opened])
        .when(lose('bad_luck' as LossReason))
        .thenThrows('UNKNOWN_LOSS_REASON'));
    it('does nothing when already lost', () =>
      spec.given([opened, lost]).when(lose('timing')).thenNothingHappens());
    it('refuses to lose a won opportunity', () =>
      spec.given([withAmount, won]).when(lose('price')).thenThrows('OPPORTUNITY_CLOSED'));
    it('refuses an unknown opportunity', () =>
      spec.given([]).when(lose('price')).thenThrows('OPPORTUNITY_NOT_FOUND'));
  });

  describe('state', () => {
    it('keeps the current stage, probability and the history of stages entered', () =>
      expect(fold(opportunityDecider, [opened, toProposal])).toMatchObject({
        stage: 'proposal',
        probability: 50,
        forecastCategory: 'best_case',
        status: 'open',
        stageHistory: [
          { stage: 'prospecting', enteredAt: at },
          { stage: 'proposal', enteredAt: at },
        ],
      }));
    it('closes as won with the won amount', () =>
      expect(
        fold(opportunityDecider, [opened, { ...won, data: { ...won.data, amount: 42 } } as OpportunityEvent]),
      ).toMatchObject({
        status: 'won',
        amount: 42,
        probability: 100,
        forecastCategory: 'closed',
        closedAt: later,
      }));
    it('closes as lost', () =>
      expect(fold(opportunityDecider, [withAmount, lost])).toMatchObject({
        status: 'lost',
        probability: 0,
        forecastCategory: 'omitted',
        closedAt: later,
      }));
  });
});
