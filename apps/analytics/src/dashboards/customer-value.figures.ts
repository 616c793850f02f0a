import { purchaseHistories } from '../metrics/bg-nbd';
import { churnRiskOf, type ChurnRisk, type ServiceFacts } from '../metrics/churn-risk';
import { historicSummaryOf, historicValuesOf, type HistoricValueSummary } from '../metrics/clv-historic';
import type { ClvFitCache } from '../metrics/clv-fit-cache';
import {
  clvFitInputs,
  predictCustomerValues,
  type ClvOptions,
  type PredictedCustomerValue,
} from '../metrics/clv-predicted';
import { customerOrders } from '../metrics/customer-orders';
import { rfmScoresOf, type RfmSegment, type WonOrder } from '../metrics/rfm';
import { FIT_ITERATIONS } from '../metrics/numeric';
import { roundCents } from '../metrics/stats';
import { iso } from './as-of-session';
import type { CustomerValueQuery } from './dashboard.dto';

/**
 * The customer-value dashboard's figures from the won orders and churn facts its query loaded
 * (./customer-value.dashboard has the meaning of each). Pure but for the fit cache it is given,
 * which only ever returns the fit of equal inputs (../metrics/clv-fit-cache).
 */
export const MIN_REPEAT_BUYERS = 20;
export const CLV_OPTIONS: ClvOptions = { horizon: 52, periods: 12, discountRatePerPeriod: 0.01, margin: 1 };

export const RFM_SEGMENTS: readonly RfmSegment[] = [
  'Champions',
  'Loyal',
  'Potential loyalist',
  'New customers',
  'Promising',
  'Need attention',
  'About to sleep',
  "Can't lose them",
  'At risk',
  'Hibernating',
  'Lost',
];

export interface CustomerValueDashboard {
  asOf: string;
  historic: HistoricValueSummary;
  predicted: {
    model: 'bg_nbd_gamma_gamma' | 'historic';
    reason: string | null;
    repeatBuyers: number;
    minRepeatBuyers: number;
    horizonWeeks: number;
    total: number | null;
    perCustomer: number | null;
  };
  rfmSegments: { segment: RfmSegment; customers: number }[];
  topCustomers: {
    customerId: string;
    revenue: number;
    orders: number;
    averageOrderValue: number;
    lastOrderAt: string;
    r: number;
    f: number;
    m: number;
    segment: RfmSegment;
    predictedClv: number | null;
    probabilityAlive: number | null;
  }[];
  churnRisk: {
    total: number;
    levels: { high: number; medium: number; low: number };
    offset: number;
    limit: number;
    items: ChurnRisk[];
  };
}

export interface CustomerValueInput {
  readonly asOf: string;
  readonly orders: readonly WonOrder[];
  /** A customer's churn facts but their orders (those are `orders`). */
  readonly facts: (customerId: string) => ServiceFacts;
}

export function customerValueFigures(
  { asOf, orders, facts }: CustomerValueInput,
  q: CustomerValueQuery,
  fits: ClvFitCache,
): CustomerValueDashboard {
  // Every customer's orders grouped and parsed once, for the historic values, RFM and churn risk.
  const population = customerOrders(orders, asOf);
  const historic = historicSummaryOf(population);
  const values = historicValuesOf(population);
  // Both in the population's order of customers.
  const scores = rfmScoresOf(population);
  const predicted = predict(orders, asOf, fits);
  const byRevenue = (i: number, j: number) =>
    values[j].revenue - values[i].revenue || byId(values[i].customerId, values[j].customerId);
  const topIndices = firstOf([...values.keys()], q.top ?? 10, byRevenue);
  const topIds = new Set(topIndices.map((i) => values[i].customerId));
  const predictedOf = new Map(
    predicted.values.filter((p) => topIds.has(p.customerId)).map((p) => [p.customerId, p]),
  );
  const top = topIndices.map((i) => {
    const v = values[i];
    const s = scores[i];
    const p = predictedOf.get(v.customerId);
    return {
      customerId: v.customerId,
      revenue: v.revenue,
      orders: v.orders,
      averageOrderValue: v.averageOrderValue,
      lastOrderAt: iso(v.lastOrderAt),
      r: s.r,
      f: s.f,
      m: s.m,
      segment: s.segment,
      predictedClv: p?.predictedClv ?? null,
      probabilityAlive: p?.probabilityAlive ?? null,
    };
  });
  const risks = population.customers.map((c) => churnRiskOf(c, facts(c.customerId), asOf));
  const offset = q.offset ?? 0;
  const limit = q.limit ?? 50;
  const levels = { high: 0, medium: 0, low: 0 };
  for (const r of risks) levels[r.level]++;
  const segments = new Map<RfmSegment, number>();
  for (const s of scores) segments.set(s.segment, (segments.get(s.segment) ?? 0) + 1);
  return {
    asOf,
    historic,
    predicted: predicted.summary,
    rfmSegments: RFM_SEGMENTS.map((segment) => ({ segment, customers: segments.get(segment) ?? 0 })),
    topCustomers: top,
    churnRisk: { total: risks.length, levels, offset, limit, items: riskPage(risks, offset, limit) },
  };
}

