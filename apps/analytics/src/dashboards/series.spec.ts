import { seriesDates, shift } from './series';

const iso = (dates: Date[]) => dates.map((d) => d.toISOString());

describe('series dates', () => {
  it('steps by days and weeks, the end included', () => {
    expect(iso(seriesDates('2026-03-01T00:00:00Z', '2026-03-03T00:00:00Z', 'day'))).toEqual([
      '2026-03-01T00:00:00.000Z',
      '2026-03-02T00:00:00.000Z',
      '2026-03-03T00:00:00.000Z',
    ]);
    expect(iso(seriesDates('2026-03-01T12:00:00Z', '2026-03-15T11:59:59Z', 'week'))).toEqual([
      '2026-03-01T12:00:00.000Z',
      '2026-03-08T12:00:00.000Z',
    ]);
  });

  it('steps by calendar months from the start, clamping the day to the month end', () => {
    expect(iso(seriesDates('2026-01-31T00:00:00Z', '2026-04-30T00:00:00Z', 'month'))).toEqual([
      '2026-01-31T00:00:00.000Z',
      '2026-02-28T00:00:00.000Z',
      '2026-03-31T00:00:00.000Z',
      '2026-04-30T00:00:00.000Z',
    ]);
    expect(shift('2026-11-15T00:00:00Z', 3, 'month').toISOString()).toBe('2027-02-15T00:00:00.000Z');
    expect(shift('2026-02-15T00:00:00Z', -3, 'month').toISOString()).toBe('2025-11-15T00:00:00.000Z');
  });

  it('has no dates when to is before from, and stops one past the maximum', () => {
    expect(seriesDates('2026-03-02T00:00:00Z', '2026-03-01T00:00:00Z', 'day')).toEqual([]);
    expect(seriesDates('2026-01-01T00:00:00Z', '2027-01-01T00:00:00Z', 'day', 10)).toHaveLength(11);
  });
});
