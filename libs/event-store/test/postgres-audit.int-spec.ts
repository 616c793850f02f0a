import { randomBytes } from 'node:crypto';
import { Pool, escapeIdentifier } from 'pg';
import { freshDatabase } from '@crm/test-support';
import {
  PostgresEventStore,
  postgresMigrations as migrations,
  runAuditVerify,
  runMigrations,
  type RecordedEvent,
} from '@crm/event-store';
import { DATABASE_URL, testDatabase } from './postgres-support';
import { event, events, metadata, uniqueStream } from './support';

/**
 * `npm run audit:verify` against the real PostgreSQL: stores written through es_append, then
 * changed behind the store's back with SQL, as someone with access to the database could.
 */
jest.setTimeout(60_000);

const db = testDatabase();
const schemas: string[] = [];
afterAll(async () => {
  for (const schema of schemas)
    await db.pool.query(`drop schema if exists ${escapeIdentifier(schema)} cascade`);
  await db.drop();
});

async function auditVerify(args: string[], url = DATABASE_URL): Promise<{ code: number; output: string }> {
  const lines: string[] = [];
  const code = await runAuditVerify(args, { DATABASE_URL: url }, (line) => lines.push(line));
  return { code, output: lines.join('\n') };
}

interface Populated {
  schema: string;
  /** Table name, quoted, for tampering. */
  table: string;
  verify: (...args: string[]) => Promise<{ code: number; output: string }>;
  store: PostgresEventStore;
  /** Stream a: 4 events (two appends of 2); b: 1 event; c: 3 events (one append). */
  a: RecordedEvent[];
  b: RecordedEvent[];
  c: RecordedEvent[];
}

/** A store of its own (each test tampers with it), with three streams. */
async function populated(migrated = migrations): Promise<Populated> {
  const schema = `es_audit_${randomBytes(5).toString('hex')}`;
  schemas.push(schema);
  await runMigrations(db.pool, schema, escapeIdentifier(schema), migrated);
  const store = new PostgresEventStore({ pool: db.pool, schema });
  const [a, b, c] = [uniqueStream('a'), uniqueStream('b'), uniqueStream('c')];
  await store.append(a, events(2), 'no_stream');
  await store.append(a, [event('Assigned', { owner: 'rep-1' }, metadata({ actor: 'ana' })), ...events(1)], 1);
  await store.append(b, [event('Captured', { email: 'ñandú@example.com' })], 'no_stream');
  await store.append(c, events(3), 'no_stream');
  return {
    schema,
    table: `${escapeIdentifier(schema)}.es_events`,
    verify: (...args) => auditVerify(['--schema', schema, ...args]),
    store,
    a: await store.readStream(a),
    b: await store.readStream(b),
    c: await store.readStream(c),
  };
}

const brokenAt = (schema: string, e: RecordedEvent, problem: string) =>
  `${schema}: BROKEN at stream ${e.streamId}, revision ${e.revision}, event ${e.id}: ${problem}: `;

