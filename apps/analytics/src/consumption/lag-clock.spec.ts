import { LagClock } from './lag-clock';

const topic = 't';
const offsets = (high: number, low = 0) => ({ [topic]: [{ partition: 0, low, high }] });
const committed = (at: number) => ({ [topic]: { 0: at } });

describe('the age of the records a group has not applied', () => {
  it('is 0 when the group is at the end', () => {
    const clock = new LagClock(60_000);
    clock.observe(offsets(10), 1_000);
    expect(clock.lag(offsets(10), committed(10), 1_000)).toEqual([
      { topic, messages: 0, seconds: 0, atLeast: false },
    ]);
  });

  it('dates a record by the first sample that saw it: offset 10 first seen at 5 s, asked at 12 s', () => {
    const clock = new LagClock(60_000);
    clock.observe(offsets(10), 1_000);
    clock.observe(offsets(10), 2_000);
    clock.observe(offsets(12), 5_000);
    expect(clock.lag(offsets(12), committed(10), 12_000)).toEqual([
      { topic, messages: 2, seconds: 7, atLeast: false },
    ]);
  });

  it('says "at least" for records there before the first sample (a backlog at start)', () => {
    const clock = new LagClock(60_000);
    clock.observe(offsets(10), 1_000);
    expect(clock.lag(offsets(10), committed(4), 3_000)).toEqual([
      { topic, messages: 6, seconds: 2, atLeast: true },
    ]);
  });

  it('counts from the low watermark for a group that never committed', () => {
    const clock = new LagClock(60_000);
    clock.observe(offsets(10, 3), 1_000);
    expect(clock.lag(offsets(10, 3), {}, 1_000)[0].messages).toBe(7);
  });

  it('keeps the newest sample older than the window as the baseline', () => {
    const clock = new LagClock(10_000);
    clock.observe(offsets(5), 0);
    clock.observe(offsets(6), 100_000);
    // Offset 5 was first seen at 100 s, although the sample of 0 s is out of the window.
    expect(clock.lag(offsets(6), committed(5), 101_000)).toEqual([
      { topic, messages: 1, seconds: 1, atLeast: false },
    ]);
  });
});
