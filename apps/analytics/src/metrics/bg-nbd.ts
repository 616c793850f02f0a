/**
 * BG/NBD ("Counting your customers the easy way", Fader, Hardie & Lee 2005): how many purchases a
 * customer will make, from their frequency and recency.
 *
 * Model: while alive, a customer buys as a Poisson process of rate λ ~ Gamma(shape r, rate α);
 * after each purchase they drop out with probability p ~ Beta(a, b). A customer's history is
 * x = repeat purchases (after the first), t_x = time of the last purchase and T = time of
 * observation, both measured from the first purchase (in any fixed unit; weeks by default here).
 *
 * Per-customer likelihood (B = Beta function):
 *   L = B(a, b + x)/B(a, b) · Γ(r + x) αʳ / (Γ(r) (α + T)^(r+x))
 *     + [x > 0] · B(a + 1, b + x − 1)/B(a, b) · Γ(r + x) αʳ / (Γ(r) (α + t_x)^(r+x)).
 * Expected purchases in (0, t] of a new customer:
 *   E[X(t)] = (a + b − 1)/(a − 1) · [1 − (α/(α + t))ʳ ₂F₁(r, b; a + b − 1; t/(α + t))].
 * Expected purchases in (T, T + t] given (x, t_x, T):
 *   E[Y(t)] = (a + b + x − 1)/(a − 1) · [1 − ((α + T)/(α + T + t))^(r+x) ₂F₁(r + x, b + x; a + b + x − 1; t/(α + T + t))]
 *             / (1 + [x > 0] · a/(b + x − 1) · ((α + T)/(α + t_x))^(r+x)).
 * P(alive | x, t_x, T) = 1 / (1 + [x > 0] · a/(b + x − 1) · ((α + T)/(α + t_x))^(r+x)).
 * Both expectations are finite for any a ≠ 1 (for a < 1 both factors are negative, as with the
 * CDNOW parameters); at a = 1 the closed form is 0/0 and is refused.
 *
 * Fitting: maximum likelihood by Nelder-Mead over the logarithms of (r, α, a, b) (so they stay
 * positive), from (1, 1, 1, 1), restarted from its own result until the log-likelihood stops
 * improving by 1e-9, within FIT_ITERATIONS iterations in all (else it is not converged). Customers sharing a history count once, times their number, and ln(α + t) is
 * computed once per distinct time: the cost of an evaluation is the number of distinct histories.
 *
 * Time resolution: `purchaseHistories` counts t_x and T in whole UTC days (the day numbers of the
 * first purchase, the last purchase and asOf, subtracted), then expresses them in weeks. The model
 * describes purchase rates of weeks to years, so a time of day adds nothing to it; whole days make
 * the histories of a large population fall into few distinct ones (x = 0 customers differ only by
 * the day they first bought), which keeps a fit fast, and make a history, hence the fit, the same
 * all day long until a new order arrives, which lets a fit be reused (./clv-fit-cache).
 */
import { FIT_ITERATIONS, hyp2f1, lnBeta, lnGamma, nelderMead } from './numeric';
import type { WonOrder } from './rfm';
import { DAY_MS, instant } from './stats';

export interface BgNbdParams {
  readonly r: number;
  readonly alpha: number;
  readonly a: number;
  readonly b: number;
}

export interface PurchaseHistory {
  /** Repeat purchases: all purchases but the first. */
  readonly x: number;
  /** Time from the first to the last purchase. */
  readonly tx: number;
  /** Time from the first purchase to the end of observation (asOf). */
  readonly T: number;
}

export interface CustomerPurchaseHistory extends PurchaseHistory {
  readonly customerId: string;
  /** Mean amount of the repeat purchases (what Gamma-Gamma models); null when x = 0. */
  readonly repeatMeanAmount: number | null;
}

/**
 * Each customer's (x, t_x, T) as of `asOf` from won orders (each order is a purchase), times in
 * units of `unitDays` days (7: weeks), counted in whole UTC days (module comment).
 */
export function purchaseHistories(
  orders: readonly WonOrder[],
  asOf: string,
  unitDays = 7,
): CustomerPurchaseHistory[] {
  const now = instant(asOf);
  const today = utcDay(now);
  // Each order's time parsed once; per customer, the indices of their orders that happened by
  // asOf (at ≤ asOf: an order exactly at asOf counts, as everywhere, ./as-of).
  const at = new Float64Array(orders.length);
  const byCustomer = new Map<string, number[]>();
  orders.forEach((order, i) => {
    at[i] = instant(order.wonAt);
    if (at[i] > now) return;
    const own = byCustomer.get(order.customerId);
    if (own) own.push(i);
    else byCustomer.set(order.customerId, [i]);
  });
  const histories: CustomerPurchaseHistory[] = [];
  for (const [customerId, own] of byCustomer) {
    // Stable: orders at the same instant keep their order, the first of them is the first purchase.
    if (own.some((i, k) => k > 0 && at[i] < at[own[k - 1]])) own.sort((p, q) => at[p] - at[q]);
    const x = own.length - 1;
    let repeatSum = 0;
    for (let k = 1; k <= x; k++) repeatSum += orders[own[k]].amount;
    const firstDay = utcDay(at[own[0]]);
    histories.push({
      customerId,
      x,
      tx: (utcDay(at[own[x]]) - firstDay) / unitDays,
      T: (today - firstDay) / unitDays,
      repeatMeanAmount: x === 0 ? null : repeatSum / x,
    });
  }
  return histories;
}

