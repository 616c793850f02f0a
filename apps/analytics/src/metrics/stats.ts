/**
 * Small statistics and time helpers shared by the metrics. Pure: no clock, no I/O; every "now" is
 * an `asOf` argument. Timestamps are ISO-8601 strings and are compared as instants (parsed), never
 * as text, so `2026-01-01T10:00:00+01:00` and `2026-01-01T09:00:00Z` are the same moment.
 */

export const DAY_MS = 86_400_000;

/** Milliseconds since the epoch of an ISO timestamp; a string that is not a timestamp is refused. */
export function instant(iso: string): number {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) throw new RangeError(`not an ISO timestamp: "${iso}"`);
  return ms;
}

/** Days (fractional) from `from` to `to`: (to − from) / 86 400 000 ms; negative when `to` is earlier. */
export function daysBetween(from: string, to: string): number {
  return (instant(to) - instant(from)) / DAY_MS;
}

/** An amount of money rounded half away from zero to cents: 10.005 → 10.01, −10.005 → −10.01. */
export function roundCents(amount: number): number {
  // toPrecision(15) drops the binary noise of × 100 (10.005 × 100 = 1000.4999999999999).
  const cents = Math.round(Number((Math.abs(amount) * 100).toPrecision(15))) / 100;
  return amount < 0 ? -cents : cents;
}

/** `numerator / denominator`, or null when the denominator is 0 (a rate of nothing is unknown, not 0). */
export function ratio(numerator: number, denominator: number): number | null {
  return denominator === 0 ? null : numerator / denominator;
}

/** Arithmetic mean, null for no values. */
export function mean(values: readonly number[]): number | null {
  return values.length === 0 ? null : values.reduce((sum, v) => sum + v, 0) / values.length;
}

/**
 * The p-th percentile (0 ≤ p ≤ 1) by linear interpolation between closest ranks (Hyndman & Fan
 * type 7; the same as PostgreSQL `percentile_cont`, Excel `PERCENTILE.INC` and numpy's default):
 * sort ascending into x[0..n−1], h = (n − 1)·p, result = x[⌊h⌋] + (h − ⌊h⌋)·(x[⌊h⌋+1] − x[⌊h⌋]).
 * So p = 0 is the minimum, p = 1 the maximum, one value is every percentile, and no values → null.
 */
export function percentile(values: readonly number[], p: number): number | null {
  if (!(p >= 0 && p <= 1)) throw new RangeError(`percentile must be within 0..1, got ${p}`);
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const h = (sorted.length - 1) * p;
  const lower = Math.floor(h);
  const upper = Math.min(lower + 1, sorted.length - 1);
  return sorted[lower] + (h - lower) * (sorted[upper] - sorted[lower]);
}

/** The median: `percentile(values, 0.5)` (the mean of the two middle values for an even count). */
export function median(values: readonly number[]): number | null {
  return percentile(values, 0.5);
}

/** `values` grouped by `keyOf`, groups in order of first appearance. */
export function groupBy<T>(values: readonly T[], keyOf: (value: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const value of values) {
    const key = keyOf(value);
    const group = groups.get(key);
    if (group) group.push(value);
    else groups.set(key, [value]);
  }
  return groups;
}

export type Period = 'day' | 'week' | 'month';

/**
 * The UTC period a moment falls in: day `2026-03-04`, month `2026-03`, week = the date of the
 * Monday that starts its ISO week (`2026-03-02` for Wednesday 4 March 2026).
 */
export function periodOf(iso: string, period: Period): string {
  const date = new Date(instant(iso));
  if (period === 'month') return date.toISOString().slice(0, 7);
  if (period === 'week') {
    const daysSinceMonday = (date.getUTCDay() + 6) % 7;
    return new Date(instant(iso) - daysSinceMonday * DAY_MS).toISOString().slice(0, 10);
  }
  return date.toISOString().slice(0, 10);
}
