/**
 * Numerical building blocks for the probability models: log-gamma, the Gauss hypergeometric
 * function and a Nelder-Mead minimiser. Pure and deterministic.
 */

// Module-level copies: in a vm context (jest) every lookup of the global `Math` is slow, and the
// fits call these millions of times.
const { abs, log, sin, PI } = Math;

// Lanczos approximation, g = 7, n = 9 (relative error below 1e-15 for real x > 0).
const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
  12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];

/** ln Γ(x) for x > 0 (reflection formula below ½). */
export function lnGamma(x: number): number {
  if (x < 0.5) return log(PI / abs(sin(PI * x))) - lnGamma(1 - x);
  const z = x - 1;
  let sum = LANCZOS[0];
  for (let i = 1; i < LANCZOS.length; i++) sum += LANCZOS[i] / (z + i);
  const t = z + 7.5;
  return 0.5 * log(2 * PI) + (z + 0.5) * log(t) - t + log(sum);
}

/** ln B(a, b) = ln Γ(a) + ln Γ(b) − ln Γ(a + b). */
export function lnBeta(a: number, b: number): number {
  return lnGamma(a) + lnGamma(b) - lnGamma(a + b);
}

/**
 * Gauss hypergeometric ₂F₁(a, b; c; z) by its power series Σ (a)ₖ(b)ₖ / ((c)ₖ k!) zᵏ, for
 * 0 ≤ z < 1 (where the series converges); summed until a term is below 1e-15 of the sum.
 */
export function hyp2f1(a: number, b: number, c: number, z: number): number {
  if (!(z >= 0 && z < 1)) throw new RangeError(`hyp2f1 series needs 0 <= z < 1, got ${z}`);
  let term = 1;
  let sum = 1;
  for (let k = 0; k < 100_000; k++) {
    term *= ((a + k) * (b + k) * z) / ((c + k) * (k + 1));
    sum += term;
    if (Math.abs(term) < 1e-15 * Math.abs(sum)) return sum;
  }
  throw new RangeError(`hyp2f1(${a}, ${b}; ${c}; ${z}) did not converge`);
}

export interface MinimiseResult {
  readonly x: number[];
  readonly value: number;
  readonly iterations: number;
  readonly converged: boolean;
}

/**
 * Nelder-Mead simplex minimisation of `f` from `start` (standard coefficients: reflection 1,
 * expansion 2, contraction ½, shrink ½; initial simplex steps of `step` along each axis).
 * Stops when the simplex's values differ by less than `tolerance` (absolute) and its points by
 * less than `tolerance` along every axis, or after `maxIterations`. Non-finite values count as +∞.
 */
export function nelderMead(
  f: (x: readonly number[]) => number,
  start: readonly number[],
  { step = 0.5, tolerance = 1e-10, maxIterations = 20_000 } = {},
): MinimiseResult {
  const value = (x: number[]) => {
    const v = f(x);
    return Number.isFinite(v) ? v : Infinity;
  };
  const n = start.length;
  let simplex = [start, ...start.map((_, i) => start.map((s, j) => (i === j ? s + step : s)))].map((x) => ({
    x: [...x],
    v: value([...x]),
  }));
  const along = (from: number[], to: number[], t: number) => from.map((a, i) => a + t * (to[i] - a));
  let iterations = 0;
  for (; iterations < maxIterations; iterations++) {
    simplex.sort((p, q) => p.v - q.v);
    const best = simplex[0];
    const worst = simplex[n];
    const spread = Math.max(...simplex.map((p) => Math.max(...p.x.map((xi, i) => Math.abs(xi - best.x[i])))));
    if (Math.abs(worst.v - best.v) < tolerance && spread < tolerance) {
      return { x: best.x, value: best.v, iterations, converged: true };
    }
    const centroid = best.x.map((_, i) => simplex.slice(0, n).reduce((s, p) => s + p.x[i], 0) / n);
    const reflected = along(centroid, worst.x, -1);
    const vr = value(reflected);
    if (vr < best.v) {
      const expanded = along(centroid, worst.x, -2);
      const ve = value(expanded);
      simplex[n] = ve < vr ? { x: expanded, v: ve } : { x: reflected, v: vr };
    } else if (vr < simplex[n - 1].v) {
      simplex[n] = { x: reflected, v: vr };
    } else {
      const outside = vr < worst.v;
      const contracted = along(centroid, outside ? reflected : worst.x, 0.5);
      const vc = value(contracted);
      if (vc < (outside ? vr : worst.v)) simplex[n] = { x: contracted, v: vc };
      else
        simplex = simplex.map((p, i) => {
          if (i === 0) return p;
          const x = along(best.x, p.x, 0.5);
          return { x, v: value(x) };
        });
    }
  }
  simplex.sort((p, q) => p.v - q.v);
  return { x: simplex[0].x, value: simplex[0].v, iterations, converged: false };
}

/**
 * Nelder-Mead iterations a model fit may spend in all (its restarts included). A well-posed fit
 * converges in a few hundred (BG/NBD on CDNOW: 341); on a population the model does not describe
 * (a parameter running off to infinity along a flat ridge) the search would otherwise crawl on for
 * tens of thousands, i.e. tens of seconds per dashboard request. A fit that runs out of it is
 * answered as not converged.
 */
export const FIT_ITERATIONS = 3_000;
