import { Client } from 'pg';
import { PostgresEventStore } from '@crm/event-store';
import { DATABASE_URL, testDatabase } from './postgres-support';
import { event, ids, uniqueStream } from './support';

jest.setTimeout(60_000);

const db = testDatabase();
let store: PostgresEventStore;

beforeAll(async () => {
  store = new PostgresEventStore({ pool: db.pool, schema: db.schema });
  await store.migrate();
});
afterAll(async () => {
  await store.close();
  await db.drop();
});

describe('PostgresEventStore fence status', () => {
  it('names the transaction in another database that holds reads back, and how many events wait', async () => {
    // A transaction with an id, open in another database of the same cluster.
    const other = new Client({ connectionString: DATABASE_URL.replace(/\/[^/?]+(\?|$)/, '/postgres$1') });
    await other.connect();
    try {
      await other.query(`set application_name = 'fence-holder-test'`);
      await other.query('begin');
      await other.query('select pg_current_xact_id()');
      const pid = (await other.query<{ pid: number }>('select pg_backend_pid() as pid')).rows[0].pid;

      const held = event('HeldBack');
      await store.append(uniqueStream('held'), [held], 'no_stream');
      expect(ids(await store.readAll())).not.toContain(held.id);
      // Transactions that began before ours (other work on a shared cluster) end in a moment; from
      // then on ours is the oldest and holds the fence.
      const status = await until(store.fenceStatus.bind(store), (s) => s.holder?.pid === pid);
      expect(status.heldEvents).toBe(1);
      expect(status.holder).toMatchObject({
        pid,
        database: 'postgres',
        application: 'fence-holder-test',
        state: 'idle in transaction',
      });
      expect(status.holder!.ageSeconds).toBeGreaterThanOrEqual(0);

      await other.query('commit');
      expect(await until(store.fenceStatus.bind(store), (s) => s.heldEvents === 0)).toEqual({
        heldEvents: 0,
      });
      expect(ids(await store.readAll())).toContain(held.id);
    } finally {
      await other.end();
    }
  });
});

/** Reads until the predicate holds (10 s at most), then returns the last value read. */
async function until<T>(read: () => Promise<T>, predicate: (value: T) => boolean): Promise<T> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const value = await read();
    if (predicate(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
