import type { SlaTargets } from '@crm/contracts';
import { deciderSpec } from '@crm/decider/testing';
import type { BusinessCalendar } from '../sla/business-hours.calendar';
import { hoursOf } from '../sla/business-time';
import { caseDecider, nextSlaCheck, type CaseCommand, type CaseState } from './case.decider';
import type { CaseEvent } from './case.events';

/** Always open (UTC): business time is wall time, so the clocks read plainly. */
const ALWAYS: BusinessCalendar = {
  timeZone: 'UTC',
  weekly: Object.fromEntries([1, 2, 3, 4, 5, 6, 7].map((d) => [d, [{ start: '00:00', end: '24:00' }]])),
  holidays: [],
};
/** Weekdays 09:00-17:00 in Madrid. */
const OFFICE: BusinessCalendar = {
  timeZone: 'Europe/Madrid',
  weekly: Object.fromEntries([1, 2, 3, 4, 5].map((d) => [d, [{ start: '09:00', end: '17:00' }]])),
  holidays: [],
};
const spec = deciderSpec(caseDecider(hoursOf(ALWAYS)));
const caseId = '9d2b6f1e-4c3a-4e5b-8a7d-0c1e2f3a4b5c';
const customerId = '1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d';
const sla: SlaTargets = {
  policyId: 'standard',
  version: 3,
  firstResponseMinutes: 60,
  nextResponseMinutes: 120,
  resolutionMinutes: 480,
  warningShare: 0.75,
  escalateToQueue: 'tier-2',
};
const t = (hhmm: string, day = '2026-12-01') => `${day}T${hhmm}:00.000Z`;
const opened = (at = t('09:00'), s = sla): CaseEvent => ({
  type: 'CaseOpened',
  data: {
    caseId,
    customerId,
    knownCustomer: true,
    requester: { email: 'ana@example.com' },
    channel: 'email',
    caseType: 'complaint',
    priority: 'high',
    subject: 'Late delivery',
    queue: 'complaints',
    sla: s,
    openedAt: at,
  },
});
const reply = (
  kind: 'agent' | 'customer',
  at: string,
  visibility: 'public' | 'internal' = 'public',
): CaseCommand => ({
  type: 'ReplyToCase',
  data: {
    replyId: `${kind}-${at}`,
    author: { kind, id: kind === 'agent' ? 'agent-1' : customerId },
    channel: 'email',
    visibility,
    body: 'text',
    at,
    reopenWindowMs: 7 * 24 * 3_600_000,
  },
});
const replied = (
  kind: 'agent' | 'customer',
  at: string,
  visibility: 'public' | 'internal' = 'public',
): CaseEvent => ({
  type: 'CaseReplied',
  data: {
    caseId,
    replyId: `${kind}-${at}`,
    author: { kind, id: kind === 'agent' ? 'agent-1' : customerId },
    channel: 'email',
    visibility,
    body: 'text',
    repliedAt: at,
  },
});
const status = (from: string, to: string, at: string) =>
  ({ type: 'CaseStatusChanged', data: { caseId, from, to, changedAt: at } }) as CaseEvent;
const check = (at: string): CaseCommand => ({ type: 'CheckSla', data: { at } });
const stateAfter = (events: CaseEvent[], decider = caseDecider(hoursOf(ALWAYS))): CaseState =>
  events.reduce(decider.evolve, decider.initialState());

describe('case status', () => {
  it('opens a new case; the first public agent reply opens it', () => {
    spec
      .given([opened()])
      .when(reply('agent', t('09:10')))
      .then([status('new', 'open', t('09:10')), replied('agent', t('09:10'))]);
  });

  it('keeps a new case new on an internal note', () => {
    spec
      .given([opened()])
      .when(reply('agent', t('09:10'), 'internal'))
      .then([replied('agent', t('09:10'), 'internal')]);
  });

  it('reopens a solved case on a customer reply within the window, refuses it after, and a closed case always', () => {
    const solved = [opened(), status('new', 'solved', t('10:00'))];
    spec
      .given(solved)
      .when(reply('customer', t('10:00', '2026-12-05')))
      .then([
        status('solved', 'open', t('10:00', '2026-12-05')),
        replied('customer', t('10:00', '2026-12-05')),
      ]);
    spec
      .given(solved)
      .when(reply('customer', t('10:01', '2026-12-08')))
      .thenThrows('FOLLOW_UP_CASE_REQUIRED');
    spec
      .given([...solved, status('solved', 'closed', t('11:00'))])
      .when(reply('customer', t('12:00')))
      .thenThrows('FOLLOW_UP_CASE_REQUIRED');
  });

  it('takes a pending case back to open when the customer answers', () => {
    spec
      .given([opened(), status('new', 'pending', t('09:30'))])
      .when(reply('customer', t('11:00')))
      .then([status('pending', 'open', t('11:00')), replied('customer', t('11:00'))]);
  });

  it('closes only solved cases and refuses customers’ internal notes', () => {
    spec
      .given([opened()])
      .when({ type: 'CloseCase', data: { at: t('10:00') } })
      .thenThrows('CASE_NOT_SOLVED');
    spec
      .given([opened()])
      .when(reply('customer', t('10:00'), 'internal'))
      .thenThrows('INTERNAL_NOTE_BY_CUSTOMER');
    spec
      .given([])
      .when(reply('agent', t('10:00')))
      .thenThrows('CASE_NOT_FOUND');
  });
});

