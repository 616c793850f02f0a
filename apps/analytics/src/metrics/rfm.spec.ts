import { customerOrders } from './customer-orders';
import {
  fmScore,
  quintileScores,
  rfmScores,
  rfmScoresOf,
  rfmSegment,
  rfmValues,
  rfmValuesOf,
  type Score,
  type WonOrder,
} from './rfm';

const AS_OF = '2026-04-01T00:00:00Z';
const orders = (customerId: string, ...rows: [string, number][]): WonOrder[] =>
  rows.map(([date, amount]) => ({
    customerId,
    amount,
    wonAt: date.includes('T') ? date : `${date}T00:00:00Z`,
  }));

describe('RFM values', () => {
  it('takes whole days since the last order, the number of orders and their sum in cents, as of a date', () => {
    const values = rfmValues(
      [
        ...orders('c1', ['2026-03-01', 50.205], ['2026-03-31T12:00:00Z', 100.1]),
        ...orders('c2', ['2026-03-21T00:00:01Z', 10], ['2026-04-01T00:00:00.001Z', 999]),
        ...orders('c3', ['2026-04-01T00:00:00Z', 5]),
        ...orders('c4', ['2026-04-02', 5]),
      ],
      AS_OF,
    );
    expect(values).toEqual([
      { customerId: 'c1', recencyDays: 0, frequency: 2, monetary: 150.31 },
      // 10.99999 days: 10 whole days; the order a millisecond after asOf does not count
      { customerId: 'c2', recencyDays: 10, frequency: 1, monetary: 10 },
      // an order exactly at asOf counts, 0 days old
      { customerId: 'c3', recencyDays: 0, frequency: 1, monetary: 5 },
    ]);
  });
});

describe('quintile scores (mid-rank, ties share a score)', () => {
  it('puts n/5 customers in each score for distinct values', () => {
    expect(quintileScores([1, 2, 3, 4, 5], true)).toEqual([1, 2, 3, 4, 5]);
    expect(quintileScores([10, 9, 8, 7, 6, 5, 4, 3, 2, 1], true)).toEqual([5, 5, 4, 4, 3, 3, 2, 2, 1, 1]);
    // recency: fewer days is better
    expect(quintileScores([0, 10, 20, 30, 40], false)).toEqual([5, 4, 3, 2, 1]);
  });

  it('scores fewer than five customers symmetrically, and everyone equal (or alone) as 3', () => {
    expect(quintileScores([1, 2], true)).toEqual([2, 4]);
    expect(quintileScores([1, 2, 3], true)).toEqual([1, 3, 5]);
    expect(quintileScores([1, 2, 3, 4], true)).toEqual([1, 2, 4, 5]);
    expect(quintileScores([7, 7, 7], true)).toEqual([3, 3, 3]);
    expect(quintileScores([7], false)).toEqual([3]);
    expect(quintileScores([], true)).toEqual([]);
  });

  it('gives ties the score of their mid-rank: 1 + ⌊5·(worse + equal/2)/n⌋', () => {
    // 2: worse 1, equal 3 → 5·2.5/5 = 2.5 → 3; 1 → ⌊0.5⌋ → 1; 5: worse 4 → ⌊4.5⌋ → 5
    expect(quintileScores([1, 2, 2, 2, 5], true)).toEqual([1, 3, 3, 3, 5]);
    // 0: worse 0, equal 4 → ⌊5·2/5⌋ = 2 → 3; 9: worse 4, equal 1 → ⌊4.5⌋ → 5
    expect(quintileScores([0, 0, 0, 0, 9], true)).toEqual([3, 3, 3, 3, 5]);
  });
});