// Equal figures are ordered by customer id, as `localeCompare` orders them.
const byId = (a: string, b: string) => a.localeCompare(b);

/**
 * `risks` sorted by score, highest first, then customer id, from `offset` to `offset + limit`.
 * Sorted by score alone (numbers: fast), then by id only within the scores the page reaches;
 * both sorts are stable, so this is the slice of the full sort, ties and all.
 */
function riskPage(risks: readonly ChurnRisk[], offset: number, limit: number): ChurnRisk[] {
  const byScore = [...risks].sort((a, b) => b.score - a.score);
  const end = Math.min(offset + limit, byScore.length);
  if (offset >= end) return [];
  let from = offset;
  while (from > 0 && byScore[from - 1].score === byScore[offset].score) from--;
  let to = end;
  while (to < byScore.length && byScore[to].score === byScore[end - 1].score) to++;
  return byScore
    .slice(from, to)
    .sort((a, b) => b.score - a.score || byId(a.customerId, b.customerId))
    .slice(offset - from, end - from);
}

/**
 * The first `k` of `items` in `compare` order: `[...items].sort(compare).slice(0, k)` when
 * `compare` is a total order, in one pass keeping the k best instead of sorting everyone.
 */
function firstOf<T>(items: readonly T[], k: number, compare: (a: T, b: T) => number): T[] {
  const best: T[] = [];
  for (const item of items) {
    if (best.length === k && compare(item, best[k - 1]) >= 0) continue;
    let at = best.length;
    while (at > 0 && compare(item, best[at - 1]) < 0) at--;
    best.splice(at, 0, item);
    if (best.length > k) best.pop();
  }
  return best;
}

/** Predicted CLV of each customer, or why not (./customer-value.dashboard). */
function predict(orders: readonly WonOrder[], asOf: string, fits: ClvFitCache) {
  const histories = purchaseHistories(orders, asOf);
  const repeatBuyers = histories.filter((h) => h.x > 0).length;
  const base = { repeatBuyers, minRepeatBuyers: MIN_REPEAT_BUYERS, horizonWeeks: CLV_OPTIONS.horizon };
  const fallback = (reason: string) => ({
    summary: { model: 'historic' as const, reason, ...base, total: null, perCustomer: null },
    values: [] as PredictedCustomerValue[],
  });
  if (repeatBuyers < MIN_REPEAT_BUYERS)
    return fallback(`${repeatBuyers} repeat buyers, fewer than ${MIN_REPEAT_BUYERS}`);
  try {
    const fit = fits.fitOf(clvFitInputs(histories));
    if (!fit.bgNbd.converged || !fit.gammaGamma.converged)
      return fallback(
        `the models did not converge within ${FIT_ITERATIONS} iterations (${
          fit.bgNbd.converged ? 'Gamma-Gamma' : 'BG/NBD'
        }): this population is not one they describe`,
      );
    const model = { bgNbd: fit.bgNbd.params, gammaGamma: fit.gammaGamma.params };
    const values = predictCustomerValues(model, histories, CLV_OPTIONS);
    const total = roundCents(values.reduce((sum, v) => sum + v.predictedClv, 0));
    return {
      summary: {
        model: 'bg_nbd_gamma_gamma' as const,
        reason: null,
        ...base,
        total,
        perCustomer: roundCents(total / values.length),
      },
      values,
    };
  } catch (error) {
    return fallback(`the models did not fit: ${(error as Error).message}`);
  }
}
