import type { ForecastCategory, OpportunityOpenedV1 } from '@crm/contracts';
import type { OpportunityEvent } from './opportunity.events';

export type OpportunityStatus = 'open' | 'won' | 'lost';

export interface StageHistoryEntry {
  stage: string;
  enteredAt: string;
}

export interface Opportunity {
  opened: OpportunityOpenedV1;
  /** The current open stage; once closed, the last open stage (the outcome is in `status`). */
  stage: string;
  probability: number;
  forecastCategory: ForecastCategory;
  status: OpportunityStatus;
  name: string;
  amount?: number;
  currency: string;
  expectedCloseDate?: string;
  ownerId: string;
  /** Every open stage entered, in order; time in stage is derived with `timeInStages`. */
  stageHistory: StageHistoryEntry[];
  closedAt?: string;
}

/** `undefined` until the opportunity is opened. */
export type OpportunityState = Opportunity | undefined;

/**
 * Milliseconds spent in each stage (summed when a stage is re-entered); the last entry runs until
 * `now`. For a closed opportunity pass its `closedAt` as `now`.
 */
export function timeInStages(
  history: readonly StageHistoryEntry[],
  now: string | Date,
): Record<string, number> {
  const end = typeof now === 'string' ? Date.parse(now) : now.getTime();
  const result: Record<string, number> = {};
  history.forEach((entry, i) => {
    const until = i + 1 < history.length ? Date.parse(history[i + 1].enteredAt) : end;
    result[entry.stage] = (result[entry.stage] ?? 0) + Math.max(0, until - Date.parse(entry.enteredAt));
  });
  return result;
}

/** Folds one event into the opportunity (pure; the pipeline configuration is not needed). */
export function evolveOpportunity(state: OpportunityState, event: OpportunityEvent): OpportunityState {
  if (event.type === 'OpportunityOpened') {
    const {
      stage,
      probability,
      forecastCategory,
      name,
      amount,
      currency,
      expectedCloseDate,
      ownerId,
      openedAt,
    } = event.data;
    return {
      opened: event.data,
      stage,
      probability,
      forecastCategory,
      status: 'open',
      name,
      ...(amount !== undefined ? { amount } : {}),
      currency,
      ...(expectedCloseDate !== undefined ? { expectedCloseDate } : {}),
      ownerId,
      stageHistory: [{ stage, enteredAt: openedAt }],
    };
  }
  if (!state) return state;
  switch (event.type) {
    case 'OpportunityStageChanged': {
      const { to, probability, forecastCategory, changedAt } = event.data;
      return {
        ...state,
        stage: to,
        probability,
        forecastCategory,
        stageHistory: [...state.stageHistory, { stage: to, enteredAt: changedAt }],
      };
    }
    case 'OpportunityDetailsChanged':
      return { ...state, ...event.data.changes };
    case 'OpportunityWon': {
      const { amount, currency, wonAt } = event.data;
      return {
        ...state,
        status: 'won',
        amount,
        currency,
        probability: 100,
        forecastCategory: 'closed',
        closedAt: wonAt,
      };
    }
    case 'OpportunityLost':
      return {
        ...state,
        status: 'lost',
        probability: 0,
        forecastCategory: 'omitted',
        closedAt: event.data.lostAt,
      };
  }
}
