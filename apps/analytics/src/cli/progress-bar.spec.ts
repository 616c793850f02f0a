import { formatDuration, fractionDone, progressBar, progressLine } from './progress-bar';

const view = {
  generation: 3,
  state: 'building',
  done: 12_345,
  total: 27_000,
  ratePerSecond: 8_123,
  etaSeconds: 2,
};

describe('the rebuild progress bar', () => {
  it('shows done/total, the rate and the time left', () => {
    expect(progressLine(view)).toBe(
      '45% 12,345/27,000 events, 8,123 events/s, 0:02 left (generation 3, building)',
    );
  });

  it('fills the bar in proportion: 12,345 of 27,000 is 13.7 of 30 cells, 14', () => {
    expect(progressBar(view, 30).startsWith(`[${'#'.repeat(14)}${'-'.repeat(16)}] 45%`)).toBe(true);
  });

  it('is full when there is nothing to do, and never beyond', () => {
    expect(fractionDone({ done: 0, total: 0 })).toBe(1);
    expect(fractionDone({ done: 12, total: 10 })).toBe(1);
    expect(progressBar({ ...view, done: 0, total: 0 }, 4).startsWith('[####] 100%')).toBe(true);
  });

  it('formats durations as h:mm:ss or m:ss, and unknown as --:--', () => {
    expect(formatDuration(0)).toBe('0:00');
    expect(formatDuration(65)).toBe('1:05');
    expect(formatDuration(3_723)).toBe('1:02:03');
    expect(formatDuration(null)).toBe('--:--');
  });
});
