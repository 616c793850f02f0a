import { describeError, isTransient } from './failures';

const pgError = (code: string, message = 'x') => Object.assign(new Error(message), { code });

describe('isTransient', () => {
  it('retries what the infrastructure causes: lost connections, deadlocks, timeouts, shutdowns', () => {
    expect(isTransient(pgError('ECONNREFUSED'))).toBe(true);
    expect(isTransient(pgError('40P01', 'deadlock detected'))).toBe(true);
    expect(isTransient(pgError('57P01', 'terminating connection due to administrator command'))).toBe(true);
    expect(isTransient(new Error('Connection terminated unexpectedly'))).toBe(true);
    // TypeORM's QueryFailedError keeps the driver's error
    expect(isTransient({ message: 'query failed', driverError: pgError('08006') })).toBe(true);
  });

  it('parks what the event causes: constraint violations, bad data, bugs', () => {
    expect(isTransient(pgError('23502', 'null value in column "name" violates not-null constraint'))).toBe(
      false,
    );
    expect(isTransient(pgError('22007', 'invalid input syntax for type timestamp'))).toBe(false);
    expect(isTransient(new TypeError("Cannot read properties of undefined (reading 'length')"))).toBe(false);
    expect(isTransient('a string')).toBe(false);
  });
});

describe('describeError', () => {
  it('names the error kind unless it is a plain Error', () => {
    expect(describeError(new TypeError('boom'))).toBe('TypeError: boom');
    expect(describeError(new Error('boom'))).toBe('boom');
    expect(describeError(42)).toBe('42');
  });
});
