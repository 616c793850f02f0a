import { timeInStages } from './opportunity.state';

const hour = 3_600_000;

describe('time in stages', () => {
  const history = [
    { stage: 'prospecting', enteredAt: '2026-01-01T00:00:00.000Z' },
    { stage: 'proposal', enteredAt: '2026-01-01T02:00:00.000Z' },
    { stage: 'prospecting', enteredAt: '2026-01-01T05:00:00.000Z' },
  ];

  it('measures each stage until the next one was entered, and the current one until now', () =>
    expect(timeInStages(history.slice(0, 2), '2026-01-01T03:30:00.000Z')).toEqual({
      prospecting: 2 * hour,
      proposal: 1.5 * hour,
    }));

  it('adds up the visits to a stage entered more than once', () =>
    expect(timeInStages(history, new Date('2026-01-01T06:00:00.000Z'))).toEqual({
      prospecting: 3 * hour,
      proposal: 3 * hour,
    }));

  it('has nothing to measure without history', () =>
    expect(timeInStages([], '2026-01-01T00:00:00.000Z')).toEqual({}));
});