describe('RFM segments', () => {
  it('names every (R, FM) pair by the documented table', () => {
    const table: Record<Score, string[]> = {
      1: ['Lost', 'Hibernating', 'At risk', 'At risk', "Can't lose them"],
      2: ['Hibernating', 'Hibernating', 'At risk', 'At risk', "Can't lose them"],
      3: ['About to sleep', 'About to sleep', 'Need attention', 'Loyal', 'Loyal'],
      4: ['Promising', 'Potential loyalist', 'Potential loyalist', 'Loyal', 'Loyal'],
      5: ['New customers', 'Potential loyalist', 'Potential loyalist', 'Champions', 'Champions'],
    };
    for (const r of [1, 2, 3, 4, 5] as Score[])
      expect(([1, 2, 3, 4, 5] as Score[]).map((fm) => rfmSegment(r, fm))).toEqual(table[r]);
  });

  it('takes FM as the mean of F and M with halves rounded up', () => {
    expect(fmScore(5, 4)).toBe(5);
    expect(fmScore(1, 2)).toBe(2);
    expect(fmScore(3, 3)).toBe(3);
    expect(fmScore(1, 1)).toBe(1);
  });

  it('scores and segments five customers as of a date', () => {
    const scored = rfmScores(
      [
        ...orders(
          'c1',
          ['2026-01-05', 100],
          ['2026-01-06', 100],
          ['2026-01-07', 100],
          ['2026-01-08', 100],
          ['2026-04-01', 100],
        ),
        ...orders('c2', ['2026-01-05', 100], ['2026-01-06', 100], ['2026-01-07', 100], ['2026-03-22', 100]),
        ...orders('c3', ['2026-03-12', 300]),
        ...orders('c4', ['2026-01-05', 50], ['2026-01-06', 50], ['2026-03-02', 100]),
        ...orders('c5', ['2026-01-05', 50], ['2026-02-20', 50], ['2026-04-02', 1000]),
      ],
      AS_OF,
    );
    expect(
      scored.map((s) => [
        s.customerId,
        s.recencyDays,
        s.frequency,
        s.monetary,
        s.r,
        s.f,
        s.m,
        s.fm,
        s.segment,
      ]),
    ).toEqual([
      ['c1', 0, 5, 500, 5, 5, 5, 5, 'Champions'],
      ['c2', 10, 4, 400, 4, 4, 4, 4, 'Loyal'],
      ['c3', 20, 1, 300, 3, 1, 3, 2, 'About to sleep'],
      ['c4', 30, 3, 200, 2, 3, 2, 3, 'At risk'],
      ['c5', 40, 2, 100, 1, 2, 1, 2, 'Hibernating'],
    ]);
  });

  it('segments two customers, and equal customers as Need attention', () => {
    const two = rfmScores(
      [...orders('a', ['2026-03-30', 100], ['2026-03-31', 100]), ...orders('b', ['2026-01-01', 100])],
      AS_OF,
    );
    expect(two.map((s) => [s.r, s.f, s.m, s.segment])).toEqual([
      [4, 4, 4, 'Loyal'],
      [2, 2, 2, 'Hibernating'],
    ]);
    const same = rfmScores([...orders('a', ['2026-03-01', 10]), ...orders('b', ['2026-03-01', 10])], AS_OF);
    expect(same.map((s) => s.segment)).toEqual(['Need attention', 'Need attention']);
    expect(rfmScores([], AS_OF)).toEqual([]);
  });
});

describe('RFM of orders grouped once', () => {
  it('scores the customers of a population as from its orders', () => {
    const population = customerOrders(
      [
        ...orders('a', ['2026-03-30', 100], ['2026-03-31', 100]),
        ...orders('b', ['2026-01-01', 100]),
        ...orders('c', ['2026-04-02', 100]),
      ],
      AS_OF,
    );
    // a: 1 day, 2 orders, 200; b: 90 days (31 + 28 + 31), 1 order, 100; c bought after asOf
    expect(rfmValuesOf(population)).toEqual([
      { customerId: 'a', recencyDays: 1, frequency: 2, monetary: 200 },
      { customerId: 'b', recencyDays: 90, frequency: 1, monetary: 100 },
    ]);
    expect(rfmScoresOf(population).map((s) => [s.customerId, s.r, s.f, s.m, s.fm, s.segment])).toEqual([
      ['a', 4, 4, 4, 4, 'Loyal'],
      ['b', 2, 2, 2, 2, 'Hibernating'],
    ]);
  });
});