describe('SLA clocks', () => {
  it('warns at 75 % of the first-response target and breaches at 100 %, with nobody touching the case', () => {
    spec
      .given([opened()])
      .when(check(t('09:44')))
      .thenNothingHappens();
    spec
      .given([opened()])
      .when(check(t('09:45')))
      .then([
        {
          type: 'SlaWarningReached',
          data: {
            caseId,
            clock: 'first_response',
            targetMinutes: 60,
            dueAt: t('10:00'),
            reachedAt: t('09:45'),
          },
        },
      ]);
    const warned = {
      type: 'SlaWarningReached',
      data: { caseId, clock: 'first_response', targetMinutes: 60, dueAt: t('10:00'), reachedAt: t('09:45') },
    } as CaseEvent;
    spec
      .given([opened(), warned])
      .when(check(t('10:00')))
      .then([
        {
          type: 'SlaBreached',
          data: {
            caseId,
            clock: 'first_response',
            targetMinutes: 60,
            dueAt: t('10:00'),
            priority: 'high',
            breachedAt: t('10:00'),
          },
        },
        {
          type: 'CaseEscalated',
          data: {
            caseId,
            fromQueue: 'complaints',
            toQueue: 'tier-2',
            priority: 'urgent',
            reason: 'sla_breached',
            escalatedAt: t('10:00'),
          },
        },
      ]);
  });

  it('breaches once: a second check decides nothing', () => {
    const decider = caseDecider(hoursOf(ALWAYS));
    const breached = decider.decide(check(t('10:00')), stateAfter([opened()]));
    spec
      .given([opened(), ...breached])
      .when(check(t('10:05')))
      .thenNothingHappens();
  });

  it('stops the first-response clock at the first public agent reply; the next customer reply starts next-response', () => {
    const events = [
      opened(),
      status('new', 'open', t('09:20')),
      replied('agent', t('09:20')),
      replied('customer', t('10:00')),
    ];
    const state = stateAfter(events);
    // Next response due 2 h after the customer's reply; resolution (8 h) later.
    expect(new Date(nextSlaCheck(hoursOf(ALWAYS), state)!).toISOString()).toBe(t('11:30'));
    spec
      .given(events)
      .when(check(t('12:00')))
      .thenMatches((decided) =>
        expect(decided.map((e) => `${e.type}:${'clock' in e.data ? e.data.clock : ''}`)).toEqual([
          'SlaBreached:next_response',
          'CaseEscalated:',
        ]),
      );
  });

  it('pauses the resolution clock while pending or on hold and resumes it when open again', () => {
    const events = [
      opened(),
      status('new', 'open', t('09:10')),
      replied('agent', t('09:10')),
      status('open', 'pending', t('10:00')),
      status('pending', 'open', t('14:00')),
    ];
    // 60 minutes before the pause, 4 hours paused: 480 minutes are reached at 21:00, not 17:00
    // (the warning, at 360, at 19:00).
    const resolution = (stateAfter(events) as { clocks: { resolution: unknown } }).clocks.resolution;
    expect(resolution).toMatchObject({ pauses: [[Date.parse(t('10:00')), Date.parse(t('14:00'))]] });
    spec
      .given(events)
      .when(check(t('18:59')))
      .thenNothingHappens();
    spec
      .given(events)
      .when(check(t('20:59')))
      .thenMatches((decided) => expect(decided.map((e) => e.type)).toEqual(['SlaWarningReached']));
    spec
      .given(events)
      .when(check(t('21:00')))
      .thenMatches((decided) => expect(decided.map((e) => e.type)).toEqual(['SlaBreached', 'CaseEscalated']));
  });

  it('counts in business hours: a case opened on Friday afternoon is due on Monday', () => {
    const office = deciderSpec(caseDecider(hoursOf(OFFICE)));
    // Friday 2026-12-04 16:30 Madrid (15:30 UTC): 30 minutes that day, 30 more on Monday from 09:00;
    // the warning (45 minutes) at Monday 09:15.
    const friday = opened('2026-12-04T15:30:00.000Z');
    expect(
      new Date(
        nextSlaCheck(hoursOf(OFFICE), stateAfter([friday], caseDecider(hoursOf(OFFICE))))!,
      ).toISOString(),
    ).toBe('2026-12-07T08:15:00.000Z');
    office.given([friday]).when(check('2026-12-05T12:00:00.000Z')).thenNothingHappens();
    office
      .given([friday])
      .when(check('2026-12-07T08:15:00.000Z'))
      .thenMatches((decided) => expect(decided.map((e) => e.type)).toEqual(['SlaWarningReached']));
    office
      .given([friday])
      .when(check('2026-12-07T08:30:00.000Z'))
      .thenMatches((decided) => {
        expect(decided[0]).toMatchObject({
          type: 'SlaBreached',
          data: { dueAt: '2026-12-07T08:30:00.000Z' },
        });
      });
  });

  it('records a breach the response came too late for, without a warning after the fact', () => {
    const late = [opened(), status('new', 'open', t('10:30')), replied('agent', t('10:30'))];
    spec
      .given(late)
      .when(check(t('10:31')))
      .thenMatches((decided) =>
        expect(
          decided.filter((e) => 'clock' in e.data && e.data.clock === 'first_response').map((e) => e.type),
        ).toEqual(['SlaBreached']),
      );
  });
});

