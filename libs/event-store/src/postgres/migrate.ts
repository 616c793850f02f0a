import type { Pool, QueryConfig } from 'pg';
import { migrations, type Migration } from './migrations';

/** Longest wait for another replica's migration before this start fails. */
const MIGRATION_WAIT_MS = 10 * 60_000;

/**
 * Applies the migrations missing from `<schema>.es_schema_migrations`, in one transaction under a
 * transaction-scoped advisory lock keyed by the schema name: concurrent starts queue behind each
 * other and then find nothing left to do. Returns the versions it applied.
 */
export async function runMigrations(
  pool: Pool,
  schema: string,
  quoted: string,
  all: readonly Migration[] = migrations,
): Promise<number[]> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query('begin');
    // Waiting for another replica's migration, and the migration itself, may take longer than the
    // pool's per-statement bounds (meant for requests): lift them for this transaction.
    await client.query('set local statement_timeout = 0');
    const lock: QueryConfig & { query_timeout: number } = {
      text: 'select pg_advisory_xact_lock(hashtextextended($1, 0))',
      values: [`crm-event-store:${schema}`],
      query_timeout: MIGRATION_WAIT_MS,
    };
    await client.query(lock);
    await client.query(`create schema if not exists ${quoted}`);
    await client.query(`create table if not exists ${quoted}.es_schema_migrations (
      version integer primary key,
      name text not null,
      applied_at timestamptz not null default now()
    )`);
    const { rows } = await client.query<{ version: number }>(
      `select version from ${quoted}.es_schema_migrations`,
    );
    const done = new Set(rows.map((r) => r.version));
    const applied: number[] = [];
    for (const migration of [...all].sort((a, b) => a.version - b.version)) {
      if (done.has(migration.version)) continue;
      await client.query(migration.sql(quoted));
      await client.query(`insert into ${quoted}.es_schema_migrations (version, name) values ($1, $2)`, [
        migration.version,
        migration.name,
      ]);
      applied.push(migration.version);
    }
    await client.query('commit');
    return applied;
  } catch (error) {
    await client.query('rollback').catch((rollbackError: Error) => (broken = rollbackError));
    throw error;
  } finally {
    client.release(broken);
  }
}
