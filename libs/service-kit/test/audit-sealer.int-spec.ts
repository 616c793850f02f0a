import { randomBytes, randomUUID } from 'node:crypto';
import { escapeIdentifier, Pool } from 'pg';
import { PostgresEventStore } from '@crm/event-store';
import { AuditSealer } from '@crm/service-kit';
import { testDatabaseUrl } from '@crm/test-support';

jest.setTimeout(60_000);

/**
 * The scheduled seal on a real PostgreSQL event store: an intact store is sealed (a seal row is
 * recorded, the status says intact); a row altered with SQL afterwards makes the next seal refuse
 * and report the chain broken; two replicas sealing at once leave one seal and no error.
 */
const pool = new Pool({ connectionString: testDatabaseUrl(), max: 6 });
const schema = `sealer_test_${randomBytes(5).toString('hex')}`;
const store = new PostgresEventStore({ pool, schema });
const seals = async () =>
  Number(
    (await pool.query(`select count(*) as n from ${escapeIdentifier(schema)}.es_audit_seals`)).rows[0].n,
  );

beforeAll(async () => {
  await store.migrate();
  const at = new Date().toISOString();
  for (const stream of ['lead-a', 'lead-b'])
    await store.append(
      `${stream}-${randomUUID()}`,
      [1, 2].map((n) => ({
        id: randomUUID(),
        type: 'Noted',
        data: { n },
        metadata: {
          customerId: randomUUID(),
          correlationId: 'c',
          causationId: 'c',
          schemaVersion: 1,
          occurredAt: at,
        },
      })),
      'no_stream',
    );
});
afterAll(async () => {
  await pool.query(`drop schema if exists ${escapeIdentifier(schema)} cascade`);
  await pool.end();
});

describe('scheduled audit seal', () => {
  it('seals an intact store once even when two replicas seal at the same moment', async () => {
    const [a, b] = [new AuditSealer(pool, schema, 0), new AuditSealer(pool, schema, 0)];
    await Promise.all([a.sealOnce(), b.sealOnce()]);
    expect([a.status.intact, b.status.intact].filter(Boolean).length).toBeGreaterThanOrEqual(1);
    expect(await seals()).toBe(1);
    expect(a.status.intact ?? b.status.intact).toBe(true);
  });

  it('refuses to seal, and says the chain is broken, once a stored event was altered with SQL', async () => {
    await pool.query(
      `update ${escapeIdentifier(schema)}.es_events set data = '{"n": 99}' where global_position = (select min(global_position) from ${escapeIdentifier(schema)}.es_events)`,
    );
    const sealer = new AuditSealer(pool, schema, 0);
    await sealer.sealOnce();
    expect(sealer.status.intact).toBe(false);
    expect(await seals()).toBe(1);
  });
});
