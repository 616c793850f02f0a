import { hoursOf } from '../sla/business-time';
import { deciderSpec } from '@crm/decider/testing';
import { caseDecider, nextSlaCheck } from './case.decider';
import type { CaseEvent } from './case.events';
import {
  ALWAYS,
  OFFICE,
  caseId,
  check,
  opened,
  replied,
  reply,
  spec,
  stateAfter,
  status,
  t,
} from './case.fixtures';

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