/** The UTC day number of an instant (days since 1970-01-01). */
const utcDay = (ms: number) => Math.floor(ms / DAY_MS);

/** ln L of one customer's history (module comment). */
export function bgNbdLogLikelihood({ r, alpha, a, b }: BgNbdParams, { x, tx, T }: PurchaseHistory): number {
  const common = lnGamma(r + x) - lnGamma(r) + r * Math.log(alpha);
  const stays = lnBeta(a, b + x) - lnBeta(a, b) - (r + x) * Math.log(alpha + T);
  if (x === 0) return common + stays;
  const leaves = lnBeta(a + 1, b + x - 1) - lnBeta(a, b) - (r + x) * Math.log(alpha + tx);
  const top = Math.max(stays, leaves);
  return common + top + Math.log(Math.exp(stays - top) + Math.exp(leaves - top));
}

/** A distinct history and how many customers share it. */
export interface WeightedHistory extends PurchaseHistory {
  readonly count: number;
}

/**
 * Identical histories merged, in a canonical order (x, then T, then t_x): the same population
 * gives the same list whatever the order of its customers, so the list can key a cache of fits.
 */
export function weighHistories(histories: readonly PurchaseHistory[]): WeightedHistory[] {
  const merged = new Map<string, WeightedHistory>();
  for (const { x, tx, T } of histories) {
    if (!Number.isInteger(x) || x < 0)
      throw new RangeError(`repeat purchases must be a whole number, got ${x}`);
    const key = `${x}|${tx}|${T}`;
    const seen = merged.get(key);
    merged.set(key, { x, tx, T, count: (seen?.count ?? 0) + 1 });
  }
  return [...merged.values()].sort((p, q) => p.x - q.x || p.T - q.T || p.tx - q.tx);
}

const { exp, log, log1p, abs } = Math;

/**
 * Weighted histories laid out for the likelihood: every distinct time (t_x or T) once, so that
 * ln(α + t) is computed once per distinct time and evaluation rather than per customer.
 */
interface Prepared {
  readonly x: Int32Array;
  readonly count: Float64Array;
  readonly tIndex: Int32Array;
  readonly txIndex: Int32Array;
  readonly times: Float64Array;
  readonly maxX: number;
}

function prepare(histories: readonly WeightedHistory[]): Prepared {
  const timeIndex = new Map<number, number>();
  const indexOf = (t: number) => {
    const seen = timeIndex.get(t);
    if (seen !== undefined) return seen;
    timeIndex.set(t, timeIndex.size);
    return timeIndex.size - 1;
  };
  const n = histories.length;
  const prepared = {
    x: new Int32Array(n),
    count: new Float64Array(n),
    tIndex: new Int32Array(n),
    txIndex: new Int32Array(n),
    maxX: 0,
  };
  histories.forEach(({ x, tx, T, count }, i) => {
    prepared.x[i] = x;
    prepared.count[i] = count;
    prepared.tIndex[i] = indexOf(T);
    prepared.txIndex[i] = indexOf(tx);
    prepared.maxX = Math.max(prepared.maxX, x);
  });
  return { ...prepared, times: Float64Array.from(timeIndex.keys()) };
}

/**
 * Σ count · ln L over prepared histories. The gamma-function ratios of whole x are running sums,
 * ln Γ(r + x) − ln Γ(r) = Σₖ₌₀..ₓ₋₁ ln(r + k), and the same for b and a + b, so
 * ln B(a, b + x) − ln B(a, b) = S_b(x) − S_ab(x) and ln B(a + 1, b + x − 1) − ln B(a, b) = ln a + S_b(x − 1) − S_ab(x);
 * all of them depend on x only and are tabulated once per evaluation, like ln(α + t) per distinct
 * time. Per history there is left ln(e^stays + e^leaves) = max + ln(1 + e^−|stays − leaves|).
 */
function preparedLogLikelihood({ r, alpha, a, b }: BgNbdParams, h: Prepared): number {
  const logAlphaPlus = new Float64Array(h.times.length);
  for (let i = 0; i < h.times.length; i++) logAlphaPlus[i] = log(alpha + h.times[i]);
  // Per x: the terms of `stays` and `leaves` that do not depend on the times.
  const common = new Float64Array(h.maxX + 1);
  const stayBase = new Float64Array(h.maxX + 1);
  const leaveBase = new Float64Array(h.maxX + 1);
  const rLogAlpha = r * log(alpha);
  const logA = log(a);
  let sR = 0;
  let sB = 0;
  let sAB = 0;
  for (let x = 0; x <= h.maxX; x++) {
    common[x] = sR + rLogAlpha;
    stayBase[x] = sB - sAB;
    if (x > 0) leaveBase[x] = logA + sB - log(b + x - 1) - sAB;
    sR += log(r + x);
    sB += log(b + x);
    sAB += log(a + b + x);
  }
  let total = 0;
  for (let i = 0; i < h.x.length; i++) {
    const x = h.x[i];
    const stays = stayBase[x] - (r + x) * logAlphaPlus[h.tIndex[i]];
    let ll = common[x] + stays;
    if (x > 0) {
      const leaves = leaveBase[x] - (r + x) * logAlphaPlus[h.txIndex[i]];
      ll = common[x] + (stays > leaves ? stays : leaves) + log1p(exp(-abs(stays - leaves)));
    }
    total += h.count[i] * ll;
  }
  return total;
}

