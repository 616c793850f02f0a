import { cdnowCustomers } from './cdnow.fixtures';
import {
  expectedMeanSpend,
  fitGammaGamma,
  gammaGammaLogLikelihood,
  populationMeanSpend,
} from './gamma-gamma';

// Published for the CDNOW sample by Fader & Hardie (2013): p = 6.25, q = 3.74, γ = 15.44.
const PUBLISHED = { p: 6.25, q: 3.74, gamma: 15.44 };

describe('Gamma-Gamma', () => {
  it('fits the CDNOW repeat buyers to the published parameters', () => {
    const fit = fitGammaGamma(cdnowCustomers().map((c) => ({ x: c.x, meanAmount: c.zbar })));
    expect(fit.customers).toBe(946);
    expect(fit.converged).toBe(true);
    expect(fit.params.p).toBeCloseTo(PUBLISHED.p, 2);
    expect(fit.params.q).toBeCloseTo(PUBLISHED.q, 2);
    expect(fit.params.gamma).toBeCloseTo(PUBLISHED.gamma, 1);
  });

  it('has the population mean p·γ/(q − 1) and shrinks a customer towards it', () => {
    // 6.25 · 15.44 / 2.74 = 96.5 / 2.74
    expect(populationMeanSpend(PUBLISHED)).toBeCloseTo(35.219, 3);
    // 6.25 · (15.44 + 2 · 22.35) / (6.25 · 2 + 2.74) = 375.875 / 15.24
    expect(expectedMeanSpend(PUBLISHED, { x: 2, meanAmount: 22.35 })).toBeCloseTo(24.6637, 4);
    expect(expectedMeanSpend(PUBLISHED, { x: 0, meanAmount: 0 })).toBe(populationMeanSpend(PUBLISHED));
  });

  it('computes the log-likelihood of one customer', () => {
    // x = 1, m = 10, p = q = γ = 1: ln Γ(2) − ln Γ(1)² + 0 + 0 + 0 − 2 ln 11
    expect(gammaGammaLogLikelihood({ p: 1, q: 1, gamma: 1 }, { x: 1, meanAmount: 10 })).toBeCloseTo(
      -2 * Math.log(11),
      12,
    );
  });

  it('refuses a mean when q ≤ 1 and a fit without repeat buyers', () => {
    expect(() => populationMeanSpend({ p: 1, q: 1, gamma: 1 })).toThrow(RangeError);
    expect(() => expectedMeanSpend({ p: 1, q: 0.5, gamma: 1 }, { x: 2, meanAmount: 10 })).toThrow(RangeError);
    expect(() => fitGammaGamma([{ x: 0, meanAmount: 0 }])).toThrow(RangeError);
  });
});
