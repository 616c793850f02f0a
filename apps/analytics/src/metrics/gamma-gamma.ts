/**
 * Gamma-Gamma model of spend per transaction (Fader & Hardie, "The Gamma-Gamma model of monetary
 * value", 2013; Colombo & Jiang 1999). A customer's transaction values are Gamma(shape p, rate ν)
 * with ν ~ Gamma(shape q, rate γ) across customers; it is fitted on customers with at least one
 * repeat purchase, from x = their number of repeat purchases and m = the mean of those amounts.
 *
 * Per-customer log-likelihood (terms constant in the parameters dropped):
 *   ln L = ln Γ(px + q) − ln Γ(px) − ln Γ(q) + q ln γ + (px − 1) ln m + px ln x − (px + q) ln(γ + m x).
 * Population mean spend: E[M] = p γ / (q − 1) (needs q > 1).
 * Expected mean spend of a customer given (x, m):
 *   E[M | x, m] = p (γ + m x) / (p x + q − 1)
 *              = (q − 1)/(p x + q − 1) · E[M] + p x/(p x + q − 1) · m  (a weighted mean);
 * for x = 0 that is E[M].
 * Fitting: maximum likelihood by Nelder-Mead over ln p, ln q, ln γ from (1, 1, 1), restarted from
 * its own result until the log-likelihood stops improving by 1e-9, within FIT_ITERATIONS iterations
 * in all (else it is not converged). Identical customers count once
 * times their number, and the terms that depend on x only are computed once per distinct x.
 * The model assumes spend independent of purchase frequency; check before trusting it.
 */
import { FIT_ITERATIONS, lnGamma, nelderMead } from './numeric';

export interface GammaGammaParams {
  readonly p: number;
  readonly q: number;
  readonly gamma: number;
}

export interface SpendHistory {
  /** Repeat purchases (> 0 to be fitted). */
  readonly x: number;
  /** Mean amount of those purchases (> 0). */
  readonly meanAmount: number;
}

const { exp, log } = Math;

/** ln L of one customer (module comment). */
export function gammaGammaLogLikelihood(params: GammaGammaParams, history: SpendHistory): number {
  return gammaGammaWeightedLogLikelihood(params, [{ ...history, count: 1 }]);
}

/** A distinct (x, m) and how many customers share it. */
export interface WeightedSpend extends SpendHistory {
  readonly count: number;
}

/**
 * The customers a fit uses (x > 0 and a positive mean amount), identical ones merged, in a
 * canonical order (x, then m): the same population gives the same list, which can key a cache.
 */
export function weighSpends(histories: readonly SpendHistory[]): WeightedSpend[] {
  const merged = new Map<string, WeightedSpend>();
  for (const { x, meanAmount } of histories) {
    if (!(x > 0 && meanAmount > 0)) continue;
    const key = `${x}|${meanAmount}`;
    merged.set(key, { x, meanAmount, count: (merged.get(key)?.count ?? 0) + 1 });
  }
  return [...merged.values()].sort((p, q) => p.x - q.x || p.meanAmount - q.meanAmount);
}

/**
 * Weighted spends laid out for the likelihood: the terms that depend on x only (the gamma
 * functions and px ln x) are computed once per distinct x (few: purchase counts) and evaluation.
 * Each customer's ln L is still summed whole: grouping the terms linear in ln m across customers
 * would subtract sums of the order of the total from each other and leave rounding noise above
 * the fit's 1e-9 tolerance, so that it would not converge.
 */
interface Prepared {
  /** Per distinct x: x and ln x. */
  readonly xs: Float64Array;
  readonly logXs: Float64Array;
  /** Per distinct (x, m): the index of its x, ln m, m · x and its count. */
  readonly xIndex: Int32Array;
  readonly logM: Float64Array;
  readonly mx: Float64Array;
  readonly count: Float64Array;
}