/** Σ count · ln L over distinct histories with their counts. */
export function bgNbdWeightedLogLikelihood(
  params: BgNbdParams,
  histories: readonly WeightedHistory[],
): number {
  return preparedLogLikelihood(params, prepare(histories));
}

/** Σ ln L over the histories (equal to summing `bgNbdLogLikelihood`, computed faster). */
export function bgNbdTotalLogLikelihood(params: BgNbdParams, histories: readonly PurchaseHistory[]): number {
  return bgNbdWeightedLogLikelihood(params, weighHistories(histories));
}

/** a/(b + x − 1) · ((α + T)/(α + t_x))^(r+x) for x > 0, else 0: the odds of having dropped out. */
export function dropoutOdds({ r, alpha, a, b }: BgNbdParams, { x, tx, T }: PurchaseHistory): number {
  return x === 0 ? 0 : (a / (b + x - 1)) * Math.pow((alpha + T) / (alpha + tx), r + x);
}

/** P(alive | x, t_x, T). */
export function probabilityAlive(params: BgNbdParams, history: PurchaseHistory): number {
  return 1 / (1 + dropoutOdds(params, history));
}

function requireClosedForm({ a }: BgNbdParams) {
  if (Math.abs(a - 1) < 1e-12) throw new RangeError('BG/NBD expectations have no closed form at a = 1');
}

/** E[X(t)]: expected purchases in (0, t] of a customer just acquired. */
export function expectedPurchases(params: BgNbdParams, t: number): number {
  requireClosedForm(params);
  const { r, alpha, a, b } = params;
  const hyper = hyp2f1(r, b, a + b - 1, t / (alpha + t));
  return ((a + b - 1) / (a - 1)) * (1 - Math.pow(alpha / (alpha + t), r) * hyper);
}

/** E[Y(t) | x, t_x, T]: expected purchases in the next t time units. */
export function conditionalExpectedPurchases(
  params: BgNbdParams,
  history: PurchaseHistory,
  t: number,
): number {
  return expectedPurchasesIfAlive(params, history, t) / (1 + dropoutOdds(params, history));
}

/**
 * E[Y(t) | alive, x, T] = E[Y(t) | x, t_x, T] / P(alive): the numerator of the module comment's
 * E[Y(t)], which does not depend on t_x (so customers differing only in t_x share it).
 */
export function expectedPurchasesIfAlive(
  params: BgNbdParams,
  { x, T }: Pick<PurchaseHistory, 'x' | 'T'>,
  t: number,
): number {
  requireClosedForm(params);
  const { r, alpha, a, b } = params;
  const hyper = hyp2f1(r + x, b + x, a + b + x - 1, t / (alpha + T + t));
  const bracket = 1 - Math.pow((alpha + T) / (alpha + T + t), r + x) * hyper;
  return ((a + b + x - 1) / (a - 1)) * bracket;
}

export interface BgNbdFit {
  readonly params: BgNbdParams;
  readonly logLikelihood: number;
  readonly iterations: number;
  readonly converged: boolean;
}

const toParams = ([r, alpha, a, b]: readonly number[]): BgNbdParams => ({
  r: Math.exp(r),
  alpha: Math.exp(alpha),
  a: Math.exp(a),
  b: Math.exp(b),
});

/** Maximum-likelihood BG/NBD parameters of `histories` (module comment). */
export function fitBgNbd(histories: readonly PurchaseHistory[], budget = FIT_ITERATIONS): BgNbdFit {
  return fitBgNbdWeighted(weighHistories(histories), budget);
}

/** `fitBgNbd` of the customers behind distinct histories with their counts. */
export function fitBgNbdWeighted(histories: readonly WeightedHistory[], budget = FIT_ITERATIONS): BgNbdFit {
  if (histories.length === 0) throw new RangeError('BG/NBD needs at least one customer');
  const prepared = prepare(histories);
  const negative = (logs: readonly number[]) => -preparedLogLikelihood(toParams(logs), prepared);
  let start = [0, 0, 0, 0];
  let iterations = 0;
  let previous = Infinity;
  for (;;) {
    const result = nelderMead(negative, start, {
      tolerance: 1e-9,
      maxIterations: budget - iterations,
    });
    iterations += result.iterations;
    const improved = previous - result.value > 1e-9;
    previous = Math.min(previous, result.value);
    start = result.x;
    if (!improved || iterations >= budget) {
      const converged = result.converged && !improved;
      return { params: toParams(start), logLikelihood: -previous, iterations, converged };
    }
  }
}
