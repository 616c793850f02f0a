import fc from 'fast-check';
import {
  addBusinessTime,
  businessTimeBetween,
  calendarProblems,
  isOpenAt,
  nextOpening,
  type BusinessCalendar,
  type OpeningInterval,
  type Weekday,
} from './business-hours.calendar';

const HOUR = 3_600_000;
const at = (iso: string) => new Date(iso);
const weekdays = (intervals: OpeningInterval[]): BusinessCalendar['weekly'] =>
  Object.fromEntries([1, 2, 3, 4, 5].map((d) => [d, intervals]));
const madrid: BusinessCalendar = {
  timeZone: 'Europe/Madrid',
  weekly: weekdays([
    { start: '09:00', end: '13:00' },
    { start: '14:00', end: '18:00' },
  ]),
  holidays: ['2026-12-25'],
};

describe('business hours', () => {
  it('counts only opening hours: a Friday afternoon to a Monday morning is 4 + 1 hours', () => {
    // Friday 2026-11-27 14:00 to Monday 2026-11-30 10:00, Madrid (UTC+1).
    expect(businessTimeBetween(madrid, at('2026-11-27T13:00:00Z'), at('2026-11-30T09:00:00Z'))).toBe(
      5 * HOUR,
    );
  });

  it('skips holidays: 8 business hours after Christmas Eve 17:00 are on the 28th, not the 25th', () => {
    // Thu 24th 17:00 local: 1 hour that day; the 25th a holiday; Sat/Sun closed; Mon 28th 09-13 and
    // 14-17: 7 more. Due at 17:00 local (16:00 UTC).
    expect(addBusinessTime(madrid, at('2026-12-24T16:00:00Z'), 8 * HOUR)).toEqual(at('2026-12-28T16:00:00Z'));
  });

  it('reads opening hours in the calendar’s time zone', () => {
    const newYork: BusinessCalendar = { ...madrid, timeZone: 'America/New_York' };
    // 09:00 Madrid = 03:00 New York: closed there; New York opens at 14:00 UTC.
    expect(isOpenAt(madrid, at('2026-11-30T08:00:00Z'))).toBe(true);
    expect(isOpenAt(newYork, at('2026-11-30T08:00:00Z'))).toBe(false);
    expect(nextOpening(newYork, at('2026-11-30T08:00:00Z'))).toEqual(at('2026-11-30T14:00:00Z'));
  });

  it('counts the real time of an interval across a DST change', () => {
    // Sunday 2026-03-29 in Madrid: 02:00 jumps to 03:00. Open 01:00-05:00 that day: 3 real hours.
    const sundayNight: BusinessCalendar = {
      timeZone: 'Europe/Madrid',
      weekly: { 7: [{ start: '01:00', end: '05:00' }] },
      holidays: [],
    };
    expect(businessTimeBetween(sundayNight, at('2026-03-28T00:00:00Z'), at('2026-03-30T00:00:00Z'))).toBe(
      3 * HOUR,
    );
    // An ordinary day's 09:00-18:00 still counts 8 hours on the day of the change in autumn.
    expect(businessTimeBetween(madrid, at('2026-10-26T00:00:00Z'), at('2026-10-27T00:00:00Z'))).toBe(
      8 * HOUR,
    );
  });

  it('refuses calendars that cannot be used', () => {
    expect(calendarProblems(madrid)).toEqual([]);
    expect(
      calendarProblems({
        timeZone: 'Mars/Olympus',
        weekly: { 1: [{ start: '18:00', end: '09:00' }] },
        holidays: ['x'],
      }),
    ).toEqual([
      'unknown time zone Mars/Olympus',
      'weekday 1: 18:00-09:00 is not an interval',
      'holiday x is not a date',
    ]);
    expect(calendarProblems({ timeZone: 'UTC', weekly: {}, holidays: [] })).toEqual([
      'the calendar is never open',
    ]);
  });
});

/** Random calendars: zones with and without DST (Lord Howe shifts by 30 minutes), 0-2 intervals a day. */
const ZONES = [
  'UTC',
  'Europe/Madrid',
  'America/New_York',
  'Australia/Lord_Howe',
  'Asia/Kolkata',
  'America/Sao_Paulo',
];
const hhmm = (quarter: number) =>
  `${String(Math.floor(quarter / 4)).padStart(2, '0')}:${String((quarter % 4) * 15).padStart(2, '0')}`;
const dayIntervals = fc
  .uniqueArray(fc.integer({ min: 0, max: 96 }), { minLength: 0, maxLength: 4 })
  .map((points) => {
    const sorted = [...points].sort((a, b) => a - b);
    const intervals: OpeningInterval[] = [];
    for (let i = 0; i + 1 < sorted.length; i += 2)
      intervals.push({ start: hhmm(sorted[i]), end: sorted[i + 1] === 96 ? '24:00' : hhmm(sorted[i + 1]) });
    return intervals;
  });
const calendars = fc
  .record({
    timeZone: fc.constantFrom(...ZONES),
    days: fc.array(dayIntervals, { minLength: 7, maxLength: 7 }),
    holidays: fc.uniqueArray(
      fc.date({ min: at('2026-01-01T00:00:00Z'), max: at('2027-12-31T00:00:00Z'), noInvalidDate: true }),
      { maxLength: 20 },
    ),
  })
  .map(({ timeZone, days, holidays }): BusinessCalendar => ({
    timeZone,
    weekly: Object.fromEntries(days.map((intervals, i) => [(i + 1) as Weekday, intervals])),
    holidays: holidays.map((d) => d.toISOString().slice(0, 10)),
  }))
  .filter((calendar) => calendarProblems(calendar).length === 0);
/** PROPERTY_RUNS=5000 searches harder (not in CI): `npx jest apps/service-desk/src/sla`. */
const runs = (usual: number) => Number(process.env.PROPERTY_RUNS ?? usual);
const instants = fc.date({
  min: at('2026-01-01T00:00:00Z'),
  max: at('2027-06-30T00:00:00Z'),
  noInvalidDate: true,
});

describe('business hours, for any calendar and instants', () => {
  it('round-trips: the business time from t to add(t, d) is d', () => {
    fc.assert(
      fc.property(calendars, instants, fc.integer({ min: 0, max: 120 * HOUR }), (calendar, t, d) => {
        expect(businessTimeBetween(calendar, t, addBusinessTime(calendar, t, d))).toBe(d);
      }),
      { numRuns: runs(150) },
    );
  });

  it('never counts a closed hour: from a closed instant to the next opening is zero', () => {
    fc.assert(
      fc.property(calendars, instants, (calendar, t) => {
        fc.pre(!isOpenAt(calendar, t));
        expect(businessTimeBetween(calendar, t, nextOpening(calendar, t))).toBe(0);
      }),
      { numRuns: runs(150) },
    );
  });

  it('adds up over consecutive spans and never exceeds the elapsed time', () => {
    fc.assert(
      fc.property(calendars, fc.array(instants, { minLength: 3, maxLength: 3 }), (calendar, points) => {
        const [a, b, c] = [...points].sort((x, y) => x.getTime() - y.getTime());
        const ab = businessTimeBetween(calendar, a, b);
        expect(ab + businessTimeBetween(calendar, b, c)).toBe(businessTimeBetween(calendar, a, c));
        expect(ab).toBeLessThanOrEqual(b.getTime() - a.getTime());
      }),
      { numRuns: runs(40) },
    );
  });
});
