import { randomBytes } from 'node:crypto';
import { escapeIdentifier } from 'pg';
import { PostgresEventStore, comparePositions } from '@crm/event-store';
import { describeEventStoreContract } from './event-store.contract';
import { testDatabase } from './postgres-support';
import { Collector, event, events, expectConflict, ids, uniqueStream } from './support';

// The root jest.config.js sets testTimeout inside `projects`, where jest ignores it (5 s default).
jest.setTimeout(60_000);

const db = testDatabase();
afterAll(() => db.drop());

describeEventStoreContract(
  'PostgreSQL',
  async () => new PostgresEventStore({ pool: db.pool, schema: db.schema }),
);

describe('PostgresEventStore', () => {
  let store: PostgresEventStore;

  beforeAll(async () => {
    store = new PostgresEventStore({ pool: db.pool, schema: db.schema });
    await store.migrate();
  });
  afterAll(() => store.close());

  it('migrates a schema once, even when many instances start at the same time', async () => {
    const schema = `es_test_${randomBytes(6).toString('hex')}`;
    try {
      const stores = Array.from({ length: 6 }, () => new PostgresEventStore({ pool: db.pool, schema }));
      await Promise.all(stores.map((s) => s.migrate()));
      const { rows } = await db.pool.query(
        `select version, name from ${escapeIdentifier(schema)}.es_schema_migrations order by version`,
      );
      expect(rows).toEqual([
        { version: 1, name: 'streams, events and es_append' },
        { version: 2, name: 'audit: hash chain, seals, audit indexes' },
      ]);
      await stores[0].append('s', events(1), 'no_stream');
    } finally {
      await db.pool.query(`drop schema if exists ${escapeIdentifier(schema)} cascade`);
    }
  });

  it('appends only the ids not yet in the stream, still checking the expected revision', async () => {
    const stream = uniqueStream('partial');
    const [a, b, c] = events(3);
    await store.append(stream, [a], 'no_stream');
    expect(await store.append(stream, [a, b], 0)).toEqual({
      nextExpectedRevision: 1,
      idempotentReplay: false,
    });
    expect(ids(await store.readStream(stream))).toEqual([a.id, b.id]);
    await expectConflict(store.append(stream, [b, c], 0), 1);
    expect(await store.append(stream, [b, c], 'any')).toEqual({
      nextExpectedRevision: 2,
      idempotentReplay: false,
    });
    expect((await store.readStream(stream)).map((e) => [e.id, e.revision])).toEqual([
      [a.id, 0],
      [b.id, 1],
      [c.id, 2],
    ]);
  });

  it('rejects an event id that is already recorded in another stream', async () => {
    const [first, second] = [uniqueStream('owner'), uniqueStream('other')];
    const taken = event('Taken');
    await store.append(first, [taken], 'no_stream');
    await expect(store.append(second, [taken], 'any')).rejects.toThrow(`already recorded in stream ${first}`);
    expect(await store.readStream(second)).toEqual([]);
  });

  it('rejects appends no adapter can honour', async () => {
    const stream = uniqueStream('invalid');
    await expect(store.append(stream, [], 'any')).rejects.toThrow('at least one event');
    const twice = event('Twice');
    await expect(store.append(stream, [twice, twice], 'any')).rejects.toThrow('appears twice');
    await expect(store.append(stream, events(1), -1)).rejects.toThrow('non-negative integer');
    expect(() => new PostgresEventStore({ pool: db.pool, schema: 'bad; drop' })).toThrow('invalid schema');
  });

  it('events of one append share a transaction id (commit) and take consecutive sequence numbers', async () => {
    const stream = uniqueStream('tx');
    await store.append(stream, events(3), 'no_stream');
    const read = await store.readStream(stream);
    expect(new Set(read.map((e) => e.position.commit)).size).toBe(1);
    expect(read.map((e) => e.position.prepare - read[0].position.prepare)).toEqual([0n, 1n, 2n]);
  });

  it('refuses (40001) to commit an event behind its predecessor in the global order', async () => {
    // A caller's own transaction that took its id before a later writer appended to the stream.
    const stream = uniqueStream('guard');
    const client = await db.pool.connect();
    try {
      await client.query('begin');
      await client.query('select pg_current_xact_id()');
      await store.append(stream, events(1), 'no_stream');
      const late = event('Late');
      const error = await client
        .query(
          `select * from ${escapeIdentifier(db.schema)}.es_append($1, 'any', $2::uuid[], $3::text[], $4::jsonb[], $5::jsonb[])`,
          [stream, [late.id], [late.type], [JSON.stringify(late.data)], [JSON.stringify(late.metadata)]],
        )
        .then(
          () => undefined,
          (e: { code?: string }) => e,
        );
      expect(error?.code).toBe('40001');
    } finally {
      await client.query('rollback');
      client.release();
    }
    expect(await store.readStream(stream)).toHaveLength(1);
  });

  it('wakes its own subscribers on append, without waiting for the poll interval', async () => {
    // An hour-long poll interval: only the in-process wake-up can deliver within the test timeout.
    const sleepy = new PostgresEventStore({ pool: db.pool, schema: db.schema, pollIntervalMs: 3_600_000 });
    const [latest] = (await sleepy.readAll()).slice(-1);
    const collector = new Collector();
    const sub = sleepy.subscribeToAll({ after: latest?.position, ...handlers(collector) });
    const woken = event('Woken');
    await sleepy.append(uniqueStream('wake'), [woken], 'no_stream');
    await collector.untilEvent(woken.id);
    await sleepy.close();
    await sub.done;
  });

  it('sees appends made through another instance (another process) by polling', async () => {
    const reader = new PostgresEventStore({ pool: db.pool, schema: db.schema, pollIntervalMs: 20 });
    const collector = new Collector();
    reader.subscribeToAll(handlers(collector));
    const elsewhere = event('Elsewhere');
    await store.append(uniqueStream('other-process'), [elsewhere], 'no_stream');
    await collector.untilEvent(elsewhere.id);
    await reader.close();
    const positions = collector.events.map((e) => e.position);
    for (let i = 1; i < positions.length; i++)
      expect(comparePositions(positions[i - 1], positions[i])).toBe(-1);
  });

  it('close() stops its subscriptions and leaves the pool to its owner', async () => {
    const own = new PostgresEventStore({ pool: db.pool, schema: db.schema });
    const sub = own.subscribeToAll({ handler: async () => undefined });
    await own.close();
    await sub.done;
    expect(() => own.subscribeToAll({ handler: async () => undefined })).toThrow('closed');
    await own.ping();
  });
});

function handlers(collector: Collector): Pick<Collector, 'handler' | 'onError'> {
  return { handler: collector.handler, onError: collector.onError };
}
