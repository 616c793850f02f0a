/**
 * Lifecycle funnel: how many customers reached each stage, the conversion between consecutive
 * stages and how long customers stay in each stage, per group (cohort month, channel, customer
 * type or owner), as of a moment.
 *
 * Definitions (only transitions at or before asOf count):
 * - reached(s): customers with at least one transition into stage s. A customer who skipped a
 *   stage (e.g. interest straight to expansion) is not counted for the skipped one.
 * - conversion(s → next): customers who reached both s and the next funnel stage / reached(s);
 *   null when reached(s) = 0. The last stage has no next stage (null).
 * - time in stage: for each visit of a stage that has ended (a later transition of the same
 *   customer exists, at or before asOf), the days from entering it to the next transition.
 *   The current stage's open visit is censored and left out; a stage visited twice gives two
 *   samples. Transitions at the same instant keep their input order.
 * - median and p90 of those days by linear interpolation (`percentile` in ./stats); null without
 *   samples.
 * - cohort month: the UTC month (YYYY-MM) of the customer's first transition into interest;
 *   "none" for a customer without one.
 */
import { happenedBy } from './as-of';
import { daysBetween, groupBy, instant, percentile, ratio } from './stats';

/** The funnel order (the issue's order); the same six stages as the contracts' lifecycle stages. */
export const FUNNEL_STAGES = [
  'interest',
  'acquisition',
  'retention',
  'expansion',
  'at_risk',
  'churned',
] as const;
export type FunnelStage = (typeof FUNNEL_STAGES)[number];

export interface StageTransition {
  readonly stage: FunnelStage;
  readonly at: string;
}

export interface FunnelCustomer {
  readonly customerId: string;
  readonly channel: string;
  readonly customerType: string;
  readonly owner: string;
  readonly transitions: readonly StageTransition[];
}

export type FunnelGrouping = 'all' | 'cohortMonth' | 'channel' | 'customerType' | 'owner';

export interface FunnelStageFigures {
  readonly stage: FunnelStage;
  readonly reached: number;
  readonly conversionToNext: number | null;
  readonly timeInStageSamples: number;
  readonly medianDaysInStage: number | null;
  readonly p90DaysInStage: number | null;
}

export interface FunnelGroup {
  readonly key: string;
  readonly customers: number;
  readonly stages: readonly FunnelStageFigures[];
}

/** The customer's transitions as of asOf, in time order (stable for equal instants). */
function transitionsAsOf(transitions: readonly StageTransition[], asOf: string): StageTransition[] {
  return happenedBy(transitions, (t) => t.at, asOf)
    .map((t, i) => ({ t, i }))
    .sort((x, y) => instant(x.t.at) - instant(y.t.at) || x.i - y.i)
    .map(({ t }) => t);
}

/** UTC month of the first transition into interest, "none" without one. */
export function cohortMonthOf(transitions: readonly StageTransition[]): string {
  const firstInterest = transitions
    .filter((t) => t.stage === 'interest')
    .reduce<string | null>(
      (first, t) => (first === null || instant(t.at) < instant(first) ? t.at : first),
      null,
    );
  return firstInterest === null ? 'none' : new Date(instant(firstInterest)).toISOString().slice(0, 7);
}

function groupKey(customer: FunnelCustomer, transitions: readonly StageTransition[], by: FunnelGrouping) {
  switch (by) {
    case 'all':
      return 'all';
    case 'cohortMonth':
      return cohortMonthOf(transitions);
    default:
      return customer[by];
  }
}

/** Days spent in each ended visit of each stage (see the module comment). */
export function daysInStages(transitions: readonly StageTransition[]): Map<FunnelStage, number[]> {
  const days = new Map<FunnelStage, number[]>();
  for (let i = 0; i + 1 < transitions.length; i++) {
    const { stage, at } = transitions[i];
    days.set(stage, [...(days.get(stage) ?? []), daysBetween(at, transitions[i + 1].at)]);
  }
  return days;
}

function figuresOf(customers: readonly StageTransition[][]): FunnelStageFigures[] {
  const reachedSets = customers.map((transitions) => new Set(transitions.map((t) => t.stage)));
  const durations = customers.map(daysInStages);
  return FUNNEL_STAGES.map((stage, index) => {
    const next = FUNNEL_STAGES[index + 1];
    const reached = reachedSets.filter((s) => s.has(stage)).length;
    const both = next === undefined ? 0 : reachedSets.filter((s) => s.has(stage) && s.has(next)).length;
    const samples = durations.flatMap((d) => d.get(stage) ?? []);
    return {
      stage,
      reached,
      conversionToNext: next === undefined ? null : ratio(both, reached),
      timeInStageSamples: samples.length,
      medianDaysInStage: percentile(samples, 0.5),
      p90DaysInStage: percentile(samples, 0.9),
    };
  });
}

/**
 * The funnel per group as of `asOf`, groups sorted by key. Customers with no transition at or
 * before asOf are left out (they were not in the funnel yet).
 */
export function lifecycleFunnel(
  customers: readonly FunnelCustomer[],
  asOf: string,
  by: FunnelGrouping = 'all',
): FunnelGroup[] {
  const known = customers
    .map((customer) => ({ customer, transitions: transitionsAsOf(customer.transitions, asOf) }))
    .filter(({ transitions }) => transitions.length > 0);
  const groups = groupBy(known, ({ customer, transitions }) => groupKey(customer, transitions, by));
  return [...groups.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([key, members]) => ({
      key,
      customers: members.length,
      stages: figuresOf(members.map((m) => m.transitions)),
    }));
}

/** The stage a customer was in at `asOf`: the last transition at or before it, undefined before any. */
export function stageAsOf(transitions: readonly StageTransition[], asOf: string): FunnelStage | undefined {
  return transitionsAsOf(transitions, asOf).at(-1)?.stage;
}
