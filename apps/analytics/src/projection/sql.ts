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
