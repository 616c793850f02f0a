import {
  bgNbdLogLikelihood,
  bgNbdTotalLogLikelihood,
  conditionalExpectedPurchases,
  expectedPurchases,
  fitBgNbd,
  probabilityAlive,
  purchaseHistories,
  type BgNbdFit,
  type BgNbdParams,
} from './bg-nbd';
import { cdnowCustomers } from './cdnow.fixtures';

// Published for the CDNOW sample by Fader, Hardie & Lee (2005), time in weeks.
const PUBLISHED: BgNbdParams = { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 };
const CDNOW = cdnowCustomers();

describe('BG/NBD on the CDNOW sample', () => {
  let fit: BgNbdFit;
  beforeAll(() => {
    fit = fitBgNbd(CDNOW);
  });

  it('fits the published parameters and log-likelihood (−9582.4)', () => {
    expect(CDNOW).toHaveLength(2357);
    expect(fit.converged).toBe(true);
    expect(fit.params.r).toBeCloseTo(PUBLISHED.r, 3);
    expect(fit.params.alpha).toBeCloseTo(PUBLISHED.alpha, 3);
    expect(fit.params.a).toBeCloseTo(PUBLISHED.a, 3);
    expect(fit.params.b).toBeCloseTo(PUBLISHED.b, 3);
    expect(fit.logLikelihood).toBeCloseTo(-9582.4, 1);
  });

  it("gives the expected purchases of a new customer of Hardie's spreadsheet", () => {
    const weeks = [0.1429, 1, 3, 31.8571, 32, 78];
    const published = [0.0078, 0.0532, 0.1506, 1.0405, 1.0437, 1.8576];
    weeks.forEach((t, i) =>
      expect(Math.abs(expectedPurchases(fit.params, t) - published[i])).toBeLessThan(5e-4),
    );
  });

  it('expects 1.226 purchases in the next 39 weeks of the customer x = 2, t_x = 30.43, T = 38.86', () => {
    expect(conditionalExpectedPurchases(PUBLISHED, { x: 2, tx: 30.43, T: 38.86 }, 39)).toBeCloseTo(1.226, 3);
  });

  it('sums the per-customer log-likelihood (the fast total equals the plain one)', () => {
    const plain = CDNOW.reduce((sum, h) => sum + bgNbdLogLikelihood(PUBLISHED, h), 0);
    expect(bgNbdTotalLogLikelihood(PUBLISHED, CDNOW)).toBeCloseTo(plain, 6);
  });
});

describe('BG/NBD per customer', () => {
  it('is sure a customer without repeat purchases is alive', () => {
    expect(probabilityAlive(PUBLISHED, { x: 0, tx: 0, T: 38.86 })).toBe(1);
  });

  it('computes P(alive) = 1 / (1 + a/(b + x − 1) · ((α + T)/(α + t_x))^(r + x))', () => {
    // 0.793/3.426 = 0.231465; (43.274/34.844)^2.243 = 1.625818; 1/(1 + 0.376321) = 0.726575
    expect(probabilityAlive(PUBLISHED, { x: 2, tx: 30.43, T: 38.86 })).toBeCloseTo(0.72658, 4);
  });

  it('has no closed form at a = 1', () => {
    expect(() => expectedPurchases({ ...PUBLISHED, a: 1 }, 10)).toThrow(RangeError);
  });

  it('builds (x, t_x, T) in weeks from won orders as of a date, the order exactly at asOf included', () => {
    const order = (customerId: string, wonAt: string, amount: number) => ({ customerId, wonAt, amount });
    const histories = purchaseHistories(
      [
        order('c1', '2026-01-01T00:00:00Z', 100),
        order('c1', '2026-01-15T00:00:00Z', 30),
        order('c1', '2026-02-12T00:00:00Z', 50),
        order('c1', '2026-03-12T00:00:00.001Z', 999),
        order('c2', '2026-03-12T00:00:00Z', 20),
      ],
      '2026-03-12T00:00:00Z',
    );
    expect(histories).toEqual([
      // last order 42 days (6 weeks) and asOf 70 days (10 weeks) after the first; repeats 30 and 50
      { customerId: 'c1', x: 2, tx: 6, T: 10, repeatMeanAmount: 40 },
      { customerId: 'c2', x: 0, tx: 0, T: 0, repeatMeanAmount: null },
    ]);
  });

  it('refuses to fit nobody', () => {
    expect(() => fitBgNbd([])).toThrow(RangeError);
  });
});
