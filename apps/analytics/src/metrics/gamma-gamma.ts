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
 * its own result until the log-likelihood stops improving by 1e-9.
 * The model assumes spend independent of purchase frequency; check before trusting it.
 */
import { lnGamma, nelderMead } from './numeric';

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
export function gammaGammaLogLikelihood(params: GammaGammaParams, { x, meanAmount }: SpendHistory): number {
  return totalLogLikelihood(params, [{ x, m: meanAmount, logX: log(x), logM: log(meanAmount) }]);
}

interface Prepared {
  readonly x: number;
  readonly m: number;
  readonly logX: number;
  readonly logM: number;
}

function totalLogLikelihood({ p, q, gamma }: GammaGammaParams, customers: readonly Prepared[]): number {
  const constant = q * log(gamma) - lnGamma(q);
  let total = 0;
  for (const { x, m, logX, logM } of customers) {
    const px = p * x;
    total +=
      lnGamma(px + q) - lnGamma(px) + constant + (px - 1) * logM + px * logX - (px + q) * log(gamma + m * x);
  }
  return total;
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
  const fitted = histories.filter((h) => h.x > 0 && h.meanAmount > 0);
  if (fitted.length === 0) throw new RangeError('Gamma-Gamma needs a customer with a repeat purchase');
  const prepared = fitted.map(({ x, meanAmount: m }) => ({ x, m, logX: log(x), logM: log(m) }));
  const toParams = ([p, q, gamma]: readonly number[]) => ({ p: exp(p), q: exp(q), gamma: exp(gamma) });
  const negative = (logs: readonly number[]) => -totalLogLikelihood(toParams(logs), prepared);
  let start = [0, 0, 0];
  let previous = Infinity;
  for (let round = 0; ; round++) {
    const result = nelderMead(negative, start, { tolerance: 1e-9 });
    const improved = previous - result.value > 1e-9;
    previous = Math.min(previous, result.value);
    start = result.x;
    if (!improved || round >= 20) {
      return {
        params: toParams(start),
        logLikelihood: -previous,
        customers: fitted.length,
        converged: result.converged,
      };
    }
  }
}
