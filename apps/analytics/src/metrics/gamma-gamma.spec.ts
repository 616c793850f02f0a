import { cdnowCustomers } from './cdnow.fixtures';
import {
  expectedMeanSpend,
  fitGammaGamma,
  gammaGammaLogLikelihood,
  gammaGammaWeightedLogLikelihood,
  populationMeanSpend,
  weighSpends,
} from './gamma-gamma';
import { lnGamma } from './numeric';

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

describe('Gamma-Gamma over distinct spends with weights', () => {
  const SPENDS = [
    { x: 3, meanAmount: 25.5 },
    { x: 1, meanAmount: 10 },
    { x: 0, meanAmount: 0 },
    { x: 1, meanAmount: 10 },
    { x: 2, meanAmount: 0 },
    { x: 1, meanAmount: 12.25 },
  ];
  // The module comment's ln L, written out for one customer.
  const lnL = ({ p, q, gamma }: typeof PUBLISHED, { x, meanAmount: m }: { x: number; meanAmount: number }) =>
    lnGamma(p * x + q) -
    lnGamma(p * x) -
    lnGamma(q) +
    q * Math.log(gamma) +
    (p * x - 1) * Math.log(m) +
    p * x * Math.log(x) -
    (p * x + q) * Math.log(gamma + m * x);

  it('keeps the repeat buyers with a spend, identical ones merged into counts, in a fixed order', () => {
    const expected = [
      { x: 1, meanAmount: 10, count: 2 },
      { x: 1, meanAmount: 12.25, count: 1 },
      { x: 3, meanAmount: 25.5, count: 1 },
    ];
    expect(weighSpends(SPENDS)).toEqual(expected);
    expect(weighSpends([...SPENDS].reverse())).toEqual(expected);
  });

  it('has the log-likelihood of the population: each fitted customer’s, summed', () => {
    const fitted = SPENDS.filter((s) => s.x > 0 && s.meanAmount > 0);
    const plain = fitted.reduce((sum, s) => sum + lnL(PUBLISHED, s), 0);
    expect(gammaGammaWeightedLogLikelihood(PUBLISHED, weighSpends(SPENDS))).toBeCloseTo(plain, 10);
    expect(gammaGammaLogLikelihood(PUBLISHED, { x: 3, meanAmount: 25.5 })).toBeCloseTo(
      lnL(PUBLISHED, { x: 3, meanAmount: 25.5 }),
      12,
    );
  });
});
