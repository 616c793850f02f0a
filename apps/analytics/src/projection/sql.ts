import { escapeIdentifier } from 'pg';
import type { Sql } from './projector';

/** `"<schema>".<table>`: a table of a generation schema. */
export const qualified = (schema: string, table: string) => `${escapeIdentifier(schema)}.${table}`;

/** The stable view analysts query: `analytics.<table>` over the generation's table. */
export const viewOf = (schema: string, table: string, columns = '*') =>
  `create or replace view analytics.${table} as select ${columns} from ${qualified(schema, table)}`;

/** The rows a `select` answered (TypeORM answers rows; a pg pool answers `{ rows }`). */
export function rowsOf<T>(result: unknown): T[] {
  if (Array.isArray(result)) return result as T[];
  const rows = (result as { rows?: unknown } | null)?.rows;
  return Array.isArray(rows) ? (rows as T[]) : [];
}

export async function select<T>(db: Sql, sql: string, parameters: unknown[] = []): Promise<T[]> {
  return rowsOf<T>(await db.query(sql, parameters));
}

/** The UTC month `YYYY-MM` of an instant. */
export const monthOf = (iso: string) => new Date(iso).toISOString().slice(0, 7);

/** Columns of rows passed as one JSON parameter: name → PostgreSQL type. */
export type Columns = Record<string, string>;

/** `jsonb_to_recordset($<n>::jsonb) as x(<name> <type>, ...)`: a batch's rows as one JSON parameter. */
export const recordset = (columns: Columns, parameter = 1) =>
  `jsonb_to_recordset($${parameter}::jsonb) as x(${Object.entries(columns)
    .map(([name, type]) => `${name} ${type}`)
    .join(', ')})`;

/**
 * Inserts rows (objects keyed by column; undefined is null) with one statement, in their order;
 * `tail` is the conflict clause (default: rows already there are kept).
 */
export async function insertRows(
  db: Sql,
  table: string,
  columns: Columns,
  rows: readonly object[],
  tail = 'on conflict do nothing',
): Promise<void> {
  if (rows.length === 0) return;
  const names = Object.keys(columns).join(', ');
  await db.query(`insert into ${table} (${names}) select ${names} from ${recordset(columns)} ${tail}`, [
    JSON.stringify(rows),
  ]);
}

/** The last item per key, in the order of their last occurrence (an upsert may touch a row once per statement). */
export function lastPer<T>(items: readonly T[], key: (item: T) => string): T[] {
  const last = new Map<string, T>();
  for (const item of items) {
    last.delete(key(item));
    last.set(key(item), item);
  }
  return [...last.values()];
}
