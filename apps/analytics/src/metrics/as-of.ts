/**
 * "As of" semantics shared by every analytics read model and metric.
 *
 * - A row versioned by a validity interval [validFrom, validTo) is valid at T iff
 *   validFrom ≤ T < validTo; validTo null means still valid (open). The interval is half-open, so
 *   at the instant one version is superseded exactly one version is valid: the new one.
 * - An event has happened as of T iff its time ≤ T: an event exactly at asOf counts.
 */
import { instant } from './stats';

export interface Validity {
  readonly validFrom: string;
  readonly validTo: string | null;
}

/** validFrom ≤ asOf < validTo (validTo null = open). */
export function isValidAt(row: Validity, asOf: string): boolean {
  const t = instant(asOf);
  return instant(row.validFrom) <= t && (row.validTo === null || t < instant(row.validTo));
}

/** The rows valid at `asOf`, in their order. */
export function validAt<T extends Validity>(rows: readonly T[], asOf: string): T[] {
  return rows.filter((row) => isValidAt(row, asOf));
}

/** An event at `at` has happened as of `asOf` iff at ≤ asOf. */
export function hasHappened(at: string, asOf: string): boolean {
  return instant(at) <= instant(asOf);
}

/** The items whose time (`timeOf`) has happened as of `asOf`, in their order. */
export function happenedBy<T>(items: readonly T[], timeOf: (item: T) => string, asOf: string): T[] {
  const t = instant(asOf);
  return items.filter((item) => instant(timeOf(item)) <= t);
}

export interface Version<V> extends Validity {
  readonly value: V;
}

/**
 * The history after `value` becomes current at `at`: the open version is closed at `at` (its
 * validTo) and a new open version starts there. A change at the very instant the open version
 * started replaces it (a zero-length interval [t, t) is never valid); a change before the open
 * version started is refused, because history is appended in time order.
 */
export function supersede<V>(history: readonly Version<V>[], value: V, at: string): Version<V>[] {
  const openIndex = history.findIndex((v) => v.validTo === null);
  const next: Version<V> = { value, validFrom: at, validTo: null };
  if (openIndex < 0) return [...history, next];
  const open = history[openIndex];
  const from = instant(open.validFrom);
  const t = instant(at);
  if (t < from) throw new RangeError(`change at ${at} precedes the current version from ${open.validFrom}`);
  const rest = history.filter((_, i) => i !== openIndex);
  return t === from ? [...rest, next] : [...rest, { ...open, validTo: at }, next];
}

/** The value valid at `asOf`, or undefined when none is. */
export function valueAt<V>(history: readonly Version<V>[], asOf: string): V | undefined {
  return history.find((v) => isValidAt(v, asOf))?.value;
}
