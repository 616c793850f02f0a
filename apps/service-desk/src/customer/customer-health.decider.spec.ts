import { deciderSpec } from '@crm/decider/testing';
import { customerHealthDecider, type CustomerHealthEvent } from './customer-health.decider';

const spec = deciderSpec(customerHealthDecider);
const customerId = '2b3c4d5e-6f7a-4b8c-9d0e-1f2a3b4c5d6e';
const acquired: CustomerHealthEvent = {
  type: 'CustomerAcquisitionNoted',
  data: { customerId, notedAt: '2026-11-01T10:00:00.000Z' },
};
const rated = (score: number) => ({
  type: 'NoteCaseRated' as const,
  data: { customerId, caseId: 'case-1', score, at: '2026-11-20T10:00:00.000Z' },
});
const stage = (
  s: 'retention' | 'at_risk',
  caseId: string,
  at: string,
  previousStage?: string,
): CustomerHealthEvent =>
  ({
    type: 'CustomerLifecycleStageReached',
    data: {
      customerId,
      stage: s,
      ...(previousStage ? { previousStage } : {}),
      reason: { aggregateType: 'case', aggregateId: caseId },
      reachedAt: at,
    },
  }) as CustomerHealthEvent;
const complaint = (caseId: string, at: string) => ({
  type: 'NoteCaseOpened' as const,
  data: { customerId, caseId, caseType: 'complaint' as const, at },
});
const complained = (caseId: string, at: string): CustomerHealthEvent => ({
  type: 'CustomerComplaintNoted',
  data: { customerId, caseId, openedAt: at },
});

describe('the customer lifecycle as the service desk decides it', () => {
  it('reaches retention when an acquired customer rates a solved case 4 or 5', () => {
    spec
      .given([acquired])
      .when(rated(5))
      .then([stage('retention', 'case-1', '2026-11-20T10:00:00.000Z')]);
    spec
      .given([acquired])
      .when(rated(4))
      .then([stage('retention', 'case-1', '2026-11-20T10:00:00.000Z')]);
  });

  it('does not for a low rating, a customer not acquired, or one already retained', () => {
    spec.given([acquired]).when(rated(3)).thenNothingHappens();
    spec.given([]).when(rated(5)).thenNothingHappens();
    spec
      .given([acquired, stage('retention', 'case-0', '2026-11-10T10:00:00.000Z')])
      .when(rated(5))
      .thenNothingHappens();
  });

  it('puts a customer at risk on a second complaint within 30 days, not on one 30 days later', () => {
    const first = complained('case-1', '2026-11-01T10:00:00.000Z');
    spec
      .given([first])
      .when(complaint('case-2', '2026-11-20T10:00:00.000Z'))
      .then([
        complained('case-2', '2026-11-20T10:00:00.000Z'),
        stage('at_risk', 'case-2', '2026-11-20T10:00:00.000Z'),
      ]);
    spec
      .given([first])
      .when(complaint('case-2', '2026-12-01T10:00:00.000Z'))
      .then([complained('case-2', '2026-12-01T10:00:00.000Z')]);
  });

  it('puts a customer at risk on a breached SLA of an urgent case only, then back to retention on a good rating', () => {
    const breach = (priority: 'urgent' | 'high') => ({
      type: 'NoteSlaBreached' as const,
      data: { customerId, caseId: 'case-3', priority, at: '2026-11-21T10:00:00.000Z' },
    });
    spec.given([acquired]).when(breach('high')).thenNothingHappens();
    spec
      .given([acquired])
      .when(breach('urgent'))
      .then([stage('at_risk', 'case-3', '2026-11-21T10:00:00.000Z')]);
    spec
      .given([acquired, stage('at_risk', 'case-3', '2026-11-21T10:00:00.000Z')])
      .when(rated(5))
      .then([stage('retention', 'case-1', '2026-11-20T10:00:00.000Z', 'at_risk')]);
  });

  it('puts a customer at risk on a detractor NPS (0-6), not on a passive or promoter one', () => {
    const at = '2026-11-21T10:00:00.000Z';
    const nps = (score: number) => ({
      type: 'NoteNpsGiven' as const,
      data: { customerId, caseId: 'case-9', score, at },
    });
    spec
      .given([acquired])
      .when(nps(6))
      .then([stage('at_risk', 'case-9', at)]);
    spec
      .given([acquired])
      .when(nps(0))
      .then([stage('at_risk', 'case-9', at)]);
    spec.given([acquired]).when(nps(7)).then([]);
    spec.given([acquired]).when(nps(10)).then([]);
    spec
      .given([acquired, stage('at_risk', 'case-1', at)])
      .when(nps(3))
      .then([]);
  });

  it('notes a complaint case once, however often it is delivered', () => {
    spec
      .given([complained('case-1', '2026-11-01T10:00:00.000Z')])
      .when(complaint('case-1', '2026-11-01T10:00:00.000Z'))
      .thenNothingHappens();
  });

  it('notes an acquisition once', () => {
    spec
      .given([acquired])
      .when({ type: 'NoteAcquisition', data: { customerId, at: '2026-11-30T10:00:00.000Z' } })
      .thenNothingHappens();
  });
});
