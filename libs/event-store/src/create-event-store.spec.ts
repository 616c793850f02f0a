import { Pool } from 'pg';
import { createEventStore } from './create-event-store';
import { EventStoreDbEventStore } from './eventstoredb/eventstoredb-event-store';
import { PostgresEventStore } from './postgres/postgres-event-store';

describe('createEventStore', () => {
  it('builds the configured adapter', async () => {
    const pool = new Pool({ connectionString: 'postgres://nobody@127.0.0.1:1/none' });
    expect(createEventStore({ kind: 'postgres', pool, schema: 'crm_events' })).toBeInstanceOf(
      PostgresEventStore,
    );
    const esdb = createEventStore({ kind: 'eventstoredb', connectionString: 'esdb://127.0.0.1:1?tls=false' });
    expect(esdb).toBeInstanceOf(EventStoreDbEventStore);
    await esdb.close();
    await pool.end();
  });
});
