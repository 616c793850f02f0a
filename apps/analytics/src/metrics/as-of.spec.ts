import { happenedBy, hasHappened, isValidAt, supersede, validAt, valueAt, type Version } from './as-of';

describe('validity intervals [validFrom, validTo)', () => {
  const row = { validFrom: '2026-01-01T10:00:00Z', validTo: '2026-01-01T11:00:00Z' };

  it('is valid from validFrom inclusive to validTo exclusive', () => {
    expect(isValidAt(row, '2026-01-01T09:59:59.999Z')).toBe(false);
    expect(isValidAt(row, '2026-01-01T10:00:00Z')).toBe(true);
    expect(isValidAt(row, '2026-01-01T10:59:59.999Z')).toBe(true);
    expect(isValidAt(row, '2026-01-01T11:00:00Z')).toBe(false);
  });

  it('keeps an open row (validTo null) valid from validFrom on', () => {
    const open = { validFrom: '2026-01-01T10:00:00Z', validTo: null };
    expect(isValidAt(open, '2026-01-01T09:59:59.999Z')).toBe(false);
    expect(isValidAt(open, '2026-01-01T10:00:00Z')).toBe(true);
    expect(isValidAt(open, '2999-12-31T23:59:59Z')).toBe(true);
  });

  it('compares instants whatever their offset', () => {
    expect(isValidAt(row, '2026-01-01T11:00:00+01:00')).toBe(true);
    expect(isValidAt(row, '2026-01-01T12:00:00+01:00')).toBe(false);
  });

  it('has exactly one of two consecutive versions valid at the instant of the change', () => {
    const rows = [
      { id: 'old', validFrom: '2026-01-01T10:00:00Z', validTo: '2026-01-01T11:00:00Z' },
      { id: 'new', validFrom: '2026-01-01T11:00:00Z', validTo: null },
    ];
    expect(validAt(rows, '2026-01-01T11:00:00Z').map((r) => r.id)).toEqual(['new']);
    expect(validAt(rows, '2026-01-01T10:59:59.999Z').map((r) => r.id)).toEqual(['old']);
    expect(validAt(rows, '2026-01-01T09:00:00Z')).toEqual([]);
  });
});

describe('events as of a moment', () => {
  it('counts an event exactly at asOf as happened, one a millisecond later not', () => {
    expect(hasHappened('2026-01-01T10:00:00Z', '2026-01-01T10:00:00Z')).toBe(true);
    expect(hasHappened('2026-01-01T10:00:00.001Z', '2026-01-01T10:00:00Z')).toBe(false);
    const events = [
      { id: 1, at: '2026-01-01T09:00:00Z' },
      { id: 2, at: '2026-01-01T10:00:00Z' },
      { id: 3, at: '2026-01-01T10:00:00.001Z' },
    ];
    expect(happenedBy(events, (e) => e.at, '2026-01-01T10:00:00Z').map((e) => e.id)).toEqual([1, 2]);
  });
});

describe('supersede: an append-only history of versions', () => {
  const v1 = supersede<string>([], 'prospect', '2026-01-01T10:00:00Z');
  const v2 = supersede(v1, 'customer', '2026-01-02T10:00:00Z');

  it('closes the open version where the next one starts', () => {
    expect(v2).toEqual<Version<string>[]>([
      { value: 'prospect', validFrom: '2026-01-01T10:00:00Z', validTo: '2026-01-02T10:00:00Z' },
      { value: 'customer', validFrom: '2026-01-02T10:00:00Z', validTo: null },
    ]);
    expect(valueAt(v2, '2026-01-01T09:59:59.999Z')).toBeUndefined();
    expect(valueAt(v2, '2026-01-01T10:00:00Z')).toBe('prospect');
    expect(valueAt(v2, '2026-01-02T09:59:59.999Z')).toBe('prospect');
    expect(valueAt(v2, '2026-01-02T10:00:00Z')).toBe('customer');
  });

  it('replaces a version changed at the instant it started, and refuses going back in time', () => {
    expect(supersede(v2, 'partner', '2026-01-02T10:00:00Z')).toEqual([
      v2[0],
      { value: 'partner', validFrom: '2026-01-02T10:00:00Z', validTo: null },
    ]);
    expect(() => supersede(v2, 'partner', '2026-01-02T09:00:00Z')).toThrow(RangeError);
  });
});