describe('npm run audit:verify', () => {
  it('reports an intact store with its events and streams, exit 0', async () => {
    const s = await populated();
    const { code, output } = await s.verify();
    expect(output).toContain(`${s.schema}: intact: 8 events in 3 streams`);
    expect(output.split('\n').pop()).toBe('intact: 8 events in 3 streams');
    expect(code).toBe(0);
  });

  it.each([
    ['data', `data = '{"i": 99}'`],
    ['actor', `metadata = jsonb_set(metadata, '{actor}', '"mallory"')`],
    ['type', `type = 'Unassigned'`],
    ['recording time', `recorded_at = recorded_at - interval '1 microsecond'`],
  ])('names an event whose %s was changed with SQL as the first broken link, exit 1', async (_, change) => {
    const s = await populated();
    // Two changes: the first in stream order is reported.
    await db.pool.query(`update ${s.table} set ${change} where event_id = any ($1)`, [
      [s.a[2].id, s.c[0].id],
    ]);
    const { code, output } = await s.verify();
    expect(output).toContain(brokenAt(s.schema, s.a[2], 'hash mismatch'));
    expect(output).toContain('the event was altered');
    expect(output).not.toContain('intact');
    expect(code).toBe(1);
  });

  it('detects a deleted middle event: the revisions of its stream skip', async () => {
    const s = await populated();
    await db.pool.query(`delete from ${s.table} where event_id = $1`, [s.c[1].id]);
    const { code, output } = await s.verify();
    expect(output).toContain(brokenAt(s.schema, s.c[2], 'revision gap'));
    expect(output).toContain('revision 1 is missing');
    expect(code).toBe(1);
  });

  it('detects a deleted event whose successors were renumbered to hide the gap', async () => {
    const s = await populated();
    await db.pool.query(`delete from ${s.table} where event_id = $1`, [s.a[1].id]);
    await db.pool.query(`update ${s.table} set revision = revision - 1 where event_id = any ($1)`, [
      [s.a[2].id, s.a[3].id],
    ]);
    const { code, output } = await s.verify();
    // The event now at revision 1 was chained to the deleted one, not to revision 0.
    expect(output).toContain(
      `stream ${s.a[2].streamId}, revision 1, event ${s.a[2].id}: missing predecessor`,
    );
    expect(code).toBe(1);
  });

  it('without a seal, misses a deleted last event and a deleted stream; after one, names them', async () => {
    const s = await populated();
    await db.pool.query(`delete from ${s.table} where event_id = $1 or stream_id = $2`, [
      s.a[3].id,
      s.c[0].streamId,
    ]);
    expect(await s.verify()).toMatchObject({
      code: 0,
      output: expect.stringContaining('intact: 4 events in 2 streams'),
    });

    const sealed = await s.verify('--seal');
    expect(sealed.output).toMatch(
      /sealed: seal 1 over 4 events in 2 streams \(2 heads moved\), digest [0-9a-f]{64}/,
    );
    await db.pool.query(`delete from ${s.table} where stream_id = $1`, [s.b[0].streamId]);
    const { code, output } = await s.verify();
    expect(output).toContain(
      `${s.schema}: BROKEN at stream ${s.b[0].streamId}, revision 0, seal 1: sealed event missing`,
    );
    expect(code).toBe(1);
    await db.pool.query(`delete from ${s.table} where event_id = $1`, [s.a[2].id]);
    expect((await s.verify()).output).toContain(
      `stream ${s.a[2].streamId}, revision 2, seal 1: sealed event missing`,
    );
  });

  it('names a stream rewritten and re-hashed after a seal, which its chain alone cannot show', async () => {
    const s = await populated();
    await s.verify('--seal');
    // Rewrite revision 0 of c, then re-chain the stream with the store's own hash function.
    await db.pool.query(`update ${s.table} set data = '{"i": 42}' where event_id = $1`, [s.c[0].id]);
    for (const e of s.c)
      await db.pool.query(
        `update ${s.table} x set prev_hash = coalesce(p.hash, decode(repeat('00', 32), 'hex')),
           hash = ${escapeIdentifier(s.schema)}.es_event_hash(coalesce(p.hash, decode(repeat('00', 32), 'hex')),
             x.stream_id, x.revision, x.event_id, x.type, x.data, x.metadata, x.recorded_at)
         from (select 1) one left join ${s.table} p on p.stream_id = $1 and p.revision = $2 - 1
         where x.stream_id = $1 and x.revision = $2`,
        [e.streamId, e.revision],
      );
    const { code, output } = await s.verify();
    expect(output).toContain(
      `stream ${s.c[2].streamId}, revision 2, event ${s.c[2].id}, seal 1: differs from seal`,
    );
    expect(code).toBe(1);
  });

  it('exposes altered seals, and seals wiped and re-made, given a digest kept outside the database', async () => {
    const s = await populated();
    const digest = /digest ([0-9a-f]{64})/.exec((await s.verify('--seal')).output)![1];
    await s.store.append(s.b[0].streamId, events(1), 0);
    await s.verify('--seal');
    expect(await s.verify('--anchor', digest)).toMatchObject({ code: 0 });

    const heads = `${escapeIdentifier(s.schema)}.es_audit_sealed_heads`;
    const seals = `${escapeIdentifier(s.schema)}.es_audit_seals`;
    await db.pool.query(`update ${heads} set revision = 0 where seal_id = 2`);
    expect(await s.verify()).toMatchObject({
      code: 1,
      output: expect.stringContaining(`${s.schema}: BROKEN at seal 2: seal chain broken`),
    });

    // Delete the last event of a, wipe the seals and seal again: intact without the anchor...
    await db.pool.query(`delete from ${s.table} where event_id = $1`, [s.a[3].id]);
    await db.pool.query(`truncate ${heads}, ${seals}`);
    await s.verify('--seal');
    expect(await s.verify()).toMatchObject({ code: 0 });
    // ...but the digest recorded before is in no seal any more.
    const anchored = await s.verify('--anchor', digest);
    expect(anchored.output).toContain(
      `${s.schema}: BROKEN: anchor not found: no seal has the digest ${digest}`,
    );
    expect(anchored.code).toBe(1);
  });

  it('verifies events written before the audit migration, which hashes them', async () => {
    const s = await populated(migrations.filter((m) => m.version === 1));
    await s.store.migrate();
    await s.store.append(s.a[0].streamId, events(2), 3);
    expect(await s.verify()).toMatchObject({
      code: 0,
      output: expect.stringContaining('intact: 10 events in 3 streams'),
    });
  });

  it('checks every *_eventstore schema of the database; exit 2 when one cannot be verified', async () => {
    const fresh = await freshDatabase('crm_audit');
    const pool = new Pool({ connectionString: fresh.url, max: 2 });
    try {
      const alpha = new PostgresEventStore({ pool, schema: 'alpha_eventstore' });
      await alpha.migrate();
      await alpha.append(uniqueStream('lead'), events(2), 'no_stream');
      await runMigrations(pool, 'beta_eventstore', 'beta_eventstore', migrations.slice(0, 1));
      const before = await auditVerify([], fresh.url);
      expect(before.output).toContain('alpha_eventstore: intact: 2 events in 1 streams');
      expect(before.output).toContain('beta_eventstore: no hash chain yet');
      expect(before.code).toBe(2);

      await new PostgresEventStore({ pool, schema: 'beta_eventstore' }).migrate();
      const after = await auditVerify([], fresh.url);
      expect(after.output.split('\n')).toEqual([
        'alpha_eventstore: intact: 2 events in 1 streams',
        expect.stringContaining('alpha_eventstore: never sealed'),
        'beta_eventstore: intact: 0 events in 0 streams',
        expect.stringContaining('beta_eventstore: never sealed'),
        'intact: 2 events in 1 streams',
      ]);
      expect(after.code).toBe(0);
    } finally {
      await pool.end();
      await fresh.drop();
    }
  });

  it('refuses arguments it does not understand, exit 2', async () => {
    expect(await auditVerify(['--schema'])).toMatchObject({
      code: 2,
      output: expect.stringContaining('usage'),
    });
    expect(await auditVerify(['--schema', 'x; drop'])).toMatchObject({ code: 2 });
    expect(await auditVerify(['--anchor', 'ab'.repeat(32)])).toMatchObject({
      code: 2,
      output: expect.stringContaining('give its --schema'),
    });
    expect(await auditVerify(['--schema', 'no_such_schema'])).toMatchObject({
      code: 2,
      output: 'no_such_schema: no event store in this schema',
    });
  });
});
