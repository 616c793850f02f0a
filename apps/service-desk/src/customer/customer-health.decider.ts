import {
  npsCategory,
  type CaseType,
  type CasePriority,
  type CustomerLifecycleStageReachedV1,
  type LifecycleStage,
} from '@crm/contracts';
import type { Decider, DomainEvent } from '@crm/decider';

/**
 * The service context's say on the customer lifecycle (stream `customerHealth-<customerId>`):
 * it owns `retention` and `at_risk`.
 *
 * - retention: an acquired customer (acquisition or expansion reached in the pipeline) rates a
 *   solved case 4 or 5;
 * - at_risk: two complaints opened within 30 days, a breached SLA on an urgent case, or a
 *   detractor's NPS answer (0 to 6).
 *
 * Each stage is published when the customer enters it, not again while they stay in it. The
 * facts it learns (acquired, complaints) are internal events of the stream, not published.
 */
export const COMPLAINT_WINDOW_MS = 30 * 24 * 3_600_000;

export type CustomerHealthEvent =
  | DomainEvent<'CustomerAcquisitionNoted', { customerId: string; notedAt: string }>
  | DomainEvent<'CustomerComplaintNoted', { customerId: string; caseId: string; openedAt: string }>
  | DomainEvent<'CustomerLifecycleStageReached', CustomerLifecycleStageReachedV1>;

export type CustomerHealthCommand =
  | { type: 'NoteAcquisition'; data: { customerId: string; at: string } }
  | { type: 'NoteCaseOpened'; data: { customerId: string; caseId: string; caseType: CaseType; at: string } }
  | { type: 'NoteCaseRated'; data: { customerId: string; caseId: string; score: number; at: string } }
  | { type: 'NoteNpsGiven'; data: { customerId: string; caseId: string; score: number; at: string } }
  | {
      type: 'NoteSlaBreached';
      data: { customerId: string; caseId: string; priority: CasePriority; at: string };
    };

export interface CustomerHealth {
  acquired: boolean;
  /** The last stage this context published for the customer. */
  stage?: LifecycleStage;
  /** The recent complaints: which case, opened when. */
  complaints: { caseId: string; openedAt: string }[];
}

export const customerHealthStreamId = (customerId: string) => `customerHealth-${customerId}`;

function reach(
  state: CustomerHealth,
  customerId: string,
  stage: 'retention' | 'at_risk',
  caseId: string,
  at: string,
): CustomerHealthEvent[] {
  if (state.stage === stage) return [];
  return [
    {
      type: 'CustomerLifecycleStageReached',
      data: {
        customerId,
        stage,
        ...(state.stage ? { previousStage: state.stage } : {}),
        reason: { aggregateType: 'case', aggregateId: caseId },
        reachedAt: at,
      },
    },
  ];
}

export const customerHealthDecider: Decider<CustomerHealthCommand, CustomerHealth, CustomerHealthEvent> = {
  initialState: () => ({ acquired: false, complaints: [] }),
  decide: (command, state) => {
    const { customerId, at } = command.data;
    switch (command.type) {
      case 'NoteAcquisition':
        return state.acquired
          ? []
          : [{ type: 'CustomerAcquisitionNoted', data: { customerId, notedAt: at } }];
      case 'NoteCaseRated':
        return state.acquired && command.data.score >= 4
          ? reach(state, customerId, 'retention', command.data.caseId, at)
          : [];
      case 'NoteNpsGiven':
        return npsCategory(command.data.score) === 'detractor'
          ? reach(state, customerId, 'at_risk', command.data.caseId, at)
          : [];
      case 'NoteSlaBreached':
        return command.data.priority === 'urgent'
          ? reach(state, customerId, 'at_risk', command.data.caseId, at)
          : [];
      case 'NoteCaseOpened': {
        if (command.data.caseType !== 'complaint') return [];
        const { caseId } = command.data;
        if (state.complaints.some((c) => c.caseId === caseId)) return [];
        const noted: CustomerHealthEvent = {
          type: 'CustomerComplaintNoted',
          data: { customerId, caseId, openedAt: at },
        };
        const recent = state.complaints.filter(
          (c) => Date.parse(at) - Date.parse(c.openedAt) < COMPLAINT_WINDOW_MS,
        );
        return recent.length >= 1 ? [noted, ...reach(state, customerId, 'at_risk', caseId, at)] : [noted];
      }
    }
  },
  evolve: (state, event) => {
    switch (event.type) {
      case 'CustomerAcquisitionNoted':
        return { ...state, acquired: true };
      case 'CustomerComplaintNoted':
        return {
          ...state,
          complaints: [
            ...state.complaints,
            { caseId: event.data.caseId, openedAt: event.data.openedAt },
          ].slice(-10),
        };
      case 'CustomerLifecycleStageReached':
        return { ...state, stage: event.data.stage };
    }
  },
};
