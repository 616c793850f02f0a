import { randomUUID } from 'node:crypto';
import { escapeIdentifier } from 'pg';
import { PostgresEventStore, type Position, type RecordedEvent } from '@crm/event-store';
import { testDatabase } from './postgres-support';
import { Collector, metadata } from './support';

jest.setTimeout(60_000);

/**
 * Regression: readAll once sorted by `transaction_id::text` (an output alias shadowed the column in
 * ORDER BY), so a batch whose transaction ids spanned a power of ten came out as '10000' < '9622',
 * the checkpoint jumped to the largest id and every smaller one was never delivered. It struck in
 * CI whenever the cluster's transaction counter crossed 10^n during a test. Rows are written here
 * with explicit transaction ids around every power of ten below the cluster's oldest running
 * transaction (so below the fence) to make that case deterministic.
 */
let TRANSACTION_IDS: number[];

const db = testDatabase();
let store: PostgresEventStore;
let expected: string[];

beforeAll(async () => {
  store = new PostgresEventStore({ pool: db.pool, schema: db.schema, pollIntervalMs: 20 });
  await store.migrate();
  const { rows } = await db.pool.query<{ xmin: string }>(
    'select pg_snapshot_xmin(pg_current_snapshot())::text as xmin',
  );
  const fence = Number(rows[0].xmin);
  TRANSACTION_IDS = [];
  for (let power = 10; power + 1 < fence; power *= 10)
    TRANSACTION_IDS.push(power - 2, power - 1, power, power + 1);
  // A cluster after initdb is past transaction 700, so 10 and 100 are always there.
  expect(TRANSACTION_IDS.length).toBeGreaterThanOrEqual(8);
  // Inserted in the reverse order, so sequence numbers do not happen to give the right order.
  expected = [];
  for (const [i, tx] of [...TRANSACTION_IDS].reverse().entries()) {
    const id = randomUUID();
    expected.unshift(id);
    await db.pool.query(
      `insert into ${escapeIdentifier(db.schema)}.es_events (transaction_id, stream_id, revision, event_id, type, data, metadata)
       values ($1::text::xid8, $2, 0, $3, 'Ordered', $4, $5)`,
      [String(tx), `ordered-${i}`, id, JSON.stringify({ tx }), JSON.stringify(metadata())],
    );
  }
});
afterAll(async () => {
  await store.close();
  await db.drop();
});

describe('PostgresEventStore global order across powers of ten of the transaction id', () => {
  it('readAll pages through every event in numeric transaction order', async () => {
    const read: RecordedEvent[] = [];
    let after: Position | undefined;
    for (;;) {
      const page = await store.readAll({ after, maxCount: 3 });
      if (page.length === 0) break;
      read.push(...page);
      after = page[page.length - 1].position;
    }
    expect(read.map((e) => e.id)).toEqual(expected);
    expect(read.map((e) => Number(e.position.commit))).toEqual(TRANSACTION_IDS);
  });

  it('a subscription in small batches delivers every event once, in numeric order', async () => {
    const collector = new Collector();
    const sub = store.subscribeToAll({
      batchSize: 2,
      handler: collector.handler,
      onError: collector.onError,
    });
    await collector.until(() => collector.events.length >= expected.length);
    await sub.stop();
    expect(collector.events.map((e) => e.id)).toEqual(expected);
  });
});
