import { randomBytes, randomUUID } from 'node:crypto';
import { escapeIdentifier, Pool } from 'pg';
import { PostgresEventStore } from '@crm/event-store';
import { round, runFor } from './stats';

export interface AppendFigures {
  writers: number;
  eventStoreAppendsPerSecond: number;
  /** Baseline: the same row into a table with the same columns and indexes as the event table. */
  rawInsertsPerSecond: number;
  ratio: number;
  /** Second baseline: the same row into a table with a primary key only. */
  rawInsertsPrimaryKeyOnlyPerSecond: number;
  ratioToPrimaryKeyOnly: number;
}

const metadata = () => ({
  customerId: randomUUID(),
  correlationId: randomUUID(),
  causationId: randomUUID(),
  schemaVersion: 1,
  occurredAt: new Date().toISOString(),
});
const data = {
  leadId: randomUUID(),
  personName: 'Ana Pérez',
  email: 'ana@example.com',
  channel: 'web_form',
  interests: ['erp'],
};

/**
 * Event store appends (one event, exact expected revision, each writer on its own stream) against
 * single-row INSERTs into a table with the same columns, same connection count, same run.
 */
export async function benchAppends(
  databaseUrl: string,
  writers: number,
  durationMs: number,
): Promise<AppendFigures> {
  const pool = new Pool({ connectionString: databaseUrl, max: writers });
  const schema = `bench_${randomBytes(4).toString('hex')}`;
  try {
    const store = new PostgresEventStore({ pool, schema });
    await store.migrate();
    for (const [table, constraints] of [
      ['raw_events', ', unique (event_id), unique (stream_id, revision)'],
      ['raw_events_pk_only', ''],
    ]) {
      await pool.query(`create table ${escapeIdentifier(schema)}.${table} (
        id bigserial primary key, transaction_id xid8 not null default pg_current_xact_id(), stream_id text not null,
        revision bigint not null, event_id uuid not null, type text not null, data jsonb not null, metadata jsonb not null,
        recorded_at timestamptz not null default now()${constraints})`);
    }
    await pool.query(`create index on ${escapeIdentifier(schema)}.raw_events (transaction_id, id)`);
    // Warm up both paths (connections, plans) before measuring.
    await runFor(500, writers, (w, i) =>
      store
        .append(
          `warm-${w}`,
          [{ id: randomUUID(), type: 'Warm', data, metadata: metadata() }],
          i === 0 ? 'no_stream' : i - 1,
        )
        .then(() => undefined),
    );
    const insertInto = (table: string) => (w: number, i: number) =>
      pool
        .query(
          `insert into ${escapeIdentifier(schema)}.${table} (stream_id, revision, event_id, type, data, metadata) values ($1, $2, $3, $4, $5, $6)`,
          [`raw-${w}`, i, randomUUID(), 'LeadCaptured', data, metadata()],
        )
        .then(() => undefined);
    const raw = await runFor(durationMs, writers, insertInto('raw_events'));
    const rawPkOnly = await runFor(durationMs, writers, insertInto('raw_events_pk_only'));
    const appended = await runFor(durationMs, writers, async (w, i) => {
      await store.append(
        `bench-${w}`,
        [{ id: randomUUID(), type: 'LeadCaptured', data, metadata: metadata() }],
        i === 0 ? 'no_stream' : i - 1,
      );
    });
    await store.close();
    const seconds = durationMs / 1000;
    return {
      writers,
      eventStoreAppendsPerSecond: round(appended / seconds),
      rawInsertsPerSecond: round(raw / seconds),
      ratio: round(appended / raw, 3),
      rawInsertsPrimaryKeyOnlyPerSecond: round(rawPkOnly / seconds),
      ratioToPrimaryKeyOnly: round(appended / rawPkOnly, 3),
    };
  } finally {
    await pool.query(`drop schema if exists ${escapeIdentifier(schema)} cascade`);
    await pool.end();
  }
}
