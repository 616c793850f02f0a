import type { Pool } from 'pg';
import { migrations, type Migration } from './migrations';

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
    await client.query('select pg_advisory_xact_lock(hashtextextended($1, 0))', [
      `crm-event-store:${schema}`,
    ]);
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
