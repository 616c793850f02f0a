import { escapeIdentifier, type PoolClient } from 'pg';
import {
  PostgresEventStore,
  WrongExpectedRevisionError,
  comparePositions,
  type ExpectedRevision,
  type NewEvent,
  type RecordedEvent,
} from '@crm/event-store';
import { testDatabase } from './postgres-support';
import { Collector, event, ids, uniqueStream } from './support';

// The root jest.config.js sets testTimeout inside `projects`, where jest ignores it (5 s default).
jest.setTimeout(120_000);

const WRITERS = 16;
const APPENDS_PER_WRITER = 25;

const db = testDatabase(WRITERS + 16);
let store: PostgresEventStore;
/** Transactions still open if a test failed half-way; rolled back so that the pool can end. */
const open = new Set<PoolClient>();

beforeAll(async () => {
  store = new PostgresEventStore({ pool: db.pool, schema: db.schema, pollIntervalMs: 20 });
  await store.migrate();
});
afterAll(async () => {
  for (const client of open) {
    await client.query('rollback').catch(() => undefined);
    client.release();
  }
  await store.close();
  await db.drop();
});

describe('PostgresEventStore under concurrency', () => {
  it('racing writers land in order or get WrongExpectedRevisionError; a subscriber sees every event once, late commits included', async () => {
    const collector = new Collector();
    const sub = store.subscribeToAll({
      batchSize: 50,
      handler: collector.handler,
      onError: collector.onError,
    });

    // Transactions that append first (smaller transaction ids and sequence numbers) and commit last.
    const slow: SlowAppend[] = [];
    for (let i = 0; i < 3; i++)
      slow.push(await beginSlowAppend(db.schema, uniqueStream('slow'), event('Slow')));

    const hot = uniqueStream('hot');
    const cold = Array.from({ length: 8 }, () => uniqueStream('cold'));
    const landed: string[] = [];
    let conflicts = 0;
    const hotWriter = async (): Promise<void> => {
      for (let done = 0; done < APPENDS_PER_WRITER;) {
        const [last] = await store.readStream(hot, { direction: 'backwards', maxCount: 1 });
        const expected: ExpectedRevision = last === undefined ? 'no_stream' : last.revision;
        const attempt = event('Hot');
        try {
          const result = await store.append(hot, [attempt], expected);
          expect(result).toEqual({
            nextExpectedRevision: (last?.revision ?? -1) + 1,
            idempotentReplay: false,
          });
          landed.push(attempt.id);
          done++;
        } catch (error) {
          if (!(error instanceof WrongExpectedRevisionError)) throw error;
          expect(error.actual).toBeGreaterThan(last?.revision ?? -1);
          conflicts++;
        }
      }
    };
    const coldWriter = async (stream: string): Promise<void> => {
      let expected: ExpectedRevision = 'no_stream';
      for (let i = 0; i < 10; i++)
        expected = (await store.append(stream, [event('Cold')], expected)).nextExpectedRevision;
    };
    await Promise.all([...Array.from({ length: WRITERS }, hotWriter), ...cold.map(coldWriter)]);

    // The hot stream: every landed append, revisions 0..N-1, no gaps, no duplicates.
    const hotEvents = await store.readStream(hot);
    expect(hotEvents.map((e) => e.revision)).toEqual(range(WRITERS * APPENDS_PER_WRITER));
    expect(ids(hotEvents).sort()).toEqual([...landed].sort());
    console.info(
      `hot stream: ${landed.length} appends landed, ${conflicts} WrongExpectedRevisionError retried`,
    );

    // While the slow transactions are open, events with later sequence numbers are committed and
    // visible: a reader checkpointing on the sequence alone would already be past the slow events.
    const naive = await db.pool.query<{ global_position: string; event_id: string }>(
      `select global_position::text, event_id from ${escapeIdentifier(db.schema)}.es_events order by global_position`,
    );
    const slowest = slow[0];
    expect(naive.rows.some((r) => BigInt(r.global_position) > slow[slow.length - 1].position)).toBe(true);
    expect(naive.rows.some((r) => slow.some((s) => s.event.id === r.event_id))).toBe(false);
    // The fenced reads stop below the oldest open transaction instead.
    const fenced = await store.readAll();
    expect(fenced.every((e) => e.position.commit < slowest.transactionId)).toBe(true);
    expect(collector.events.every((e) => e.position.commit < slowest.transactionId)).toBe(true);

    // Commit the slow transactions, in the reverse order of their appends.
    for (const s of [...slow].reverse()) await s.commit();
    const sentinel = event('Sentinel');
    await store.append(uniqueStream('sentinel'), [sentinel], 'no_stream');
    await collector.untilEvent(sentinel.id);
    await sub.stop();

    const stored = await db.pool.query<{ event_id: string }>(
      `select event_id from ${escapeIdentifier(db.schema)}.es_events`,
    );
    assertDeliveredOnceInOrder(
      collector.events,
      stored.rows.map((r) => r.event_id),
    );
    // The slow events were delivered, before everything that committed while they were open.
    const delivered = ids(collector.events);
    const slowIndexes = slow.map((s) => delivered.indexOf(s.event.id));
    expect(slowIndexes).toEqual([0, 1, 2]);
  });

  it("racing 'any' and 'stream_exists' appends keep the global order consistent with the stream's order", async () => {
    // Without the per-stream lock in es_append, writers that wait on the stream row can take their
    // transaction ids out of turn: about 40% of these events then came out before their predecessor.
    const collector = new Collector();
    const stream = uniqueStream('unchecked-race');
    const first = event('First');
    await store.append(stream, [first], 'no_stream');
    const [created] = await store.readStream(stream);
    const sub = store.subscribeToAll({
      after: created.position,
      handler: collector.handler,
      onError: collector.onError,
    });
    const writer = async (mode: ExpectedRevision): Promise<void> => {
      for (let i = 0; i < APPENDS_PER_WRITER; i++)
        await store.append(stream, [event('Unchecked'), event('Unchecked')], mode);
    };
    const modes: ExpectedRevision[] = ['any', 'stream_exists'];
    await Promise.all(Array.from({ length: WRITERS }, (_, i) => writer(modes[i % 2])));
    const sentinel = event('Sentinel');
    await store.append(uniqueStream('sentinel'), [sentinel], 'no_stream');
    await collector.untilEvent(sentinel.id);
    await sub.stop();

    const recorded = await store.readStream(stream);
    expect(recorded.map((e) => e.revision)).toEqual(range(WRITERS * APPENDS_PER_WRITER * 2 + 1));
    const delivered = collector.events.filter((e) => e.streamId === stream || e.id === sentinel.id);
    expect(ids(delivered)).toEqual([...ids(recorded.slice(1)), sentinel.id]);
    expect(collector.events.every((e) => comparePositions(e.position, created.position) > 0)).toBe(true);
  });
});