function prepare(spends: readonly WeightedSpend[]): Prepared {
  const indexOfX = new Map<number, number>();
  const xIndex = Int32Array.from(spends, ({ x }) => {
    if (!indexOfX.has(x)) indexOfX.set(x, indexOfX.size);
    return indexOfX.get(x)!;
  });
  const xs = Float64Array.from(indexOfX.keys());
  return {
    xs,
    logXs: xs.map(log),
    xIndex,
    logM: Float64Array.from(spends, (s) => log(s.meanAmount)),
    mx: Float64Array.from(spends, (s) => s.meanAmount * s.x),
    count: Float64Array.from(spends, (s) => s.count),
  };
}

function preparedLogLikelihood({ p, q, gamma }: GammaGammaParams, h: Prepared): number {
  const constant = q * log(gamma) - lnGamma(q);
  // Per x: ln Γ(px + q) − ln Γ(px) + q ln γ − ln Γ(q) + px ln x, px − 1 and px + q.
  const base = new Float64Array(h.xs.length);
  const mPower = new Float64Array(h.xs.length);
  const shape = new Float64Array(h.xs.length);
  for (let j = 0; j < h.xs.length; j++) {
    const px = p * h.xs[j];
    base[j] = lnGamma(px + q) - lnGamma(px) + constant + px * h.logXs[j];
    mPower[j] = px - 1;
    shape[j] = px + q;
  }
  let total = 0;
  for (let i = 0; i < h.mx.length; i++) {
    const j = h.xIndex[i];
    total += h.count[i] * (base[j] + mPower[j] * h.logM[i] - shape[j] * log(gamma + h.mx[i]));
  }
  return total;
}

/** Σ count · ln L over distinct spends with their counts (module comment). */
export function gammaGammaWeightedLogLikelihood(
  params: GammaGammaParams,
  spends: readonly WeightedSpend[],
): number {
  return preparedLogLikelihood(params, prepare(spends));
}

/** E[M] = p γ / (q − 1). */
export function populationMeanSpend({ p, q, gamma }: GammaGammaParams): number {
  if (!(q > 1)) throw new RangeError(`Gamma-Gamma mean needs q > 1, got q = ${q}`);
  return (p * gamma) / (q - 1);
}

/** E[M | x, m]; the population mean for a customer without repeat purchases. */
export function expectedMeanSpend(params: GammaGammaParams, history: SpendHistory): number {
  const { p, q, gamma } = params;
  if (history.x === 0) return populationMeanSpend(params);
  if (!(q > 1)) throw new RangeError(`Gamma-Gamma mean needs q > 1, got q = ${q}`);
  return (p * (gamma + history.meanAmount * history.x)) / (p * history.x + q - 1);
}

export interface GammaGammaFit {
  readonly params: GammaGammaParams;
  readonly logLikelihood: number;
  readonly customers: number;
  readonly converged: boolean;
}

/** Maximum-likelihood parameters from the customers with x > 0 and a positive mean amount. */
export function fitGammaGamma(histories: readonly SpendHistory[]): GammaGammaFit {
  return fitGammaGammaWeighted(weighSpends(histories));
}

/** `fitGammaGamma` of the customers behind `weighSpends`' distinct spends with their counts. */
export function fitGammaGammaWeighted(spends: readonly WeightedSpend[]): GammaGammaFit {
  if (spends.length === 0) throw new RangeError('Gamma-Gamma needs a customer with a repeat purchase');
  const prepared = prepare(spends);
  const toParams = ([p, q, gamma]: readonly number[]) => ({ p: exp(p), q: exp(q), gamma: exp(gamma) });
  const negative = (logs: readonly number[]) => -preparedLogLikelihood(toParams(logs), prepared);
  let start = [0, 0, 0];
  let previous = Infinity;
  let iterations = 0;
  for (;;) {
    const result = nelderMead(negative, start, {
      tolerance: 1e-9,
      maxIterations: FIT_ITERATIONS - iterations,
    });
    iterations += result.iterations;
    const improved = previous - result.value > 1e-9;
    previous = Math.min(previous, result.value);
    start = result.x;
    if (!improved || iterations >= FIT_ITERATIONS) {
      return {
        params: toParams(start),
        logLikelihood: -previous,
        customers: spends.reduce((sum, s) => sum + s.count, 0),
        converged: result.converged && !improved,
      };
    }
  }
}
