import type { OpportunityEvent } from './opportunity.events';

/** Events and ids shared by the opportunity specs. */
export const at = '2026-11-23T10:00:00.000Z';
export const later = '2026-11-25T10:00:00.000Z';
export const opportunityId = 'opp-1';
export const ids = { opportunityId, accountId: 'acc-1', customerId: 'cus-1' };

export const opened: OpportunityEvent = {
  type: 'OpportunityOpened',
  data: {
    ...ids,
    name: 'ERP rollout',
    ownerId: 'rep-1',
    stage: 'prospecting',
    probability: 10,
    forecastCategory: 'pipeline',
    currency: 'EUR',
    fromLeadId: 'lead-1',
    openedAt: at,
  },
};
export const withAmount: OpportunityEvent = {
  ...opened,
  data: { ...opened.data, amount: 12000 },
} as OpportunityEvent;
export const toProposal: OpportunityEvent = {
  type: 'OpportunityStageChanged',
  data: {
    opportunityId,
    from: 'prospecting',
    to: 'proposal',
    probability: 50,
    forecastCategory: 'best_case',
    changedAt: at,
  },
};
export const won: OpportunityEvent = {
  type: 'OpportunityWon',
  data: {
    ...ids,
    ownerId: 'rep-1',
    amount: 12000,
    currency: 'EUR',
    previousStage: 'prospecting',
    openedAt: at,
    wonAt: later,
  },
};
export const lost: OpportunityEvent = {
  type: 'OpportunityLost',
  data: {
    ...ids,
    ownerId: 'rep-1',
    reason: 'price',
    previousStage: 'prospecting',
    openedAt: at,
    lostAt: later,
  },
};
