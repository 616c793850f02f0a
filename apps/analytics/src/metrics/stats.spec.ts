import { daysBetween, instant, mean, median, percentile, periodOf, ratio, roundCents } from './stats';

describe('percentile (linear interpolation between closest ranks)', () => {
  it('interpolates: h = (n − 1)·p between the sorted values', () => {
    const values = [50, 15, 40, 20, 35];
    // sorted 15 20 35 40 50: p40 → h = 1.6 → 20 + 0.6·15 = 29; p90 → h = 3.6 → 40 + 0.6·10 = 46
    expect(percentile(values, 0.4)).toBeCloseTo(29, 10);
    expect(percentile(values, 0.9)).toBeCloseTo(46, 10);
    expect(median(values)).toBe(35);
    expect(values).toEqual([50, 15, 40, 20, 35]);
  });

  it('takes the minimum at 0, the maximum at 1 and the mean of the middle pair as an even median', () => {
    expect(percentile([4, 1, 3, 2], 0)).toBe(1);
    expect(percentile([4, 1, 3, 2], 1)).toBe(4);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    // h = 3·0.9 = 2.7 → 3 + 0.7·1
    expect(percentile([4, 1, 3, 2], 0.9)).toBeCloseTo(3.7, 10);
  });

  it('gives the one value for every p, null for no values, and refuses p outside 0..1', () => {
    expect(percentile([7], 0)).toBe(7);
    expect(percentile([7], 0.9)).toBe(7);
    expect(percentile([], 0.5)).toBeNull();
    expect(() => percentile([1], 1.1)).toThrow(RangeError);
    expect(() => percentile([1], -0.1)).toThrow(RangeError);
    expect(() => percentile([1], Number.NaN)).toThrow(RangeError);
  });
});

describe('money, ratios and time', () => {
  it('rounds money half away from zero to cents despite binary fractions', () => {
    expect(roundCents(10.005)).toBe(10.01);
    expect(roundCents(1.005)).toBe(1.01);
    expect(roundCents(-2.675)).toBe(-2.68);
    expect(roundCents(0.1 + 0.2)).toBe(0.3);
    expect(roundCents(19.994)).toBe(19.99);
  });

  it('has no ratio or mean of nothing', () => {
    expect(ratio(1, 0)).toBeNull();
    expect(ratio(1, 4)).toBe(0.25);
    expect(mean([])).toBeNull();
    expect(mean([1, 2, 6])).toBe(3);
  });

  it('compares instants, not text, and refuses what is not a timestamp', () => {
    expect(daysBetween('2026-01-01T10:00:00+01:00', '2026-01-02T09:00:00Z')).toBe(1);
    expect(daysBetween('2026-01-02T00:00:00Z', '2026-01-01T12:00:00Z')).toBe(-0.5);
    expect(() => instant('yesterday')).toThrow('not an ISO timestamp: "yesterday"');
  });

  it('reads the instants toISOString writes exactly as Date.parse does, at day, month and leap-year ends', () => {
    const cases: [string, number][] = [
      ['1969-12-31T23:59:59.999Z', -1],
      ['1970-01-01T00:00:00.000Z', 0],
      ['2024-02-29T23:59:59.999Z', Date.UTC(2024, 1, 29, 23, 59, 59, 999)],
      ['2000-03-01T00:00:00.000Z', Date.UTC(2000, 2, 1)],
      ['2100-02-28T12:34:56.789Z', Date.UTC(2100, 1, 28, 12, 34, 56, 789)],
      ['2026-12-31T23:59:59.999Z', Date.UTC(2026, 11, 31, 23, 59, 59, 999)],
      ['1600-01-01T00:00:00.000Z', Date.UTC(1600, 0, 1)],
    ];
    for (const [iso, ms] of cases) {
      expect(instant(iso)).toBe(ms);
      expect(instant(iso)).toBe(Date.parse(iso));
    }
    // Any other form is still read, as Date.parse reads it; what is not a date is still refused.
    expect(instant('2026-03-01T00:30:00+01:00')).toBe(Date.UTC(2026, 1, 28, 23, 30));
    expect(instant('2026-03-01')).toBe(Date.UTC(2026, 2, 1));
    expect(() => instant('2026-13-01T00:00:00.000Z')).toThrow(RangeError);
    expect(() => instant('2026-01-0xT00:00:00.000Z')).toThrow(RangeError);
  });

  it('names UTC days, ISO weeks by their Monday, and months', () => {
    // Wednesday 4 March 2026
    expect(periodOf('2026-03-04T12:00:00Z', 'day')).toBe('2026-03-04');
    expect(periodOf('2026-03-04T12:00:00Z', 'week')).toBe('2026-03-02');
    expect(periodOf('2026-03-08T23:59:59.999Z', 'week')).toBe('2026-03-02');
    expect(periodOf('2026-03-09T00:00:00Z', 'week')).toBe('2026-03-09');
    expect(periodOf('2026-03-04T12:00:00Z', 'month')).toBe('2026-03');
    // 00:30 in Paris on 1 March is still February in UTC
    expect(periodOf('2026-03-01T00:30:00+01:00', 'month')).toBe('2026-02');
  });
});