/** Every id delivered exactly once, in strictly increasing positions, each stream's revisions 0..n-1 in order. */
function assertDeliveredOnceInOrder(delivered: RecordedEvent[], expectedIds: string[]): void {
  expect(new Set(ids(delivered)).size).toBe(delivered.length);
  expect(ids(delivered).sort()).toEqual([...expectedIds].sort());
  for (let i = 1; i < delivered.length; i++) {
    expect(comparePositions(delivered[i - 1].position, delivered[i].position)).toBe(-1);
  }
  const revisions = new Map<string, number[]>();
  for (const e of delivered) revisions.set(e.streamId, [...(revisions.get(e.streamId) ?? []), e.revision]);
  for (const list of revisions.values()) expect(list).toEqual(range(list.length));
}

interface SlowAppend {
  event: NewEvent;
  transactionId: bigint;
  position: bigint;
  commit(): Promise<void>;
}

/** Appends through es_append inside a transaction that stays open until commit() is called. */
async function beginSlowAppend(schema: string, stream: string, e: NewEvent): Promise<SlowAppend> {
  const client: PoolClient = await db.pool.connect();
  open.add(client);
  await client.query('begin');
  const { rows } = await client.query<{ o_status: string; o_prepare: string; o_commit: string }>(
    `select o_status, o_prepare::text, o_commit from ${escapeIdentifier(schema)}.es_append($1, 'no_stream', $2::uuid[], $3::text[], $4::jsonb[], $5::jsonb[])`,
    [stream, [e.id], [e.type], [JSON.stringify(e.data)], [JSON.stringify(e.metadata)]],
  );
  expect(rows[0].o_status).toBe('ok');
  return {
    event: e,
    transactionId: BigInt(rows[0].o_commit),
    position: BigInt(rows[0].o_prepare),
    commit: async () => {
      try {
        await client.query('commit');
      } finally {
        open.delete(client);
        client.release();
      }
    },
  };
}

const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);
