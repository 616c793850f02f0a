import { evolve, type ActiveCase, type CaseState } from '../case/case.decider';
import type { CaseEvent } from '../case/case.events';
import type { ClockView } from '../case/case.service';
import { clockRows } from './case-clocks';

const caseId = '0b6f1a5e-7c1d-4c1e-9d3a-2f5b8e6a1c00';
const sla = {
  policyId: 'priority-high',
  version: 4,
  firstResponseMinutes: 60,
  nextResponseMinutes: 120,
  resolutionMinutes: 480,
  warningShare: 0.8,
};
const opened: CaseEvent = {
  type: 'CaseOpened',
  data: {
    caseId,
    customerId: caseId,
    knownCustomer: true,
    requester: {},
    channel: 'chat',
    caseType: 'complaint',
    priority: 'high',
    subject: 'Broken',
    queue: 'billing',
    sla,
    openedAt: '2026-06-08T09:00:00.000Z',
  },
};
const reply = (kind: 'agent' | 'customer', at: string): CaseEvent => ({
  type: 'CaseReplied',
  data: {
    caseId,
    replyId: caseId,
    author: { kind, id: kind },
    channel: 'chat',
    visibility: 'public',
    body: '...',
    repliedAt: at,
  },
});
const state = (...events: CaseEvent[]) =>
  events.reduce<CaseState>((s, e) => evolve(s, e), { status: 'none' }) as ActiveCase;

const view = (
  clock: ClockView['clock'],
  state: ClockView['state'],
  dueAt: string | null = null,
): ClockView => ({
  clock,
  targetMinutes: 60,
  elapsedBusinessMinutes: 12.5,
  pausedSpans: 0,
  dueAt,
  state,
});

describe('clock rows of a case', () => {
  it('takes the figures as the case service measured them, the instants from the case, the policy from its SLA', () => {
    const c = state(opened, reply('agent', '2026-06-08T09:12:30.000Z'));
    const measuredAt = new Date('2026-06-08T09:12:30.000Z');
    const rows = clockRows(
      c,
      [view('first_response', 'met'), view('resolution', 'running', '2026-06-08T17:00:00.000Z')],
      2,
      measuredAt,
    );
    expect(rows).toEqual([
      {
        case_id: caseId,
        clock: 'first_response',
        target_minutes: 60,
        elapsed_business_minutes: 12.5,
        paused_spans: 0,
        started_at: new Date('2026-06-08T09:00:00.000Z'),
        stopped_at: new Date('2026-06-08T09:12:30.000Z'),
        due_at: null,
        state: 'met',
        warned: false,
        breached: false,
        policy_id: 'priority-high',
        policy_version: 4,
        measured_at: measuredAt,
        revision: 2,
      },
      expect.objectContaining({
        clock: 'resolution',
        stopped_at: null,
        due_at: new Date('2026-06-08T17:00:00.000Z'),
        state: 'running',
      }),
    ]);
  });

  it('says whether the current run was warned or breached: a next response restarted is neither', () => {
    const breached: CaseEvent = {
      type: 'SlaBreached',
      data: {
        caseId,
        clock: 'next_response',
        targetMinutes: 120,
        dueAt: '2026-06-08T12:00:00.000Z',
        priority: 'high',
        breachedAt: '2026-06-08T12:00:00.000Z',
      },
    };
    const afterBreach = state(
      opened,
      reply('agent', '2026-06-08T09:10:00.000Z'),
      reply('customer', '2026-06-08T10:00:00.000Z'),
      breached,
    );
    const [run] = clockRows(afterBreach, [view('next_response', 'breached')], 3, new Date());
    expect(run).toMatchObject({
      warned: true,
      breached: true,
      started_at: new Date('2026-06-08T10:00:00.000Z'),
    });

    const restarted = state(
      opened,
      reply('agent', '2026-06-08T09:10:00.000Z'),
      reply('customer', '2026-06-08T10:00:00.000Z'),
      breached,
      reply('customer', '2026-06-08T14:00:00.000Z'),
    );
    const [next] = clockRows(restarted, [view('next_response', 'running')], 4, new Date());
    expect(next).toMatchObject({
      warned: false,
      breached: false,
      started_at: new Date('2026-06-08T14:00:00.000Z'),
    });
  });

  it('leaves out a clock the case does not have', () => {
    expect(clockRows(state(opened), [view('next_response', 'running')], 0, new Date())).toEqual([]);
  });
});
