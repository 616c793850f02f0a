import { escapeIdentifier, type PoolClient } from 'pg';
import { GENESIS, eventHash, sealDigest, type SealedHead } from './audit-chain';

/** What is wrong at the first broken link. */
export type AuditProblem =
  /** The event's stored hash is not the hash of its contents: the row was altered. */
  | 'hash mismatch'
  /** The event's prev_hash is not the hash of the event before it: that one was deleted or replaced. */
  | 'missing predecessor'
  /** Revisions skip (or a stream does not start at 0): events were deleted. */
  | 'revision gap'
  /** A sealed stream head is no longer in the store: its last events or the whole stream were deleted. */
  | 'sealed event missing'
  /** A sealed stream head is there with another hash: the stream was rewritten and re-hashed. */
  | 'differs from seal'
  /** The seals themselves were altered, removed or reordered. */
  | 'seal chain broken'
  /** No seal has the digest recorded outside the database (`--anchor`). */
  | 'anchor not found';

export interface BrokenLink {
  schema: string;
  problem: AuditProblem;
  streamId?: string;
  revision?: string;
  eventId?: string;
  sealId?: string;
  detail: string;
}

export interface LastSeal {
  sealId: string;
  sealedAt: Date;
  digest: string;
}

export type AuditReport =
  | { schema: string; intact: true; events: number; streams: number; seals: number; lastSeal?: LastSeal }
  | { schema: string; intact: false; broken: BrokenLink };

/** The store cannot be verified at all (no hash chain yet, or no event store in that schema). */
export class NotAuditableError extends Error {}

interface EventPageRow {
  stream_id: string;
  revision: string;
  event_id: string;
  type: string;
  data: string;
  metadata: string;
  recorded_at: Buffer;
  prev_hash: Buffer | null;
  hash: Buffer | null;
}

const PAGE = 2000;
const hex = (bytes: Buffer | null): string => (bytes ? bytes.toString('hex') : 'none');

/**
 * Verifies one PostgreSQL event store on `client`, inside the caller's (repeatable read)
 * transaction, so that it sees one consistent state: every stream's chain, recomputed from the
 * rows, then the seals. Answers the first broken link, or the counts of an intact store.
 */
export async function verifyWith(
  client: PoolClient,
  schema: string,
  options: { anchor?: string } = {},
): Promise<AuditReport> {
  const s = escapeIdentifier(schema);
  await assertAuditable(client, schema);
  const chains = await verifyChains(client, schema, s);
  if ('broken' in chains) return { schema, intact: false, broken: chains.broken };
  const seals = await verifySeals(client, schema, s, options.anchor);
  if ('broken' in seals) return { schema, intact: false, broken: seals.broken };
  return { schema, intact: true, ...chains, ...seals };
}

async function assertAuditable(client: PoolClient, schema: string): Promise<void> {
  const { rows } = await client.query<{ column_name: string }>(
    `select column_name from information_schema.columns
      where table_schema = $1 and table_name = 'es_events' and column_name in ('stream_id', 'hash')`,
    [schema],
  );
  if (rows.length === 0) throw new NotAuditableError(`${schema}: no event store in this schema`);
  if (rows.length === 1)
    throw new NotAuditableError(
      `${schema}: no hash chain yet (event store migration 2 not applied: start the service once)`,
    );
}

async function verifyChains(
  client: PoolClient,
  schema: string,
  s: string,
): Promise<{ events: number; streams: number } | { broken: BrokenLink }> {
  let events = 0;
  let streams = 0;
  let stream: string | undefined;
  let expectedRevision = 0n;
  let expectedPrev: Buffer = GENESIS;
  let after: [string, string] | undefined;
  const select = `select e.stream_id, e.revision::text as revision, e.event_id, e.type, e.data::text as data,
      e.metadata::text as metadata, timestamptz_send(e.recorded_at) as recorded_at, e.prev_hash, e.hash
    from ${s}.es_events e`;
  const order = `order by e.stream_id, e.revision limit ${PAGE}`;
  for (;;) {
    // Stream by stream through the (stream_id, revision) index, a page at a time.
    const { rows } = after
      ? await client.query<EventPageRow>(
          `${select} where (e.stream_id, e.revision) > ($1::text, $2::bigint) ${order}`,
          after,
        )
      : await client.query<EventPageRow>(`${select} ${order}`);
    for (const row of rows) {
      if (row.stream_id !== stream) {
        stream = row.stream_id;
        streams++;
        expectedRevision = 0n;
        expectedPrev = GENESIS;
      }
      const revision = BigInt(row.revision);
      const link = { schema, streamId: row.stream_id, revision: row.revision, eventId: row.event_id };
      if (revision !== expectedRevision) {
        const detail = `revision ${expectedRevision} is missing (the stream goes on at ${revision}): events were deleted`;
        return { broken: { ...link, problem: 'revision gap', detail } };
      }
      if (!row.prev_hash?.equals(expectedPrev)) {
        const what = revision === 0n ? 'the genesis value' : `the hash of revision ${revision - 1n}`;
        const detail = `prev_hash ${hex(row.prev_hash)} is not ${what} (${hex(expectedPrev)}): the event before it was deleted or replaced`;
        return { broken: { ...link, problem: 'missing predecessor', detail } };
      }
      const computed = eventHash(row.prev_hash, {
        streamId: row.stream_id,
        revision,
        eventId: row.event_id,
        type: row.type,
        data: row.data,
        metadata: row.metadata,
        recordedAt: row.recorded_at,
      });
      if (!row.hash?.equals(computed)) {
        const detail = `stored hash ${hex(row.hash)}, contents hash to ${hex(computed)}: the event was altered`;
        return { broken: { ...link, problem: 'hash mismatch', detail } };
      }
      events++;
      expectedRevision = revision + 1n;
      expectedPrev = row.hash;
    }
    if (rows.length < PAGE) return { events, streams };
    const last = rows[rows.length - 1];
    after = [last.stream_id, last.revision];
  }
}

