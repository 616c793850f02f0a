import { conditionalExpectedPurchases, type CustomerPurchaseHistory } from './bg-nbd';
import { cdnowCustomers } from './cdnow.fixtures';
import { fitClvModel, predictCustomerValue, type ClvModel } from './clv-predicted';

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