describe('satisfaction and escalation', () => {
  const solved = [opened(), status('new', 'solved', t('10:00'))];
  it('takes one rating of a solved case, 1 to 5, and refuses one before it is solved', () => {
    spec
      .given(solved)
      .when({ type: 'RateCase', data: { score: 5, at: t('11:00') } })
      .then([{ type: 'CaseRated', data: { caseId, customerId, score: 5, ratedAt: t('11:00') } }]);
    spec
      .given([...solved, { type: 'CaseRated', data: { caseId, customerId, score: 5, ratedAt: t('11:00') } }])
      .when({ type: 'RateCase', data: { score: 1, at: t('12:00') } })
      .thenThrows('CASE_ALREADY_RATED');
    spec
      .given([opened()])
      .when({ type: 'RateCase', data: { score: 4, at: t('11:00') } })
      .thenThrows('CASE_NOT_SOLVED');
  });

  it('records the NPS answer given with the rating: 9-10 promoter, 7-8 passive, 0-6 detractor', () => {
    const npsOf = (recommend: number) =>
      spec
        .given(solved)
        .when({ type: 'RateCase', data: { score: 4, recommend, at: t('11:00') } })
        .then([
          { type: 'CaseRated', data: { caseId, customerId, score: 4, ratedAt: t('11:00') } },
          {
            type: 'NetPromoterScoreGiven',
            data: {
              caseId,
              customerId,
              score: recommend,
              category: expected[recommend],
              givenAt: t('11:00'),
            },
          },
        ]);
    const expected: Record<number, 'promoter' | 'passive' | 'detractor'> = {
      10: 'promoter',
      9: 'promoter',
      8: 'passive',
      7: 'passive',
      6: 'detractor',
      0: 'detractor',
    };
    for (const score of Object.keys(expected)) npsOf(Number(score));
  });

  it('assigns an agent once; an escalated case can go to the same agent again in its new queue', () => {
    const assigned = (at: string): CaseEvent => ({
      type: 'CaseAssigned',
      data: { caseId, agentId: 'ana', method: 'round_robin', assignedAt: at },
    });
    const escalated: CaseEvent = {
      type: 'CaseEscalated',
      data: {
        caseId,
        fromQueue: 'complaints',
        toQueue: 'tier-2',
        priority: 'urgent',
        reason: 'manual',
        escalatedAt: t('09:20'),
      },
    };
    const assign = {
      type: 'AssignCase' as const,
      data: { agentId: 'ana', method: 'round_robin' as const, at: t('09:30') },
    };
    spec
      .given([opened()])
      .when(assign)
      .then([assigned(t('09:30'))]);
    spec
      .given([opened(), assigned(t('09:10'))])
      .when(assign)
      .then([]);
    spec
      .given([opened(), assigned(t('09:10')), escalated])
      .when(assign)
      .then([assigned(t('09:30'))]);
    spec
      .given([opened(), status('new', 'solved', t('09:05')), status('solved', 'closed', t('09:06'))])
      .when(assign)
      .thenThrows('CASE_CLOSED');
  });

  it('links a knowledge article once per version', () => {
    const linked: CaseEvent = {
      type: 'CaseArticleLinked',
      data: { caseId, articleId: customerId, articleVersion: 2, linkedAt: t('09:10') },
    };
    spec
      .given([opened()])
      .when({ type: 'LinkArticle', data: { articleId: customerId, articleVersion: 2, at: t('09:10') } })
      .then([linked]);
    spec
      .given([opened(), linked])
      .when({ type: 'LinkArticle', data: { articleId: customerId, articleVersion: 2, at: t('09:20') } })
      .then([]);
  });

  it('escalates by hand to a higher tier queue and raises the priority', () => {
    spec
      .given([opened()])
      .when({ type: 'EscalateCase', data: { toQueue: 'tier-2', at: t('09:30') } })
      .then([
        {
          type: 'CaseEscalated',
          data: {
            caseId,
            fromQueue: 'complaints',
            toQueue: 'tier-2',
            priority: 'urgent',
            reason: 'manual',
            escalatedAt: t('09:30'),
          },
        },
      ]);
  });

  it('stops every clock when solved', () => {
    expect(nextSlaCheck(hoursOf(ALWAYS), stateAfter(solved))).toBeUndefined();
  });
});