interface SealRow {
  seal_id: string;
  sealed_at: Date;
  events: string;
  streams: string;
  prev_digest: Buffer;
  digest: Buffer;
}

/** The heads a seal recorded, in the order its digest covers them (stream id, byte order). */
export async function sealedHeads(client: PoolClient, s: string, sealId: string): Promise<SealedHead[]> {
  const { rows } = await client.query<{ stream_id: string; revision: string; hash: Buffer }>(
    `select stream_id, revision::text as revision, hash from ${s}.es_audit_sealed_heads
      where seal_id = $1 order by stream_id collate "C"`,
    [sealId],
  );
  return rows.map((r) => ({ streamId: r.stream_id, revision: BigInt(r.revision), hash: r.hash }));
}

async function verifySeals(
  client: PoolClient,
  schema: string,
  s: string,
  anchor: string | undefined,
): Promise<{ seals: number; lastSeal?: LastSeal } | { broken: BrokenLink }> {
  const { rows: seals } = await client.query<SealRow>(
    `select seal_id::text as seal_id, sealed_at, events::text as events, streams::text as streams, prev_digest, digest
       from ${s}.es_audit_seals order by seal_id`,
  );
  let prev: Buffer = GENESIS;
  let anchored = false;
  for (const [index, seal] of seals.entries()) {
    const sealId = BigInt(seal.seal_id);
    const broken = (detail: string) => ({
      broken: { schema, problem: 'seal chain broken' as const, sealId: seal.seal_id, detail },
    });
    if (sealId !== BigInt(index + 1))
      return broken(`seal ${seal.seal_id} follows seal ${index}: seals were removed`);
    if (!seal.prev_digest.equals(prev))
      return broken(`prev_digest ${hex(seal.prev_digest)} is not the digest of seal ${index} (${hex(prev)})`);
    const heads = await sealedHeads(client, s, seal.seal_id);
    const digest = sealDigest(
      prev,
      { sealId, events: BigInt(seal.events), streams: BigInt(seal.streams) },
      heads,
    );
    if (!digest.equals(seal.digest))
      return broken(
        `stored digest ${hex(seal.digest)}, its heads digest to ${hex(digest)}: the seal was altered`,
      );
    anchored ||= anchor !== undefined && digest.toString('hex') === anchor.toLowerCase();
    prev = digest;
  }
  if (anchor !== undefined && !anchored) {
    const detail = `no seal has the digest ${anchor}: the seals recorded since that one was taken were rewritten`;
    return { broken: { schema, problem: 'anchor not found', detail } };
  }
  // Every head any seal recorded must still be in the store, with the same hash.
  const { rows: lost } = await client.query<{
    seal_id: string;
    stream_id: string;
    revision: string;
    event_id: string | null;
    hash: Buffer;
    now: Buffer | null;
  }>(
    `select h.seal_id::text as seal_id, h.stream_id, h.revision::text as revision, e.event_id, h.hash, e.hash as now
       from ${s}.es_audit_sealed_heads h
       left join ${s}.es_events e on e.stream_id = h.stream_id and e.revision = h.revision
      where e.hash is distinct from h.hash
      order by h.stream_id, h.revision, h.seal_id limit 1`,
  );
  if (lost.length > 0) {
    const [h] = lost;
    const link = { schema, streamId: h.stream_id, revision: h.revision, sealId: h.seal_id };
    if (h.event_id === null) {
      const detail = `seal ${h.seal_id} recorded revision ${h.revision} as the stream's head; it is gone: its last events or the whole stream were deleted`;
      return { broken: { ...link, problem: 'sealed event missing', detail } };
    }
    const detail = `seal ${h.seal_id} recorded hash ${hex(h.hash)}, the store has ${hex(h.now)}: the stream was rewritten and re-hashed`;
    return { broken: { ...link, eventId: h.event_id, problem: 'differs from seal', detail } };
  }
  const last = seals[seals.length - 1];
  return {
    seals: seals.length,
    ...(last
      ? { lastSeal: { sealId: last.seal_id, sealedAt: last.sealed_at, digest: last.digest.toString('hex') } }
      : {}),
  };
}
