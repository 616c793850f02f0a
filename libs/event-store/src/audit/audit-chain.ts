import { createHash } from 'node:crypto';

/**
 * The audit hash chain of the PostgreSQL event store, recomputed outside the database: the
 * verifier trusts none of the database's own functions (a replaced `es_event_hash` could approve
 * anything), only the text and bytes of the rows. Must match `es_event_hash` of migration 2
 * (`src/postgres/audit-migration.ts`) byte for byte.
 */

/** The `prev_hash` of every stream's revision 0, and the `prev_digest` of the first seal. */
export const GENESIS = Buffer.alloc(32);

/** An event row as the verifier reads it: jsonb as PostgreSQL's text, recorded_at as its 8 bytes. */
export interface ChainedRow {
  streamId: string;
  revision: bigint;
  eventId: string;
  type: string;
  /** `data::text`: PostgreSQL writes jsonb canonically (keys sorted, one spacing). */
  data: string;
  metadata: string;
  /** `timestamptz_send(recorded_at)`: microseconds since 2000-01-01 UTC, 8 bytes big-endian. */
  recordedAt: Buffer;
}

function field(text: string): Buffer[] {
  const bytes = Buffer.from(text, 'utf8');
  const length = Buffer.alloc(4);
  length.writeUInt32BE(bytes.length);
  return [length, bytes];
}

function int8(value: bigint): Buffer {
  const bytes = Buffer.alloc(8);
  bytes.writeBigInt64BE(value);
  return bytes;
}

const uuid = (id: string): Buffer => Buffer.from(id.replace(/-/g, ''), 'hex');

/** sha256(prev || field(stream) || int8(revision) || uuid(id) || field(type) || field(data) || field(metadata) || recorded_at). */
export function eventHash(prev: Buffer, row: ChainedRow): Buffer {
  const hash = createHash('sha256').update(prev);
  for (const part of [
    ...field(row.streamId),
    int8(row.revision),
    uuid(row.eventId),
    ...field(row.type),
    ...field(row.data),
    ...field(row.metadata),
    row.recordedAt,
  ])
    hash.update(part);
  return hash.digest();
}

/** The head of a stream as a seal records it. */
export interface SealedHead {
  streamId: string;
  revision: bigint;
  hash: Buffer;
}

/**
 * A seal's digest: sha256(previous seal's digest || int8(seal id) || int8(events) || int8(streams)
 * || for each head, by stream id in the database's order: field(stream) || int8(revision) || hash).
 */
export function sealDigest(
  prev: Buffer,
  seal: { sealId: bigint; events: bigint; streams: bigint },
  heads: Iterable<SealedHead>,
): Buffer {
  const hash = createHash('sha256')
    .update(prev)
    .update(int8(seal.sealId))
    .update(int8(seal.events))
    .update(int8(seal.streams));
  for (const head of heads) {
    for (const part of field(head.streamId)) hash.update(part);
    hash.update(int8(head.revision)).update(head.hash);
  }
  return hash.digest();
}
