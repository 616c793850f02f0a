import { escapeIdentifier } from 'pg';

/** Anything that runs SQL and answers rows (a pg Pool or client). */
export interface Queryable {
  query<R extends object = Record<string, unknown>>(sql: string, values?: unknown[]): Promise<{ rows: R[] }>;
}

/** How one table differs between two generation schemas (rows as JSON objects). */
export interface TableDifference {
  table: string;
  /** The table exists in only one of them. */
  missingIn?: string;
  /** Rows (with their multiplicity) in the first and not in the second, and the other way; the first 5 shown. */
  onlyInFirst: number;
  onlyInSecond: number;
  examples: { first: unknown[]; second: unknown[] };
}

/** The consumer's own bookkeeping: when and once, not what the read model holds. */
const BOOKKEEPING = new Set(['processed_events', 'dead_letters']);

async function tablesOf(db: Queryable, schema: string): Promise<string[]> {
  const { rows } = await db.query<{ name: string }>(
    `select table_name as name from information_schema.tables
      where table_schema = $1 and table_type = 'BASE TABLE' order by table_name`,
    [schema],
  );
  return rows.map((r) => r.name).filter((name) => !BOOKKEEPING.has(name));
}

/**
 * Every read model table of two generations (e.g. the live one and one rebuilt from offset 0)
 * compared row for row: each row as jsonb (so column order and json formatting do not matter),
 * `EXCEPT ALL` both ways (so a duplicated row counts too). Empty when they are identical.
 */
export async function diffGenerations(
  db: Queryable,
  first: string,
  second: string,
): Promise<TableDifference[]> {
  const [a, b] = await Promise.all([tablesOf(db, first), tablesOf(db, second)]);
  const differences: TableDifference[] = [];
  for (const table of [...new Set([...a, ...b])].sort()) {
    const none = { onlyInFirst: 0, onlyInSecond: 0, examples: { first: [], second: [] } };
    if (!a.includes(table)) {
      differences.push({ table, missingIn: first, ...none });
      continue;
    }
    if (!b.includes(table)) {
      differences.push({ table, missingIn: second, ...none });
      continue;
    }
    const rows = (x: string) =>
      `select to_jsonb(t) as row from ${escapeIdentifier(x)}.${escapeIdentifier(table)} t`;
    const except = async (x: string, y: string) =>
      (await db.query<{ row: unknown }>(`${rows(x)} except all ${rows(y)}`)).rows.map((r) => r.row);
    const [onlyFirst, onlySecond] = [await except(first, second), await except(second, first)];
    if (onlyFirst.length > 0 || onlySecond.length > 0)
      differences.push({
        table,
        onlyInFirst: onlyFirst.length,
        onlyInSecond: onlySecond.length,
        examples: { first: onlyFirst.slice(0, 5), second: onlySecond.slice(0, 5) },
      });
  }
  return differences;
}
