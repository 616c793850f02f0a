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
 * improving by 1e-9.
 */
import { happenedBy } from './as-of';
import { hyp2f1, lnBeta, lnGamma, nelderMead } from './numeric';
import type { WonOrder } from './rfm';
import { DAY_MS, groupBy, instant } from './stats';

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
 * units of `unitDays` days (7: weeks).
 */
export function purchaseHistories(
  orders: readonly WonOrder[],
  asOf: string,
  unitDays = 7,
): CustomerPurchaseHistory[] {
  const unit = unitDays * DAY_MS;
  const now = instant(asOf);
  const byCustomer = groupBy(
    happenedBy(orders, (o) => o.wonAt, asOf),
    (o) => o.customerId,
  );
  return [...byCustomer.entries()].map(([customerId, own]) => {
    const sorted = [...own].sort((p, q) => instant(p.wonAt) - instant(q.wonAt));
    const first = instant(sorted[0].wonAt);
    const repeats = sorted.slice(1);
    return {
      customerId,
      x: repeats.length,
      tx: (instant(sorted[sorted.length - 1].wonAt) - first) / unit,
      T: (now - first) / unit,
      repeatMeanAmount:
        repeats.length === 0 ? null : repeats.reduce((sum, o) => sum + o.amount, 0) / repeats.length,
    };
  });
}

/** ln L of one customer's history (module comment). */
export function bgNbdLogLikelihood({ r, alpha, a, b }: BgNbdParams, { x, tx, T }: PurchaseHistory): number {
  const common = lnGamma(r + x) - lnGamma(r) + r * Math.log(alpha);
  const stays = lnBeta(a, b + x) - lnBeta(a, b) - (r + x) * Math.log(alpha + T);
  if (x === 0) return common + stays;
  const leaves = lnBeta(a + 1, b + x - 1) - lnBeta(a, b) - (r + x) * Math.log(alpha + tx);
  const top = Math.max(stays, leaves);
  return common + top + Math.log(Math.exp(stays - top) + Math.exp(leaves - top));
}

interface WeightedHistory extends PurchaseHistory {
  readonly count: number;
}

/** Identical histories merged (CDNOW's 2,357 customers are far fewer distinct histories). */
function weigh(histories: readonly PurchaseHistory[]): WeightedHistory[] {
  const merged = new Map<string, WeightedHistory>();
  for (const { x, tx, T } of histories) {
    if (!Number.isInteger(x) || x < 0)
      throw new RangeError(`repeat purchases must be a whole number, got ${x}`);
    const key = `${x}|${tx}|${T}`;
    const seen = merged.get(key);
    merged.set(key, { x, tx, T, count: (seen?.count ?? 0) + 1 });
  }
  return [...merged.values()];
}

const { exp, log, max } = Math;

/**
 * Σ ln L over weighted histories, with the gamma-function ratios of whole x as running sums:
 * ln Γ(r + x) − ln Γ(r) = Σₖ₌₀..ₓ₋₁ ln(r + k), and the same for b and a + b, so
 * ln B(a, b + x) − ln B(a, b) = S_b(x) − S_ab(x) and ln B(a + 1, b + x − 1) − ln B(a, b) = ln a + S_b(x − 1) − S_ab(x).
 */
function weightedLogLikelihood(
  { r, alpha, a, b }: BgNbdParams,
  histories: readonly WeightedHistory[],
  maxX: number,
) {
  const sR = [0];
  const sB = [0];
  const sAB = [0];
  for (let k = 0; k < maxX; k++) {
    sR.push(sR[k] + log(r + k));
    sB.push(sB[k] + log(b + k));
    sAB.push(sAB[k] + log(a + b + k));
  }
  const rLogAlpha = r * log(alpha);
  const logA = log(a);
  let total = 0;
  for (const { x, tx, T, count } of histories) {
    const stays = sB[x] - sAB[x] - (r + x) * log(alpha + T);
    let ll = sR[x] + rLogAlpha + stays;
    if (x > 0) {
      const leaves = logA + sB[x - 1] - sAB[x] - (r + x) * log(alpha + tx);
      const top = max(stays, leaves);
      ll += top - stays + log(exp(stays - top) + exp(leaves - top));
    }
    total += count * ll;
  }
  return total;
}

/** Σ ln L over the histories (equal to summing `bgNbdLogLikelihood`, computed faster). */
export function bgNbdTotalLogLikelihood(params: BgNbdParams, histories: readonly PurchaseHistory[]): number {
  const weighted = weigh(histories);
  return weightedLogLikelihood(params, weighted, Math.max(0, ...weighted.map((h) => h.x)));
}

/** a/(b + x − 1) · ((α + T)/(α + t_x))^(r+x) for x > 0, else 0: the odds of having dropped out. */
function dropoutOdds({ r, alpha, a, b }: BgNbdParams, { x, tx, T }: PurchaseHistory): number {
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
  requireClosedForm(params);
  const { r, alpha, a, b } = params;
  const { x, T } = history;
  const hyper = hyp2f1(r + x, b + x, a + b + x - 1, t / (alpha + T + t));
  const bracket = 1 - Math.pow((alpha + T) / (alpha + T + t), r + x) * hyper;
  return (((a + b + x - 1) / (a - 1)) * bracket) / (1 + dropoutOdds(params, history));
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
export function fitBgNbd(histories: readonly PurchaseHistory[]): BgNbdFit {
  if (histories.length === 0) throw new RangeError('BG/NBD needs at least one customer');
  const weighted = weigh(histories);
  const maxX = Math.max(0, ...weighted.map((h) => h.x));
  const negative = (logs: readonly number[]) => -weightedLogLikelihood(toParams(logs), weighted, maxX);
  let start = [0, 0, 0, 0];
  let iterations = 0;
  let previous = Infinity;
  for (;;) {
    const result = nelderMead(negative, start, { tolerance: 1e-9 });
    iterations += result.iterations;
    const improved = previous - result.value > 1e-9;
    previous = Math.min(previous, result.value);
    start = result.x;
    if (!improved || iterations > 50_000) {
      return { params: toParams(start), logLikelihood: -previous, iterations, converged: result.converged };
    }
  }
}
