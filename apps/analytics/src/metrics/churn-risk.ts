/**
 * Churn risk per customer: a score 0..100, the sum of five documented signals, each capped, with
 * the reasons behind every point shown. Only facts at or before asOf count.
 *
 * | signal             | points                                                                | cap |
 * |--------------------|-----------------------------------------------------------------------|-----|
 * | overdue            | 35 · clamp(ratio − 1, 0, 1), ratio = days since the last order /        |  35 |
 * |                    | the usual interval (median of the gaps between consecutive orders);   |     |
 * |                    | needs 2 orders; 0 up to the usual interval, 35 from twice it          |     |
 * | open complaints    | 10 per complaint open at asOf (opened ≤ asOf, not closed by asOf)      |  20 |
 * | breached SLAs      | 5 per SLA breach in the last 90 days (asOf − 90 d < breach ≤ asOf)      |  15 |
 * | detractor NPS      | 15 if the latest NPS answer (≤ asOf) is 0..6                            |  15 |
 * | falling frequency  | 15 · (before − recent) / before, where recent = orders in the last      |  15 |
 * |                    | 180 days and before = orders in the 180 days before; needs before ≥ 2 |     |
 * |                    | and recent < before                                                   |     |
 *
 * Points are rounded to whole numbers per signal; the caps add up to 100. Level: high from 60,
 * medium from 30, low below. Reasons are listed by points, largest first, only with points > 0.
 */
import { happenedBy } from './as-of';
import type { CustomerOrders } from './customer-orders';
import { DAY_MS, instant, median } from './stats';

export interface ChurnFacts {
  readonly customerId: string;
  /** When each won order was won. */
  readonly orders: readonly string[];
  readonly complaints: readonly { readonly openedAt: string; readonly closedAt: string | null }[];
  readonly slaBreaches: readonly string[];
  readonly npsAnswers: readonly { readonly score: number; readonly at: string }[];
}

/** A customer's churn facts but their orders. */
export type ServiceFacts = Omit<ChurnFacts, 'customerId' | 'orders'>;

export type ChurnSignal =
  'overdue' | 'open_complaints' | 'breached_slas' | 'detractor_nps' | 'falling_frequency';

export interface ChurnReason {
  readonly signal: ChurnSignal;
  readonly points: number;
  readonly text: string;
}

export interface ChurnRisk {
  readonly customerId: string;
  readonly score: number;
  readonly level: 'low' | 'medium' | 'high';
  readonly reasons: readonly ChurnReason[];
}

const BREACH_WINDOW_DAYS = 90;
const FREQUENCY_WINDOW_DAYS = 180;
const clamp = (value: number, low: number, high: number) => Math.min(high, Math.max(low, value));
const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;
const fixed = (n: number) => String(Math.round(n * 10) / 10);

function overdue(orders: readonly number[], now: number): ChurnReason | null {
  if (orders.length < 2) return null;
  const gaps = orders.slice(1).map((t, i) => (t - orders[i]) / DAY_MS);
  const usual = median(gaps)!;
  const since = (now - orders[orders.length - 1]) / DAY_MS;
  if (usual <= 0) return null;
  const ratio = since / usual;
  const points = Math.round(35 * clamp(ratio - 1, 0, 1));
  // No reason without points (most customers): skip writing its text.
  if (points === 0) return null;
  return {
    signal: 'overdue',
    points,
    text: `no order for ${fixed(since)} days, ${fixed(ratio)}× the usual ${fixed(usual)}-day interval`,
  };
}

function fallingFrequency(orders: readonly number[], now: number): ChurnReason | null {
  const window = FREQUENCY_WINDOW_DAYS * DAY_MS;
  const recent = orders.filter((t) => t > now - window).length;
  const before = orders.filter((t) => t <= now - window && t > now - 2 * window).length;
  if (before < 2 || recent >= before) return null;
  const points = Math.round((15 * (before - recent)) / before);
  if (points === 0) return null;
  return {
    signal: 'falling_frequency',
    points,
    text: `${plural(recent, 'order')} in the last ${FREQUENCY_WINDOW_DAYS} days against ${before} in the ${FREQUENCY_WINDOW_DAYS} days before`,
  };
}

/** The churn risk of one customer as of `asOf` (module comment). */
export function churnRisk(facts: ChurnFacts, asOf: string): ChurnRisk {
  const times = facts.orders.map(instant).sort((a, b) => a - b);
  return riskOf(facts.customerId, times, facts, asOf);
}

/**
 * {@link churnRisk} of a customer whose orders are already grouped and parsed (./customer-orders),
 * with the rest of their facts.
 */
export function churnRiskOf(
  { customerId, times }: CustomerOrders,
  facts: ServiceFacts,
  asOf: string,
): ChurnRisk {
  return riskOf(customerId, times, facts, asOf);
}

/** The churn risk from the instants of a customer's orders, ascending, and their other facts. */
function riskOf(customerId: string, times: readonly number[], facts: ServiceFacts, asOf: string): ChurnRisk {
  const now = instant(asOf);
  // Only orders at or before asOf (./as-of): the ascending times up to the first later one.
  let by = times.length;
  while (by > 0 && times[by - 1] > now) by--;
  const orders = by === times.length ? times : times.slice(0, by);
  const open = facts.complaints.filter(
    (c) => instant(c.openedAt) <= now && (c.closedAt === null || instant(c.closedAt) > now),
  ).length;
  const breaches = facts.slaBreaches.filter(
    (at) => instant(at) <= now && instant(at) > now - BREACH_WINDOW_DAYS * DAY_MS,
  ).length;
  const latestNps = happenedBy(facts.npsAnswers, (a) => a.at, asOf).reduce<
    ChurnFacts['npsAnswers'][number] | null
  >((latest, a) => (latest === null || instant(a.at) >= instant(latest.at) ? a : latest), null);

  const reasons: ChurnReason[] = [
    overdue(orders, now),
    open > 0
      ? {
          signal: 'open_complaints',
          points: Math.min(20, 10 * open),
          text: `${plural(open, 'open complaint')}`,
        }
      : null,
    breaches > 0
      ? {
          signal: 'breached_slas',
          points: Math.min(15, 5 * breaches),
          text: `${plural(breaches, 'SLA breach', 'SLA breaches')} in the last ${BREACH_WINDOW_DAYS} days`,
        }
      : null,
    latestNps !== null && latestNps.score <= 6
      ? { signal: 'detractor_nps', points: 15, text: `detractor: latest NPS answer ${latestNps.score}` }
      : null,
    fallingFrequency(orders, now),
  ].filter((r): r is ChurnReason => r !== null && r.points > 0);
  reasons.sort((a, b) => b.points - a.points);
  const score = clamp(
    reasons.reduce((sum, r) => sum + r.points, 0),
    0,
    100,
  );
  return {
    customerId,
    score,
    level: score >= 60 ? 'high' : score >= 30 ? 'medium' : 'low',
    reasons,
  };
}
