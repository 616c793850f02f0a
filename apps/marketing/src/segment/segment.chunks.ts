import type { Queryable } from '@crm/timers';
import { PROFILE_COLUMNS, type ProfileRow, type Sql } from '../profile/profile.queries';

/**
 * Passes over every customer profile in bounded chunks, each in its own (short) transaction: a
 * pass goes in customer-id order from a cursor (the last customer id done), so that no transaction
 * ever reads, evaluates or holds every profile (an open transaction holds back the event-store
 * readers of the whole PostgreSQL server).
 *
 * A chunk's rows are read `FOR SHARE SKIP LOCKED`: a row being changed by a transaction still open
 * (the `marketing-profiles` consumer, an erasure) is not waited for but skipped and tried again by
 * the next chunk (`pending`); a row read is kept from changing until the chunk's decisions are
 * committed, so that a chunk never decides on a profile older than the one another path decided on.
 */
export interface ChunkPosition {
  /** The last customer id of the pass done; none: from the first. */
  after?: string;
  /** Customers skipped (their row was being changed): tried first by the next chunk. */
  pending?: string[];
}

export interface ProfileChunk {
  rows: ProfileRow[];
  /** Where the next chunk goes on from; none when the pass is done. */
  next?: Required<ChunkPosition>;
  /** Only rows being changed are left: the next chunk waits a little for them (see `nextChunkAt`). */
  waiting: boolean;
}

/** The profiles of the next chunk: the pending ones, then up to `limit` after the cursor. */
export async function profileChunk(db: Sql, position: ChunkPosition, limit: number): Promise<ProfileChunk> {
  const ids: string[] = (
    await db.query(
      `select customer_id from marketing.customer_profile
        where $1::uuid is null or customer_id > $1::uuid order by customer_id limit $2`,
      [position.after ?? null, limit],
    )
  ).map((r: { customer_id: string }) => r.customer_id);
  const wanted = [...new Set([...(position.pending ?? []), ...ids])];
  const rows: ProfileRow[] =
    wanted.length === 0
      ? []
      : await db.query(
          `select ${PROFILE_COLUMNS} from marketing.customer_profile where customer_id = any($1::uuid[])
            order by customer_id for share skip locked`,
          [wanted],
        );
  const read = new Set(rows.map((r) => r.customer_id));
  // A pending customer whose row is gone (or not there yet) is not waited for.
  const existing: string[] =
    wanted.length === read.size
      ? []
      : (
          await db.query(
            'select customer_id from marketing.customer_profile where customer_id = any($1::uuid[])',
            [wanted.filter((id) => !read.has(id))],
          )
        ).map((r: { customer_id: string }) => r.customer_id);
  const pending = existing.filter((id) => !read.has(id));
  const done = ids.length < limit && pending.length === 0;
  return {
    rows,
    waiting: ids.length < limit && pending.length > 0,
    ...(done ? {} : { next: { after: ids[ids.length - 1] ?? position.after ?? ZERO_UUID, pending } }),
  };
}

const ZERO_UUID = '00000000-0000-0000-0000-000000000000';

/** How long a pass waits for rows being changed when nothing else is left. */
const WAIT_FOR_LOCKED_MS = 200;

/**
 * When a timer handing over to its next chunk is due: at once (a little later when only rows
 * being changed are left), and strictly after the due instant of the firing (a timer handled and
 * not moved is deleted).
 */
export const nextChunkAt = (firedDueAt: Date, { waiting }: Pick<ProfileChunk, 'waiting'>): Date =>
  new Date(Math.max(Date.now() + (waiting ? WAIT_FOR_LOCKED_MS : 0), firedDueAt.getTime() + 1));

/** A timer's pg client as `Sql` (rows, not the driver's result). */
export const rowsOf = (client: Queryable): Sql => ({
  query: async (text, params) => ((await client.query(text, params)) as { rows: unknown[] }).rows,
});
