import type { CustomerPurchaseHistory } from './bg-nbd';
import { ClvFitCache, clvFitKey } from './clv-fit-cache';
import { clvFitInputs, type ClvFit, type ClvFitInputs } from './clv-predicted';

const customer = (customerId: string, x: number, tx: number, T: number, repeatMeanAmount: number | null) =>
  ({ customerId, x, tx, T, repeatMeanAmount }) satisfies CustomerPurchaseHistory;
const POPULATION = [
  customer('c1', 2, 6, 10, 40),
  customer('c2', 0, 0, 10, null),
  customer('c3', 1, 1, 4, 25.5),
  customer('c4', 2, 6, 10, 40),
];
const inputs = (histories: readonly CustomerPurchaseHistory[]) => clvFitInputs(histories);

/** A fit told apart by its number (the real fits are exercised by clv-predicted.spec). */
const standIn = (n: number): ClvFit => ({
  bgNbd: { params: { r: n, alpha: 1, a: 1, b: 1 }, logLikelihood: 0, iterations: n, converged: true },
  gammaGamma: { params: { p: 1, q: 2, gamma: 1 }, logLikelihood: 0, customers: n, converged: true },
});

/** A cache over a stand-in fit that records the inputs it was asked to fit. */
function counting(capacity = 4) {
  const fitted: ClvFitInputs[] = [];
  const cache = new ClvFitCache(capacity, (i) => {
    fitted.push(i);
    return standIn(fitted.length);
  });
  return { cache, fitted };
}

describe('the CLV fit cache', () => {
  it('fits the same inputs once, also when the customers come in another order or under other ids', () => {
    const { cache, fitted } = counting();
    const first = cache.fitOf(inputs(POPULATION));
    const renamed = POPULATION.map((h, i) => ({ ...h, customerId: `other-${i}` })).reverse();
    expect(cache.fitOf(inputs(POPULATION))).toBe(first);
    expect(cache.fitOf(inputs(renamed))).toBe(first);
    expect(fitted).toHaveLength(1);
  });

  it('fits again when a customer is added, a history moves by a day or a mean spend by a cent', () => {
    const { cache, fitted } = counting();
    cache.fitOf(inputs(POPULATION));
    cache.fitOf(inputs([...POPULATION, customer('c5', 0, 0, 10, null)]));
    cache.fitOf(inputs(POPULATION.map((h) => (h.customerId === 'c3' ? { ...h, T: 4 + 1 / 7 } : h))));
    cache.fitOf(
      inputs(POPULATION.map((h) => (h.customerId === 'c3' ? { ...h, repeatMeanAmount: 25.51 } : h))),
    );
    expect(fitted).toHaveLength(4);
  });

  it('keys by every number exactly: the smallest change to a time is another key', () => {
    const moved = inputs(
      POPULATION.map((h) => (h.customerId === 'c3' ? { ...h, T: 4 + 4 * Number.EPSILON } : h)),
    );
    expect(clvFitKey(moved)).not.toBe(clvFitKey(inputs(POPULATION)));
    expect(clvFitKey(inputs([...POPULATION].reverse()))).toBe(clvFitKey(inputs(POPULATION)));
  });

  it('tells a count apart from another history: 2 × (2, 6, 10) is not (2, 6, 10) + (2, 6, 10.5)', () => {
    const split = inputs(POPULATION.map((h) => (h.customerId === 'c4' ? { ...h, T: 10.5 } : h)));
    expect(clvFitKey(split)).not.toBe(clvFitKey(inputs(POPULATION)));
  });

  it('forgets the least recently used fit beyond its capacity', () => {
    const { cache, fitted } = counting(2);
    const [a, b, c] = [1, 2, 3].map((n) => inputs(POPULATION.slice(0, n)));
    cache.fitOf(a);
    cache.fitOf(b);
    cache.fitOf(a); // a is now the most recently used
    cache.fitOf(c); // b goes
    expect(fitted).toEqual([a, b, c]);
    cache.fitOf(a);
    cache.fitOf(b);
    expect(fitted).toEqual([a, b, c, b]);
  });

  it('keeps no failed fit: the same inputs are tried again', () => {
    let calls = 0;
    const cache = new ClvFitCache(4, () => {
      calls++;
      throw new RangeError('did not fit');
    });
    expect(() => cache.fitOf(inputs(POPULATION))).toThrow('did not fit');
    expect(() => cache.fitOf(inputs(POPULATION))).toThrow('did not fit');
    expect(calls).toBe(2);
  });
});
