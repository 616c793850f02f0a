import { escapeIdentifier, type Pool, type PoolClient } from 'pg';
import { GENESIS, sealDigest } from './audit-chain';
import { verifyWith, type AuditReport } from './verify-store';

export interface SealReport {
  schema: string;
  sealId: string;
  /** Events and streams in the store when it was sealed. */
  events: number;
  streams: number;
  /** Streams whose head the seal recorded: those that moved since the previous seal. */
  moved: number;
  /** Hex sha256 digest of the seal, chained to the previous one: record it outside the database. */
  digest: string;
}

/** Someone else recorded a seal of the same store at the same time; run again. */
export class ConcurrentSealError extends Error {}

/**
 * Verifies a PostgreSQL event store (schema `schema`): every stream's hash chain and contiguous
 * revisions, recomputed here from the rows, then the seals and, given `anchor` (a seal digest
 * kept outside the database), that the seal chain still contains it. One repeatable-read,
 * read-only transaction: one consistent state, and no transaction id (it does not hold the global
 * log's fence), but it does hold back vacuum while it runs.
 */
export async function verifyEventStore(
  pool: Pool,
  schema: string,
  options: { anchor?: string } = {},
): Promise<AuditReport> {
  return inSnapshot(pool, 'read only', (client) => verifyWith(client, schema, options));
}

/**
 * Verifies the store and, when it is intact, seals it: records the head (revision and hash) of
 * every stream that moved since the previous seal, and the seal's digest chained to the previous
 * one, in the same snapshot. Answers the verification report and, when intact, the seal.
 */
export async function sealEventStore(
  pool: Pool,
  schema: string,
): Promise<{ report: AuditReport; seal?: SealReport }> {
  return inSnapshot(pool, 'read write', async (client) => {
    const report = await verifyWith(client, schema);
    if (!report.intact) return { report };
    try {
      return { report, seal: await sealWith(client, schema, report) };
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (code === '23505' || code === '40001')
        throw new ConcurrentSealError(`${schema}: another seal was recorded at the same time; run again`, {
          cause: error,
        });
      throw error;
    }
  });
}

async function inSnapshot<T>(
  pool: Pool,
  access: 'read only' | 'read write',
  work: (client: PoolClient) => Promise<T>,
): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query(`begin isolation level repeatable read, ${access}`);
    const result = await work(client);
    await client.query('commit');
    return result;
  } catch (error) {
    await client.query('rollback').catch((rollbackError: Error) => (broken = rollbackError));
    throw error;
  } finally {
    client.release(broken);
  }
}

async function sealWith(
  client: PoolClient,
  schema: string,
  verified: Extract<AuditReport, { intact: true }>,
): Promise<SealReport> {
  const s = escapeIdentifier(schema);
  // Each stream's head (a backward scan of the (stream_id, revision) index), where it differs
  // from the revision the last seal that recorded the stream has.
  const { rows } = await client.query<{ stream_id: string; revision: string; hash: Buffer }>(
    `with heads as (
       select distinct on (e.stream_id) e.stream_id, e.revision, e.hash
         from ${s}.es_events e order by e.stream_id desc, e.revision desc
     ), sealed as (
       select distinct on (h.stream_id) h.stream_id, h.revision
         from ${s}.es_audit_sealed_heads h order by h.stream_id, h.seal_id desc
     )
     select heads.stream_id, heads.revision::text as revision, heads.hash
       from heads left join sealed using (stream_id)
      where sealed.revision is distinct from heads.revision
      order by heads.stream_id collate "C"`,
  );
  const heads = rows.map((r) => ({ streamId: r.stream_id, revision: BigInt(r.revision), hash: r.hash }));
  const sealId = BigInt(verified.lastSeal?.sealId ?? 0) + 1n;
  const prev = verified.lastSeal ? Buffer.from(verified.lastSeal.digest, 'hex') : GENESIS;
  const counts = { events: BigInt(verified.events), streams: BigInt(verified.streams) };
  const digest = sealDigest(prev, { sealId, ...counts }, heads);
  await client.query(
    `insert into ${s}.es_audit_seals (seal_id, events, streams, prev_digest, digest) values ($1, $2, $3, $4, $5)`,
    [String(sealId), verified.events, verified.streams, prev, digest],
  );
  await client.query(
    `insert into ${s}.es_audit_sealed_heads (seal_id, stream_id, revision, hash)
       select $1, u.stream_id, u.revision, u.hash from unnest($2::text[], $3::bigint[], $4::bytea[]) as u(stream_id, revision, hash)`,
    [String(sealId), rows.map((r) => r.stream_id), rows.map((r) => r.revision), rows.map((r) => r.hash)],
  );
  return {
    schema,
    sealId: String(sealId),
    events: verified.events,
    streams: verified.streams,
    moved: heads.length,
    digest: digest.toString('hex'),
  };
}
