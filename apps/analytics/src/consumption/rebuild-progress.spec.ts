import { RateMeter, etaSeconds, offsetProgress } from './rebuild-progress';

describe('rebuild progress', () => {
  it('counts done and total from watermarks and committed offsets', () => {
    const offsets = {
      a: [
        { partition: 0, low: 0, high: 10 },
        { partition: 1, low: 5, high: 8 },
      ],
      b: [],
    };
    // a/0: 4 of 10; a/1: nothing committed, 0 of 3.
    expect(offsetProgress(offsets, { a: { 0: 4, 1: -1 } })).toEqual({ done: 4, total: 13 });
  });

  it('measures the rate over its window and the time left', () => {
    const meter = new RateMeter(10_000);
    meter.add(0, 0);
    meter.add(2_000, 1_000);
    meter.add(4_000, 3_000);
    expect(meter.perSecond()).toBe(750);
    expect(etaSeconds(3_000, 6_000, 750)).toBe(4);
    expect(etaSeconds(6_000, 6_000, 0)).toBe(0);
    expect(etaSeconds(1, 6_000, 0)).toBeNull();
  });
});
