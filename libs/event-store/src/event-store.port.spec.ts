import {
  WrongExpectedRevisionError,
  comparePositions,
  positionFromString,
  positionToString,
} from './event-store.port';

describe('positions', () => {
  it('orders by commit, then prepare', () => {
    expect(comparePositions({ commit: 1n, prepare: 9n }, { commit: 2n, prepare: 0n })).toBe(-1);
    expect(comparePositions({ commit: 2n, prepare: 1n }, { commit: 2n, prepare: 0n })).toBe(1);
    expect(comparePositions({ commit: 2n, prepare: 1n }, { commit: 2n, prepare: 1n })).toBe(0);
  });

  it('round-trips through a string, beyond Number.MAX_SAFE_INTEGER', () => {
    const position = { commit: 2n ** 63n - 1n, prepare: 12345678901234567n };
    expect(positionToString(position)).toBe('9223372036854775807/12345678901234567');
    expect(positionFromString(positionToString(position))).toEqual(position);
    expect(() => positionFromString('12')).toThrow('bad position');
  });
});

describe('WrongExpectedRevisionError', () => {
  it('says what was expected and what was found', () => {
    expect(new WrongExpectedRevisionError('s', 'no_stream', 3).message).toBe(
      'stream s: expected revision no_stream, actual 3',
    );
    expect(new WrongExpectedRevisionError('s', 2, -1).message).toContain('actual no stream');
  });
});
