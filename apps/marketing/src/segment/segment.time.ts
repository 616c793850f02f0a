import type { SegmentRule } from '@crm/contracts';
import { matches, type CustomerProfile } from './segment.rules';

/**
 * When a segment rule's outcome for a profile can change with no event, only because time passes.
 *
 * Of the rule forms, only `{field, withinLastDays: N}` reads "now": it holds while
 * `value <= now <= value + N days`, so it turns true at `value` (a date in the future) and false
 * 1 ms after `value + N days`. `{field, op, value}` on a date compares two fixed instants (the
 * profile's and the rule's) and never drifts; `hasConsent` asks the ledger at the evaluation's
 * instant, but the ledger refuses changes effective later than when they are recorded, so a
 * consent changes only with an event (which evaluates the customer again). `all` / `any` / `not`
 * change only when one of their tests does.
 *
 * Between two consecutive breakpoints of its `withinLastDays` tests a rule's outcome for a profile
 * is constant; so the outcome changes exactly at the breakpoints where it differs from the
 * instant before. A rule that tests consent, given a profile without `consents` (not read, to
 * spare a ledger read per customer), counts every breakpoint: a possible change, checked by the
 * evaluation it triggers.
 */

/** Whether the rule reads "now" anywhere (`withinLastDays`): its outcome can change without an event. */
export function dependsOnTime(rule: SegmentRule): boolean {
  if ('all' in rule) return rule.all.some(dependsOnTime);
  if ('any' in rule) return rule.any.some(dependsOnTime);
  if ('not' in rule) return dependsOnTime(rule.not);
  return 'withinLastDays' in rule;
}

function testsConsent(rule: SegmentRule): boolean {
  if ('all' in rule) return rule.all.some(testsConsent);
  if ('any' in rule) return rule.any.some(testsConsent);
  if ('not' in rule) return testsConsent(rule.not);
  return 'hasConsent' in rule;
}

const DAY_MS = 86_400_000;

/** The instants (epoch ms) at which one of the rule's `withinLastDays` tests flips for this profile. */
function breakpoints(rule: SegmentRule, profile: CustomerProfile, into: Set<number>): Set<number> {
  if ('all' in rule) rule.all.forEach((r) => breakpoints(r, profile, into));
  else if ('any' in rule) rule.any.forEach((r) => breakpoints(r, profile, into));
  else if ('not' in rule) breakpoints(rule.not, profile, into);
  else if ('withinLastDays' in rule) {
    const value = profile[rule.field];
    const at = typeof value === 'string' ? Date.parse(value) : NaN;
    if (!Number.isNaN(at)) into.add(at).add(at + rule.withinLastDays * DAY_MS + 1);
  }
  return into;
}

/** The instants, ascending, at which the rule's outcome for the profile changes (or may: see above). */
export function outcomeChanges(rule: SegmentRule, profile: CustomerProfile): number[] {
  const all = [...breakpoints(rule, profile, new Set())].sort((a, b) => a - b);
  if (profile.consents === undefined && testsConsent(rule)) return all;
  const at = (ms: number) => matches(rule, profile, new Date(ms).toISOString());
  return all.filter((t) => at(t - 1) !== at(t));
}

/** The first instant after `now` at which the rule's outcome for the profile changes; none: it stays. */
export function nextOutcomeChange(rule: SegmentRule, profile: CustomerProfile, now: Date): Date | undefined {
  const next = outcomeChanges(rule, profile).find((t) => t > now.getTime());
  return next === undefined ? undefined : new Date(next);
}

/** Whether the rule's outcome for the profile changes after `since` and by `until` (both included: `(since, until]`). */
export function changesBetween(
  rule: SegmentRule,
  profile: CustomerProfile,
  since: Date,
  until: Date,
): boolean {
  return outcomeChanges(rule, profile).some((t) => t > since.getTime() && t <= until.getTime());
}

/** At most this long between two re-evaluations of a time-based segment, whatever the profiles say. */
export const REEVALUATION_FALLBACK_MS = DAY_MS;

/**
 * When a time-based segment must be evaluated again after `now`: the earliest change of any
 * profile's outcome, and at the latest `now` + the fallback (a day).
 */
export function nextReevaluation(rule: SegmentRule, profiles: Iterable<CustomerProfile>, now: Date): Date {
  let due = now.getTime() + REEVALUATION_FALLBACK_MS;
  for (const profile of profiles) {
    const next = nextOutcomeChange(rule, profile, now);
    if (next && next.getTime() < due) due = next.getTime();
  }
  return new Date(due);
}
