import { deciderSpec } from '@crm/decider/testing';
import type { BusinessCalendar } from './business-hours.calendar';
import {
  businessTimeOf,
  slaSettingsDecider,
  targetsFor,
  type SlaPolicyTargets,
  type SlaSettingsEvent,
} from './sla-settings.decider';

const spec = deciderSpec(slaSettingsDecider);
const office: BusinessCalendar = {
  timeZone: 'UTC',
  weekly: { 1: [{ start: '09:00', end: '17:00' }], 2: [{ start: '09:00', end: '17:00' }] },
  holidays: ['2026-12-25'],
};
const targets = (first: number): SlaPolicyTargets => ({
  firstResponseMinutes: first,
  nextResponseMinutes: 120,
  resolutionMinutes: 480,
  warningShare: 0.8,
});
const policies = { urgent: targets(30), high: targets(60), normal: targets(240), low: targets(480) };
const T0 = '2026-12-01T08:00:00.000Z';
const T1 = '2026-12-02T08:00:00.000Z';
const calendarV = (version: number, calendar: BusinessCalendar, at: string): SlaSettingsEvent => ({
  type: 'BusinessCalendarPublished',
  data: {
    calendarId: 'default',
    version,
    timeZone: calendar.timeZone,
    weekly: calendar.weekly as Record<string, { start: string; end: string }[]>,
    holidays: calendar.holidays,
    effectiveAt: at,
  },
});
const policyV = (
  priority: 'urgent' | 'high' | 'normal' | 'low',
  version: number,
  first: number,
  at: string,
) =>
  ({
    type: 'SlaPolicyPublished',
    data: { policyId: priority, version, priority, ...targets(first), effectiveAt: at },
  }) as SlaSettingsEvent;
const seeded = [
  calendarV(1, office, T0),
  policyV('low', 1, 480, T0),
  policyV('normal', 1, 240, T0),
  policyV('high', 1, 60, T0),
  policyV('urgent', 1, 30, T0),
];

describe('service levels as versioned events', () => {
  it('publishes the configured calendar and policies as version 1, once', () => {
    spec
      .given([])
      .when({ type: 'SeedSettings', data: { calendar: office, policies, at: T0 } })
      .then(seeded);
    spec
      .given(seeded)
      .when({ type: 'SeedSettings', data: { calendar: office, policies, at: T1 } })
      .then([]);
  });

  it('publishes a changed calendar as the next version from the moment of the change; the same one is no change', () => {
    const weekend = { ...office, weekly: { ...office.weekly, 6: [{ start: '10:00', end: '14:00' }] } };
    spec
      .given(seeded)
      .when({ type: 'PublishCalendar', data: { calendar: weekend, at: T1 } })
      .then([calendarV(2, weekend, T1)]);
    spec
      .given(seeded)
      .when({
        type: 'PublishCalendar',
        data: { calendar: { ...office, holidays: [...office.holidays] }, at: T1 },
      })
      .then([]);
  });

  it('refuses a calendar that cannot be used (CALENDAR_INVALID, with its problems)', () => {
    spec
      .given(seeded)
      .when({
        type: 'PublishCalendar',
        data: { calendar: { timeZone: 'Mars/Olympus', weekly: {}, holidays: [] }, at: T1 },
      })
      .thenThrows('CALENDAR_INVALID');
  });

  it('versions each policy on its own, and a type-specific policy overrides its priority’s', () => {
    spec
      .given(seeded)
      .when({ type: 'PublishPolicy', data: { priority: 'urgent', targets: targets(15), at: T1 } })
      .then([policyV('urgent', 2, 15, T1)]);
    spec
      .given(seeded)
      .when({
        type: 'PublishPolicy',
        data: { priority: 'urgent', caseType: 'complaint', targets: targets(10), at: T1 },
      })
      .then([
        {
          type: 'SlaPolicyPublished',
          data: {
            policyId: 'urgent.complaint',
            version: 1,
            priority: 'urgent',
            caseType: 'complaint',
            ...targets(10),
            effectiveAt: T1,
          },
        },
      ]);
    const state = [
      ...seeded,
      {
        type: 'SlaPolicyPublished',
        data: {
          policyId: 'urgent.complaint',
          version: 1,
          priority: 'urgent',
          caseType: 'complaint',
          ...targets(10),
          effectiveAt: T1,
        },
      } as SlaSettingsEvent,
    ].reduce(slaSettingsDecider.evolve, slaSettingsDecider.initialState());
    expect(targetsFor(state, 'urgent', 'complaint')).toMatchObject({
      policyId: 'urgent.complaint',
      firstResponseMinutes: 10,
    });
    expect(targetsFor(state, 'urgent', 'service_request')).toMatchObject({
      policyId: 'urgent',
      version: 1,
      firstResponseMinutes: 30,
    });
  });

  it('refuses changes before anything is published', () => {
    spec
      .given([])
      .when({ type: 'PublishPolicy', data: { priority: 'low', targets: targets(1), at: T1 } })
      .thenThrows('SLA_SETTINGS_NOT_FOUND');
  });

  it('counts business time in each calendar version from its moment on', () => {
    const allWeek = {
      ...office,
      weekly: Object.fromEntries([1, 2, 3, 4, 5, 6, 7].map((d) => [d, [{ start: '00:00', end: '24:00' }]])),
    };
    const state = [...seeded, calendarV(2, allWeek, '2026-12-05T00:00:00.000Z')].reduce(
      slaSettingsDecider.evolve,
      slaSettingsDecider.initialState(),
    );
    const time = businessTimeOf(state);
    // Monday 2026-11-30 under v1: 8 h; Saturday 2026-12-05 under v2: 24 h.
    expect(time.between(Date.parse('2026-11-30T00:00:00Z'), Date.parse('2026-12-01T00:00:00Z'))).toBe(
      8 * 3_600_000,
    );
    expect(time.between(Date.parse('2026-12-05T00:00:00Z'), Date.parse('2026-12-06T00:00:00Z'))).toBe(
      24 * 3_600_000,
    );
  });
});
