import { dependencyUnavailable, isDependencyOutage } from './dependency-outage';

const withCode = (message: string, code: string) => Object.assign(new Error(message), { code });

describe('dependency outages', () => {
  it.each([
    ['connection refused', withCode('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED')],
    [
      'connection refused on every address (AggregateError)',
      new AggregateError([withCode('connect ECONNREFUSED ::1:5432', 'ECONNREFUSED')], ''),
    ],
    [
      'server shutting down (57P01)',
      withCode('terminating connection due to administrator command', '57P01'),
    ],
    ['server starting up (57P03)', withCode('the database system is starting up', '57P03')],
    ['connection failure (08006)', withCode('connection failure', '08006')],
    ['statement timeout (57014)', withCode('canceling statement due to statement timeout', '57014')],
    ['too many connections (53300)', withCode('sorry, too many clients already', '53300')],
    ['pool connection timeout', new Error('timeout exceeded when trying to connect')],
    ['connection lost mid-query', new Error('Connection terminated unexpectedly')],
    ['client-side query timeout', new Error('Query read timeout')],
    [
      "TypeORM's QueryFailedError around one",
      Object.assign(new Error('terminating connection'), {
        driverError: withCode('terminating connection due to administrator command', '57P01'),
      }),
    ],
    [
      'an error caused by one',
      new Error('append failed', { cause: withCode('read ECONNRESET', 'ECONNRESET') }),
    ],
  ])('recognises %s', (_, error) => {
    expect(isDependencyOutage(error)).toBe(true);
  });

  it.each([
    ['a bug', new TypeError("Cannot read properties of undefined (reading 'x')")],
    ['a unique violation', withCode('duplicate key value violates unique constraint', '23505')],
    ['a serialization failure', withCode('could not serialize access', '40001')],
    ['not an error', 'boom'],
    ['nothing', undefined],
  ])('leaves %s to the 500 branch', (_, error) => {
    expect(isDependencyOutage(error)).toBe(false);
  });

  it('answers 503 DEPENDENCY_UNAVAILABLE with Retry-After', () => {
    const headers: Record<string, string> = {};
    const response = { setHeader: (name: string, value: string) => (headers[name] = value) };
    const warned: unknown[] = [];
    const body = dependencyUnavailable(
      response as never,
      withCode('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED'),
      { warn: (entry: unknown) => warned.push(entry) },
    );
    expect(body).toMatchObject({ statusCode: 503, code: 'DEPENDENCY_UNAVAILABLE' });
    expect(headers['Retry-After']).toBe('5');
    expect(warned).toEqual([expect.objectContaining({ code: 'ECONNREFUSED' })]);
  });
});
