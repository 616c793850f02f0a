import { purchaseHistories } from '../metrics/bg-nbd';
import { churnRisk, type ChurnFacts, type ChurnRisk } from '../metrics/churn-risk';
import {
  historicCustomerValues,
  historicValueSummary,
  type HistoricValueSummary,
} from '../metrics/clv-historic';
import type { ClvFitCache } from '../metrics/clv-fit-cache';
import { clvFitInputs, predictCustomerValues, type ClvOptions } from '../metrics/clv-predicted';
import { rfmScores, type RfmSegment, type WonOrder } from '../metrics/rfm';
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
  readonly facts: (customerId: string) => ChurnFacts;
}

export function customerValueFigures(
  { asOf, orders, facts }: CustomerValueInput,
  q: CustomerValueQuery,
  fits: ClvFitCache,
): CustomerValueDashboard {
  const historic = historicValueSummary(orders, asOf);
  const values = historicCustomerValues(orders, asOf);
  const rfm = new Map(rfmScores(orders, asOf).map((s) => [s.customerId, s]));
  const predicted = predict(orders, asOf, fits);
  const byRevenue = (a: (typeof values)[number], b: (typeof values)[number]) =>
    b.revenue - a.revenue || a.customerId.localeCompare(b.customerId);
  const top = firstOf(values, q.top ?? 10, byRevenue).map((v) => {
    const s = rfm.get(v.customerId)!;
    const p = predicted.perCustomer.get(v.customerId);
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
  const risks = values
    .map((v) => churnRisk(facts(v.customerId), asOf))
    .sort((a, b) => b.score - a.score || a.customerId.localeCompare(b.customerId));
  const offset = q.offset ?? 0;
  const limit = q.limit ?? 50;
  const levels = { high: 0, medium: 0, low: 0 };
  for (const r of risks) levels[r.level]++;
  const segments = new Map<RfmSegment, number>();
  for (const s of rfm.values()) segments.set(s.segment, (segments.get(s.segment) ?? 0) + 1);
  return {
    asOf,
    historic,
    predicted: predicted.summary,
    rfmSegments: RFM_SEGMENTS.map((segment) => ({ segment, customers: segments.get(segment) ?? 0 })),
    topCustomers: top,
    churnRisk: { total: risks.length, levels, offset, limit, items: risks.slice(offset, offset + limit) },
  };
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
    perCustomer: new Map<string, { predictedClv: number; probabilityAlive: number }>(),
  });
  if (repeatBuyers < MIN_REPEAT_BUYERS)
    return fallback(`${repeatBuyers} repeat buyers, fewer than ${MIN_REPEAT_BUYERS}`);
  try {
    const fit = fits.fitOf(clvFitInputs(histories));
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
      perCustomer: new Map(values.map((v) => [v.customerId, v])),
    };
  } catch (error) {
    return fallback(`the models did not fit: ${(error as Error).message}`);
  }
}
