/**
 * Service metrics as of a moment: SLA compliance, response and resolution times, CSAT and NPS.
 *
 * - SLA target outcome at asOf: met iff achieved at or before its due time (and at or before
 *   asOf); breached iff not met and the due time has passed (due < asOf); pending otherwise. A
 *   target achieved exactly at its due time is met; one due exactly at asOf and not achieved is
 *   still pending. Compliance = met / (met + breached), pending left out; null with none decided.
 *   Grouped by policy and the period (UTC day, ISO week or month) of the due time.
 * - Response time = first response − opened, resolution time = resolved − opened, in minutes, for
 *   cases whose response / resolution happened at or before asOf; median and p90 by linear
 *   interpolation (./stats `percentile`).
 * - CSAT = share of ratings (1..5) that are 4 or 5; null without ratings.
 * - NPS = % promoters (9-10) − % detractors (0-6) of the answers (0..10), from −100 to 100; null
 *   without answers.
 */
import { happenedBy, hasHappened } from './as-of';
import { groupBy, instant, percentile, periodOf, ratio, type Period } from './stats';

export interface SlaTarget {
  readonly policy: string;
  readonly dueAt: string;
  readonly achievedAt: string | null;
}

export type SlaOutcome = 'met' | 'breached' | 'pending';

export interface SlaCompliance {
  readonly policy: string;
  readonly period: string;
  readonly met: number;
  readonly breached: number;
  readonly pending: number;
  readonly compliance: number | null;
}

/** The outcome of one target as of `asOf` (module comment). */
export function slaOutcome(target: SlaTarget, asOf: string): SlaOutcome {
  const due = instant(target.dueAt);
  const now = instant(asOf);
  if (target.achievedAt !== null && hasHappened(target.achievedAt, asOf) && instant(target.achievedAt) <= due)
    return 'met';
  return due < now ? 'breached' : 'pending';
}

/** Compliance per policy and period, sorted by policy then period. */
export function slaCompliance(targets: readonly SlaTarget[], asOf: string, period: Period): SlaCompliance[] {
  const groups = groupBy(targets, (t) => `${t.policy}\u0000${periodOf(t.dueAt, period)}`);
  return [...groups.values()]
    .map((members) => {
      const outcomes = members.map((t) => slaOutcome(t, asOf));
      const count = (o: SlaOutcome) => outcomes.filter((x) => x === o).length;
      const met = count('met');
      const breached = count('breached');
      return {
        policy: members[0].policy,
        period: periodOf(members[0].dueAt, period),
        met,
        breached,
        pending: count('pending'),
        compliance: ratio(met, met + breached),
      };
    })
    .sort((a, b) => a.policy.localeCompare(b.policy) || a.period.localeCompare(b.period));
}

export interface CaseTimes {
  readonly openedAt: string;
  readonly firstRespondedAt: string | null;
  readonly resolvedAt: string | null;
}

export interface DurationFigures {
  readonly count: number;
  readonly medianMinutes: number | null;
  readonly p90Minutes: number | null;
}

function durations(cases: readonly CaseTimes[], endOf: (c: CaseTimes) => string | null, asOf: string) {
  const minutes = cases.flatMap((c) => {
    const end = endOf(c);
    return end !== null && hasHappened(end, asOf) ? [(instant(end) - instant(c.openedAt)) / 60_000] : [];
  });
  return {
    count: minutes.length,
    medianMinutes: percentile(minutes, 0.5),
    p90Minutes: percentile(minutes, 0.9),
  };
}

/** Response and resolution time figures as of `asOf`. */
export function serviceTimes(
  cases: readonly CaseTimes[],
  asOf: string,
): { readonly response: DurationFigures; readonly resolution: DurationFigures } {
  return {
    response: durations(cases, (c) => c.firstRespondedAt, asOf),
    resolution: durations(cases, (c) => c.resolvedAt, asOf),
  };
}

export interface ScoredAnswer {
  readonly score: number;
  readonly at: string;
}

function scoresAsOf(answers: readonly ScoredAnswer[], asOf: string, low: number, high: number): number[] {
  return happenedBy(answers, (a) => a.at, asOf).map(({ score }) => {
    if (!Number.isInteger(score) || score < low || score > high)
      throw new RangeError(`score must be a whole number within ${low}..${high}, got ${score}`);
    return score;
  });
}

/** CSAT as of `asOf`: share of 4-5 among ratings 1..5. */
export function csat(
  ratings: readonly ScoredAnswer[],
  asOf: string,
): { responses: number; csat: number | null } {
  const scores = scoresAsOf(ratings, asOf, 1, 5);
  return { responses: scores.length, csat: ratio(scores.filter((s) => s >= 4).length, scores.length) };
}

export interface NpsFigures {
  readonly responses: number;
  readonly promoters: number;
  readonly passives: number;
  readonly detractors: number;
  readonly nps: number | null;
}

/** NPS as of `asOf` from answers 0..10. */
export function nps(answers: readonly ScoredAnswer[], asOf: string): NpsFigures {
  const scores = scoresAsOf(answers, asOf, 0, 10);
  const promoters = scores.filter((s) => s >= 9).length;
  const detractors = scores.filter((s) => s <= 6).length;
  const n = scores.length;
  return {
    responses: n,
    promoters,
    passives: n - promoters - detractors,
    detractors,
    nps: n === 0 ? null : (100 * (promoters - detractors)) / n,
  };
}
