import fc from 'fast-check';
import type { BusinessCalendar, Weekday } from './business-hours.calendar';
import { calendarTimeline, hoursOf } from './business-time';

const HOUR = 3_600_000;
const t = (iso: string) => Date.parse(iso);
const daily = (days: number[], start: string, end: string): BusinessCalendar => ({
  timeZone: 'UTC',
  weekly: Object.fromEntries(days.map((d) => [d as Weekday, [{ start, end }]])),
  holidays: [],
});
/** Weekdays 09-17, then (from Wednesday 2026-12-02 12:00 UTC) every day 08-20. */
const nineToFive = daily([1, 2, 3, 4, 5], '09:00', '17:00');
const extended = daily([1, 2, 3, 4, 5, 6, 7], '08:00', '20:00');
const changeAt = t('2026-12-02T12:00:00Z');
const timeline = calendarTimeline([
  { version: 1, effectiveAt: t('2026-01-01T00:00:00Z'), calendar: nineToFive },
  { version: 2, effectiveAt: changeAt, calendar: extended },
]);

describe('business time across calendar versions', () => {
  it('counts each span in the calendar in force: before the change 9-17, after it 8-20', () => {
    // Wed 09:00-12:00 under v1 (3 h), 12:00-20:00 under v2 (8 h).
    expect(timeline.between(t('2026-12-02T00:00:00Z'), t('2026-12-03T00:00:00Z'))).toBe(11 * HOUR);
    // Saturday counts under v2 only.
    expect(timeline.between(t('2026-12-05T00:00:00Z'), t('2026-12-06T00:00:00Z'))).toBe(12 * HOUR);
    expect(hoursOf(nineToFive).between(t('2026-12-05T00:00:00Z'), t('2026-12-06T00:00:00Z'))).toBe(0);
  });

  it('adds across the change: 5 business hours from Wednesday 10:00 end at 15:00 (2 old, 3 new)', () => {
    // 10:00-12:00 under v1 = 2 h; then 3 h more under v2 from 12:00 = 15:00.
    expect(timeline.add(t('2026-12-02T10:00:00Z'), 5 * HOUR)).toBe(t('2026-12-02T15:00:00Z'));
  });

  it('counts instants before the first version in the first calendar', () => {
    expect(timeline.between(t('2025-06-02T00:00:00Z'), t('2025-06-03T00:00:00Z'))).toBe(8 * HOUR);
  });
});

const zones = ['UTC', 'Europe/Madrid', 'America/New_York', 'Asia/Kolkata'];
const calendars = fc
  .record({
    timeZone: fc.constantFrom(...zones),
    start: fc.integer({ min: 0, max: 20 }),
    length: fc.integer({ min: 1, max: 4 }),
    days: fc.uniqueArray(fc.integer({ min: 1, max: 7 }), { minLength: 1, maxLength: 7 }),
  })
  .map(({ timeZone, start, length, days }) => ({
    ...daily(days, `${String(start).padStart(2, '0')}:00`, `${String(start + length).padStart(2, '0')}:00`),
    timeZone,
  }));
const instants = fc.integer({ min: t('2026-01-01T00:00:00Z'), max: t('2026-12-31T00:00:00Z') });
const timelines = fc
  .array(fc.record({ calendar: calendars, effectiveAt: instants }), { minLength: 1, maxLength: 4 })
  .map((versions) => calendarTimeline(versions.map((v, i) => ({ ...v, version: i + 1 }))));

describe('business time across calendar versions, for any versions and instants', () => {
  it('round-trips: the business time from t to add(t, d) is d', () => {
    fc.assert(
      fc.property(timelines, instants, fc.integer({ min: 0, max: 200 * HOUR }), (time, from, d) => {
        expect(time.between(from, time.add(from, d))).toBe(d);
      }),
      { numRuns: Number(process.env.PROPERTY_RUNS ?? 100) },
    );
  });

  it('adds up over consecutive spans and never exceeds the elapsed time', () => {
    fc.assert(
      fc.property(timelines, fc.array(instants, { minLength: 3, maxLength: 3 }), (time, points) => {
        const [a, b, c] = [...points].sort((x, y) => x - y);
        expect(time.between(a, b) + time.between(b, c)).toBe(time.between(a, c));
        expect(time.between(a, b)).toBeLessThanOrEqual(b - a);
      }),
      { numRuns: Number(process.env.PROPERTY_RUNS ?? 40) },
    );
  });
});
