import { addBusinessTime, businessTimeBetween, type BusinessCalendar } from './business-hours.calendar';

/**
 * Business time as SLA clocks count it, over instants (ms): how much of it lies between two
 * instants, and the instant at which an amount of it has passed.
 */
export interface BusinessTime {
  between(from: number, to: number): number;
  add(from: number, amount: number): number;
}

/** The business time of one calendar, at every instant. */
export const hoursOf = (calendar: BusinessCalendar): BusinessTime => ({
  between: (from, to) => businessTimeBetween(calendar, new Date(from), new Date(to)),
  add: (from, amount) => addBusinessTime(calendar, new Date(from), amount).getTime(),
});

/** A calendar as published: it counts from `effectiveAt` until the next version takes over. */
export interface CalendarVersion {
  version: number;
  effectiveAt: number;
  calendar: BusinessCalendar;
}

/**
 * The business time of calendars published one after the other: each counts its own span, from
 * its `effectiveAt` to the next one's, so a change of calendar applies from the moment of the
 * change and leaves the time counted before it as it was. The first version also counts every
 * instant before it was published. Versions published at the same instant: the later one wins.
 */
export function calendarTimeline(versions: readonly CalendarVersion[]): BusinessTime {
  if (versions.length === 0) throw new Error('a calendar timeline needs at least one calendar');
  const sorted = [...versions].sort((a, b) => a.effectiveAt - b.effectiveAt || a.version - b.version);
  if (sorted.length === 1) return hoursOf(sorted[0].calendar);
  const spans = sorted.map((v, i) => ({
    from: i === 0 ? -Infinity : v.effectiveAt,
    to: i + 1 < sorted.length ? sorted[i + 1].effectiveAt : Infinity,
    hours: hoursOf(v.calendar),
  }));
  return {
    between(from, to) {
      let total = 0;
      for (const span of spans) {
        const [a, b] = [Math.max(from, span.from), Math.min(to, span.to)];
        if (b > a) total += span.hours.between(a, b);
      }
      return total;
    },
    add(from, amount) {
      if (amount <= 0) return from;
      let [left, start] = [amount, from];
      for (const span of spans) {
        if (span.to <= start) continue;
        if (span.to === Infinity) return span.hours.add(start, left);
        const counted = span.hours.between(start, span.to);
        if (counted >= left) return span.hours.add(start, left);
        [left, start] = [left - counted, span.to];
      }
      throw new Error('unreachable: the last calendar counts until the end of time');
    },
  };
}
