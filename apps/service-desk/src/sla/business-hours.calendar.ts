import { DateTime } from 'luxon';

/**
 * Business time: what SLA clocks count. A calendar has a time zone (IANA), opening hours per
 * weekday in that zone's wall-clock time, and holidays (whole local dates). Pure functions over
 * instants; the time zone rules (DST included) come from the platform's ICU data through luxon.
 *
 * On a day the clocks change, an opening interval counts the real time that passes in it: a
 * 09:00-17:00 day that springs forward at 02:00 still counts 8 hours, one whose interval crosses
 * the change counts an hour less (or more). A wall-clock time that does not exist that day starts
 * at the first one after it.
 */

/** ISO weekday: 1 = Monday ... 7 = Sunday. */
export type Weekday = 1 | 2 | 3 | 4 | 5 | 6 | 7;

/** `HH:MM` to `HH:MM`, end after start; `24:00` ends at midnight. */
export interface OpeningInterval {
  start: string;
  end: string;
}

export interface BusinessCalendar {
  timeZone: string;
  weekly: Partial<Record<Weekday, OpeningInterval[]>>;
  /** Local dates (`YYYY-MM-DD`) on which nothing is open. */
  holidays: string[];
}

const MINUTE = 60_000;
/**
 * Longest search for open time, a guard against a loop without end: a valid calendar is open some
 * time every week, so even one open 15 minutes a week reaches any SLA target long before.
 */
const HORIZON_DAYS = 366 * 100;

const minutesOf = (hhmm: string): number => {
  const [h, m] = hhmm.split(':').map(Number);
  return h * 60 + m;
};

/** Why a calendar cannot be used, or nothing. */
export function calendarProblems(calendar: BusinessCalendar): string[] {
  const problems: string[] = [];
  if (!DateTime.local().setZone(calendar.timeZone).isValid)
    problems.push(`unknown time zone ${calendar.timeZone}`);
  for (const [day, intervals] of Object.entries(calendar.weekly)) {
    const sorted = [...(intervals ?? [])].sort((a, b) => minutesOf(a.start) - minutesOf(b.start));
    let previousEnd = -1;
    for (const { start, end } of sorted) {
      const valid = /^([01]\d|2[0-3]):[0-5]\d$/.test(start) && /^(([01]\d|2[0-3]):[0-5]\d|24:00)$/.test(end);
      if (!valid || minutesOf(end) <= minutesOf(start))
        problems.push(`weekday ${day}: ${start}-${end} is not an interval`);
      else if (minutesOf(start) < previousEnd)
        problems.push(`weekday ${day}: ${start}-${end} overlaps another interval`);
      previousEnd = Math.max(previousEnd, minutesOf(end));
    }
  }
  for (const holiday of calendar.holidays)
    if (!DateTime.fromISO(holiday, { zone: calendar.timeZone }).isValid)
      problems.push(`holiday ${holiday} is not a date`);
  const open = Object.values(calendar.weekly).some((intervals) => (intervals ?? []).length > 0);
  if (!open) problems.push('the calendar is never open');
  return problems;
}

/** The open intervals of one local date, as instants (ms), in order. */
function openIntervalsOn(calendar: BusinessCalendar, day: DateTime): [number, number][] {
  if (calendar.holidays.includes(day.toISODate()!)) return [];
  const intervals = calendar.weekly[day.weekday as Weekday] ?? [];
  const at = (minutes: number) =>
    minutes >= 24 * 60
      ? day.plus({ days: 1 }).startOf('day').toMillis()
      : day
          .set({ hour: Math.floor(minutes / 60), minute: minutes % 60, second: 0, millisecond: 0 })
          .toMillis();
  return intervals
    .map(({ start, end }): [number, number] => [at(minutesOf(start)), at(minutesOf(end))])
    .filter(([s, e]) => e > s)
    .sort((a, b) => a[0] - b[0]);
}

/** Every open interval overlapping [from, ...), day by day, for at most `days` local days. */
function* openIntervalsFrom(calendar: BusinessCalendar, from: number, days = HORIZON_DAYS) {
  let day = DateTime.fromMillis(from, { zone: calendar.timeZone }).startOf('day');
  for (let i = 0; i < days; i++, day = day.plus({ days: 1 }).startOf('day'))
    for (const [s, e] of openIntervalsOn(calendar, day)) if (e > from) yield [Math.max(s, from), e] as const;
}

/** Business milliseconds between two instants (0 when `to` is not after `from`). */
export function businessTimeBetween(calendar: BusinessCalendar, from: Date, to: Date): number {
  const [a, b] = [from.getTime(), to.getTime()];
  if (b <= a) return 0;
  let total = 0;
  const days = Math.ceil((b - a) / (24 * 60 * MINUTE)) + 2;
  for (const [s, e] of openIntervalsFrom(calendar, a, days)) {
    if (s >= b) break;
    total += Math.min(e, b) - s;
  }
  return total;
}

/**
 * The instant at which `amount` milliseconds of business time have passed since `from`. With
 * `amount` 0 it is `from` itself.
 */
export function addBusinessTime(calendar: BusinessCalendar, from: Date, amount: number): Date {
  let left = amount;
  if (left <= 0) return new Date(from.getTime());
  for (const [s, e] of openIntervalsFrom(calendar, from.getTime())) {
    if (e - s >= left) return new Date(s + left);
    left -= e - s;
  }
  throw new Error(`the calendar has less than ${amount} ms of business time in a hundred years`);
}

/** Whether the calendar is open at this instant. */
export function isOpenAt(calendar: BusinessCalendar, at: Date): boolean {
  const t = at.getTime();
  const day = DateTime.fromMillis(t, { zone: calendar.timeZone }).startOf('day');
  return [day.minus({ days: 1 }), day].some((d) =>
    openIntervalsOn(calendar, d).some(([s, e]) => s <= t && t < e),
  );
}

/** The next instant at or after `at` at which the calendar is open. */
export function nextOpening(calendar: BusinessCalendar, at: Date): Date {
  const first = openIntervalsFrom(calendar, at.getTime()).next();
  if (first.done) throw new Error('the calendar is not open within a hundred years');
  return new Date(first.value[0]);
}
