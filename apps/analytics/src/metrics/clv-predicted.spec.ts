import { conditionalExpectedPurchases, type CustomerPurchaseHistory } from './bg-nbd';
import { cdnowCustomers } from './cdnow.fixtures';
import {
  clvFitInputs,
  fitClvModel,
  predictCustomerValue,
  predictCustomerValues,
  type ClvModel,
} from './clv-predicted';

// The published CDNOW parameters of both models (weeks, dollars).
const MODEL: ClvModel = {
  bgNbd: { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 },
  gammaGamma: { p: 6.25, q: 3.74, gamma: 15.44 },
};
const FIRST: CustomerPurchaseHistory = {
  customerId: 'c1',
  x: 2,
  tx: 30.43,
  T: 38.86,
  repeatMeanAmount: 22.35,
};
const NO_DISCOUNT = { horizon: 39, periods: 1, discountRatePerPeriod: 0, margin: 1 };

describe('predicted CLV (BG/NBD × Gamma-Gamma, discounted)', () => {
  it('multiplies expected purchases by expected spend per purchase', () => {
    // 1.22603 purchases × 24.6637 (= 375.875 / 15.24) = 30.238
    expect(predictCustomerValue(MODEL, FIRST, NO_DISCOUNT)).toEqual({
      customerId: 'c1',
      probabilityAlive: expect.closeTo(0.72658, 4),
      expectedPurchases: expect.closeTo(1.22603, 4),
      expectedSpendPerPurchase: 24.66,
      predictedClv: 30.24,
    });
  });

  it('telescopes to the same value over many undiscounted periods, and scales by the margin', () => {
    expect(predictCustomerValue(MODEL, FIRST, { ...NO_DISCOUNT, periods: 13 }).predictedClv).toBe(30.24);
    // 30.238 × 0.3 = 9.071
    expect(predictCustomerValue(MODEL, FIRST, { ...NO_DISCOUNT, margin: 0.3 }).predictedClv).toBe(9.07);
  });

  it('discounts each period’s expected purchases by (1 + d)^i', () => {
    const cumulative = [13, 26, 39].map((t) => conditionalExpectedPurchases(MODEL.bgNbd, FIRST, t));
    const increments = cumulative.map((c, i) => c - (i === 0 ? 0 : cumulative[i - 1]));
    const discounted = increments.reduce((sum, d, i) => sum + d / 1.01 ** (i + 1), 0);
    const value = predictCustomerValue(MODEL, FIRST, {
      horizon: 39,
      periods: 3,
      discountRatePerPeriod: 0.01,
      margin: 1,
    });
    expect(value.predictedClv).toBe(Math.round((375.875 / 15.24) * discounted * 100) / 100);
    expect(value.predictedClv).toBeLessThan(30.24);
  });

  it('values a customer without repeat purchases at the population spend', () => {
    const value = predictCustomerValue(
      MODEL,
      { customerId: 'c3', x: 0, tx: 0, T: 38.86, repeatMeanAmount: null },
      NO_DISCOUNT,
    );
    expect(value.probabilityAlive).toBe(1);
    // 96.5 / 2.74
    expect(value.expectedSpendPerPurchase).toBe(35.22);
  });

  it('refuses a horizon or periods that are not positive', () => {
    expect(() => predictCustomerValue(MODEL, FIRST, { ...NO_DISCOUNT, horizon: 0 })).toThrow(RangeError);
    expect(() => predictCustomerValue(MODEL, FIRST, { ...NO_DISCOUNT, periods: 0 })).toThrow(RangeError);
  });

  it('fits both models on one population', () => {
    const histories = cdnowCustomers().map((c, i) => ({
      customerId: String(i),
      x: c.x,
      tx: c.tx,
      T: c.T,
      repeatMeanAmount: c.x > 0 ? c.zbar : null,
    }));
    const { bgNbd, gammaGamma } = fitClvModel(histories);
    expect(bgNbd.params.r).toBeCloseTo(0.243, 3);
    expect(gammaGamma.customers).toBe(946);
    expect(gammaGamma.params.p).toBeCloseTo(6.25, 2);
  });
});

describe('predicted CLV of a population', () => {
  const OPTIONS = { horizon: 52, periods: 12, discountRatePerPeriod: 0.01, margin: 1 };
  // c1 and c2 differ only in recency (t_x): same purchases if alive, different P(alive).
  const POPULATION: CustomerPurchaseHistory[] = [
    FIRST,
    { ...FIRST, customerId: 'c2', tx: 10, repeatMeanAmount: 40 },
    { customerId: 'c3', x: 0, tx: 0, T: 20, repeatMeanAmount: null },
  ];

  it('gives each customer the value predicted for them alone', () => {
    expect(predictCustomerValues(MODEL, POPULATION, OPTIONS)).toEqual(
      POPULATION.map((h) => predictCustomerValue(MODEL, h, OPTIONS)),
    );
  });

  it('expects fewer purchases of the customer whose last purchase is older, by their P(alive)', () => {
    const [c1, c2] = predictCustomerValues(MODEL, POPULATION, OPTIONS);
    expect(c2.expectedPurchases).toBeCloseTo(
      conditionalExpectedPurchases(MODEL.bgNbd, POPULATION[1], 52),
      12,
    );
    expect(c2.expectedPurchases / c2.probabilityAlive).toBeCloseTo(
      c1.expectedPurchases / c1.probabilityAlive,
      12,
    );
    expect(c2.probabilityAlive).toBeLessThan(c1.probabilityAlive);
  });

  it('fits on the distinct histories and spends, each with its number of customers', () => {
    const inputs = clvFitInputs([...POPULATION, { ...FIRST, customerId: 'c4' }]);
    expect(inputs).toEqual({
      histories: [
        { x: 0, tx: 0, T: 20, count: 1 },
        { x: 2, tx: 10, T: 38.86, count: 1 },
        { x: 2, tx: 30.43, T: 38.86, count: 2 },
      ],
      spends: [
        { x: 2, meanAmount: 22.35, count: 2 },
        { x: 2, meanAmount: 40, count: 1 },
      ],
    });
  });
});
