import { assertValidAppend } from './validate-append';

const event = (id: string) => ({
  id,
  type: 'T',
  data: {},
  metadata: {
    customerId: 'c',
    correlationId: 'r',
    causationId: 'x',
    schemaVersion: 1,
    occurredAt: '2025-01-01T00:00:00Z',
  },
});

describe('assertValidAppend', () => {
  it('accepts a well-formed append', () => {
    expect(() => assertValidAppend('s', [event('a'), event('b')], 0)).not.toThrow();
    expect(() => assertValidAppend('s', [event('a')], 'any')).not.toThrow();
  });

  it.each([
    ['an empty stream id', '', [event('a')], 'any', 'non-empty'],
    ['no events', 's', [], 'any', 'at least one event'],
    ['a duplicated id', 's', [event('a'), event('a')], 'any', 'appears twice'],
    ['a negative revision', 's', [event('a')], -1, 'non-negative integer'],
    ['a fractional revision', 's', [event('a')], 1.5, 'non-negative integer'],
  ] as const)('rejects %s', (_, stream, events, expected, message) => {
    expect(() => assertValidAppend(stream, [...events], expected)).toThrow(message);
  });
});
