import {
  bgNbdLogLikelihood,
  bgNbdTotalLogLikelihood,
  bgNbdWeightedLogLikelihood,
  conditionalExpectedPurchases,
  expectedPurchases,
  fitBgNbd,
  probabilityAlive,
  purchaseHistories,
  weighHistories,
  type BgNbdFit,
  type BgNbdParams,
} from './bg-nbd';
import { cdnowCustomers } from './cdnow.fixtures';
import { FIT_ITERATIONS } from './numeric';

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

describe('BG/NBD within its iteration budget', () => {
  it('stops when the budget is spent and says it did not converge', () => {
    // CDNOW needs a few hundred iterations; a budget of 50 runs out first.
    const fit = fitBgNbd(CDNOW, 50);
    expect(fit.converged).toBe(false);
    expect(fit.iterations).toBeLessThanOrEqual(50);
  });

  it('converges on CDNOW well within the default budget', () => {
    const fit = fitBgNbd(CDNOW);
    expect(fit.converged).toBe(true);
    expect(fit.iterations).toBeLessThan(FIT_ITERATIONS / 2);
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

describe('BG/NBD over distinct histories with weights', () => {
  // Seven customers, four distinct histories; one repeat buyer bought twice on their first day (t_x = 0).
  const POPULATION = [
    { x: 2, tx: 6, T: 10 },
    { x: 0, tx: 0, T: 10 },
    { x: 5, tx: 9.5, T: 12 },
    { x: 2, tx: 6, T: 10 },
    { x: 1, tx: 0, T: 3 },
    { x: 0, tx: 0, T: 10 },
    { x: 2, tx: 6, T: 10 },
  ];

  it('merges identical histories into counts, in the same order whatever the customers’ order', () => {
    const expected = [
      { x: 0, tx: 0, T: 10, count: 2 },
      { x: 1, tx: 0, T: 3, count: 1 },
      { x: 2, tx: 6, T: 10, count: 3 },
      { x: 5, tx: 9.5, T: 12, count: 1 },
    ];
    expect(weighHistories(POPULATION)).toEqual(expected);
    expect(weighHistories([...POPULATION].reverse())).toEqual(expected);
  });

  it('has the log-likelihood of the population: each customer’s, summed', () => {
    const plain = POPULATION.reduce((sum, h) => sum + bgNbdLogLikelihood(PUBLISHED, h), 0);
    expect(bgNbdWeightedLogLikelihood(PUBLISHED, weighHistories(POPULATION))).toBeCloseTo(plain, 10);
  });

  it('counts a history as many times as its customers', () => {
    // x = 0: ln L = r ln α − r ln(α + T) = 0.243 · ln(4.414 / 14.414) = −0.287571 per customer
    expect(bgNbdWeightedLogLikelihood(PUBLISHED, [{ x: 0, tx: 0, T: 10, count: 2 }])).toBeCloseTo(
      -0.575141,
      6,
    );
    const once = bgNbdWeightedLogLikelihood(PUBLISHED, [{ x: 5, tx: 9.5, T: 12, count: 1 }]);
    expect(bgNbdWeightedLogLikelihood(PUBLISHED, [{ x: 5, tx: 9.5, T: 12, count: 3 }])).toBeCloseTo(
      3 * once,
      10,
    );
  });

  it('fits a population as it fits its distinct histories with their counts', () => {
    expect(fitBgNbd([...POPULATION].reverse())).toEqual(fitBgNbd(POPULATION));
  });
});

describe('purchase histories in whole UTC days', () => {
  const order = (customerId: string, wonAt: string, amount = 10) => ({ customerId, wonAt, amount });

  it('counts the day of an order exactly at asOf, whatever the times of day', () => {
    const [history] = purchaseHistories(
      [order('c1', '2026-03-01T18:00:00Z'), order('c1', '2026-03-15T09:30:00Z')],
      '2026-03-15T09:30:00Z',
    );
    // 1 March to 15 March: 14 days = 2 weeks, for the last order and for asOf alike
    expect(history).toMatchObject({ x: 1, tx: 2, T: 2 });
  });

  it('puts asOf one millisecond before midnight in its own day, and leaves out the order at midnight', () => {
    const histories = purchaseHistories(
      [
        order('c1', '2026-03-07T23:59:59.999Z'),
        order('c1', '2026-03-14T00:00:00Z'),
        order('c1', '2026-03-15T00:00:00Z'),
        order('c2', '2026-03-14T23:59:59.999Z'),
      ],
      '2026-03-14T23:59:59.999Z',
    );
    // c1: 7 March to 14 March = 7 days = 1 week; c2 bought the very day (and instant) of asOf
    expect(histories).toEqual([
      { customerId: 'c1', x: 1, tx: 1, T: 1, repeatMeanAmount: 10 },
      { customerId: 'c2', x: 0, tx: 0, T: 0, repeatMeanAmount: null },
    ]);
  });

  it('counts a purchase two minutes later across midnight as a day later, and the same day as 0', () => {
    const histories = purchaseHistories(
      [
        order('late', '2026-03-01T23:59:00Z'),
        order('late', '2026-03-02T00:01:00Z'),
        order('same', '2026-03-01T00:00:00Z'),
        order('same', '2026-03-01T23:59:59.999Z'),
      ],
      '2026-03-08T12:00:00Z',
    );
    expect(histories).toEqual([
      { customerId: 'late', x: 1, tx: 1 / 7, T: 1, repeatMeanAmount: 10 },
      { customerId: 'same', x: 1, tx: 0, T: 1, repeatMeanAmount: 10 },
    ]);
  });

  it('takes the earliest order as the first purchase whatever the order of the rows', () => {
    const [history] = purchaseHistories(
      [
        order('c1', '2026-03-08T00:00:00Z', 30),
        order('c1', '2026-03-01T00:00:00Z', 100),
        order('c1', '2026-03-05T00:00:00Z', 50),
      ],
      '2026-03-15T00:00:00Z',
    );
    // first 1 March (100); repeats 5 and 8 March: mean (50 + 30) / 2; last 7 days, asOf 14 days later
    expect(history).toEqual({ customerId: 'c1', x: 2, tx: 1, T: 2, repeatMeanAmount: 40 });
  });
});
