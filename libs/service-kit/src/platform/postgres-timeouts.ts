import type { Pool } from 'pg';

/**
 * Bounds on every wait for PostgreSQL, for the service's pools (the event store's and TypeORM's),
 * so that no request hangs on a database that is down, restarting or frozen: the request fails
 * instead, and the HTTP layer answers 503 with Retry-After (see http/dependency-outage.ts).
 *
 * - `connectionTimeoutMillis`: connecting, and waiting for a free pooled connection;
 * - `statement_timeout` (server side, SQLSTATE 57014): one statement, lock waits included;
 * - `query_timeout` (client side): no answer at all, e.g. a frozen server or a lost network;
 *   longer than the statement timeout so that a live server reports its own, clearer error;
 * - `keepAlive`: TCP keep-alive, so that a dead peer is noticed on idle connections too.
 */
export const POSTGRES_TIMEOUTS = {
  connectionTimeoutMillis: 5_000,
  statement_timeout: 15_000,
  query_timeout: 20_000,
  keepAlive: true,
} as const;

/**
 * A pooled connection that breaks while idle (the server restarted) makes the pool emit 'error',
 * which would end the process without a listener. The pool drops that connection by itself.
 */
export function survivePoolErrors(pool: Pool, warn: (entry: Record<string, unknown>) => void): void {
  pool.on('error', (error: Error & { code?: string }) =>
    warn({ msg: 'idle database connection lost', code: error.code, error: error.message }),
  );
}
