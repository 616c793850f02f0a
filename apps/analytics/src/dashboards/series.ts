import { DAY_MS, instant } from '../metrics/stats';

/** How far apart the dates of a series are. */
export const SERIES_INTERVALS = ['day', 'week', 'month'] as const;
export type SeriesInterval = (typeof SERIES_INTERVALS)[number];

/** The most dates one series may have (a year of days). */
export const MAX_SERIES_POINTS = 366;

/**
 * `from` moved by `k` intervals (UTC): k days, 7k days, or k calendar months counted from `from`
 * itself, the day of month clamped to the month's last day (31 Jan + 1 month = 28 Feb, + 2 = 31 Mar).
 */
export function shift(from: string, k: number, interval: SeriesInterval): Date {
  const start = new Date(instant(from));
  if (interval !== 'month') return new Date(start.getTime() + k * (interval === 'week' ? 7 : 1) * DAY_MS);
  const months = start.getUTCMonth() + k;
  const target = new Date(start);
  target.setUTCDate(1);
  target.setUTCFullYear(start.getUTCFullYear() + Math.floor(months / 12), ((months % 12) + 12) % 12);
  const lastDay = new Date(Date.UTC(target.getUTCFullYear(), target.getUTCMonth() + 1, 0)).getUTCDate();
  target.setUTCDate(Math.min(start.getUTCDate(), lastDay));
  return target;
}

/** The dates from, from + 1 interval, ... up to and including `to` (none when to < from). */
export function seriesDates(
  from: string,
  to: string,
  interval: SeriesInterval,
  max = MAX_SERIES_POINTS,
): Date[] {
  const end = instant(to);
  const dates: Date[] = [];
  for (let k = 0; ; k++) {
    const date = shift(from, k, interval);
    if (date.getTime() > end || dates.length > max) return dates;
    dates.push(date);
  }
}
