import type { DataSource } from 'typeorm';
import type { Sql } from '../projection/projector';

/**
 * The dashboards' views of `analytics` answer "as of" the instant in the session setting
 * `analytics.as_of` (an ISO 8601 instant), or now when it is not set:
 *
 *   begin; set local analytics.as_of = '2026-06-30T00:00:00Z'; select * from analytics.dashboard_funnel; commit;
 *
 * (PostgreSQL reads the setting once per statement, as a stable value: index conditions can use it.)
 */
export const AS_OF_SETTING = 'analytics.as_of';

/** The SQL expression of the as-of instant in a view. */
export const AS_OF_SQL = `coalesce(nullif(current_setting('${AS_OF_SETTING}', true), '')::timestamptz, now())`;

/** `with`-clause item naming the instant `asof.t`. */
export const AS_OF_CTE = `asof as (select ${AS_OF_SQL} as t)`;

/**
 * {@link AS_OF_CTE} computed once per statement. Inlined, the setting is read and parsed for every
 * row it is compared with: at 100,000 customers a third of the funnel visits' time and most of the
 * attribution scan's. Materialized, it is one value (usable as an index condition, e.g. funnel_visit's
 * entered_at). The views over large derived tables use this one.
 */
export const AS_OF_ONCE = `asof as materialized (select ${AS_OF_SQL} as t)`;

/** `alias` (a versioned row) valid at asof.t: valid_from ≤ t < valid_to. */
export const validAtAsOf = (alias: string) =>
  `${alias}.valid_from <= asof.t and (${alias}.valid_to is null or asof.t < ${alias}.valid_to)`;

/**
 * Runs `work` in one read-only, repeatable-read transaction (every query of a dashboard sees the
 * same snapshot while the consumer writes) with `analytics.as_of` set to `asOf` for it.
 */
export function atAsOf<T>(db: DataSource, asOf: string, work: (sql: Sql) => Promise<T>): Promise<T> {
  return db.transaction('REPEATABLE READ', async (manager) => {
    await manager.query('set transaction read only');
    await manager.query(`select set_config($1, $2, true)`, [AS_OF_SETTING, asOf]);
    return work(manager);
  });
}

export const num = (v: unknown): number => Number(v);
export const numOrNull = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));
export const iso = (v: unknown): string => (v instanceof Date ? v : new Date(String(v))).toISOString();

/** The instant `asOf` names (a day: its start, UTC), or now. */
export const asOfInstant = (asOf: string | undefined): string =>
  (asOf === undefined ? new Date() : new Date(asOf)).toISOString();

/** Runs the queries one after the other (one transaction is one connection: no concurrent queries on it). */
export async function inOrder<T extends readonly unknown[]>(queries: {
  [K in keyof T]: () => Promise<T[K]>;
}): Promise<T> {
  const results: unknown[] = [];
  for (const query of queries) results.push(await query());
  return results as unknown as T;
}
