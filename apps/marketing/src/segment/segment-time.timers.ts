import { Inject, Injectable } from '@nestjs/common';
import { PLATFORM_RUNTIME, type PlatformRuntime } from '@crm/service-kit';
import { DurableTimers, type Queryable } from '@crm/timers';
import type { ChunkPosition } from './segment.chunks';

/** The durable timer of a time-based segment (key: the segment id). */
export const SEGMENT_TIME_TIMER = 'segment-time-reevaluation';

/**
 * The segments' timers share the service's timer table (`marketing.durable_timers`) with the
 * campaign steps; each poller fires its own kind only (`kinds`).
 */
export const SEGMENT_TIMERS_SCHEMA = 'marketing';

/**
 * What a segment's timer carries: the instant up to which its time-driven changes were evaluated;
 * during a run (over the profiles in chunks) also the run's instant `until`, how far it got, and
 * `next` (epoch ms): the earliest outcome change after `until` found so far.
 */
export interface SegmentTimerPayload extends ChunkPosition {
  since: string;
  until?: string;
  next?: number;
}

/**
 * The segments' durable timers (libs/timers): one per segment whose rule depends on time, due at
 * the earliest instant any profile's outcome can change (at most a day on). Set through the
 * caller's `db`, so inside the consumer's or the timer's transaction.
 */
@Injectable()
export class SegmentTimeTimers {
  readonly timers: DurableTimers;
  private readonly table = `${SEGMENT_TIMERS_SCHEMA}.durable_timers`;

  constructor(@Inject(PLATFORM_RUNTIME) runtime: PlatformRuntime) {
    this.timers = new DurableTimers({
      pool: runtime.pool,
      schema: SEGMENT_TIMERS_SCHEMA,
      kinds: [SEGMENT_TIME_TIMER],
    });
  }

  /** Sets the segment's timer to `dueAt`, its time-driven changes evaluated up to `since`. */
  set(db: Queryable, segmentId: string, dueAt: Date, since: Date): Promise<void> {
    const payload: SegmentTimerPayload = { since: since.toISOString() };
    return this.timers.schedule(db, SEGMENT_TIME_TIMER, segmentId, dueAt, payload);
  }

  /** Hands a run over to its next chunk, due at `dueAt` (through the firing's `db`). */
  continueRun(db: Queryable, segmentId: string, payload: SegmentTimerPayload, dueAt: Date): Promise<void> {
    return this.timers.schedule(db, SEGMENT_TIME_TIMER, segmentId, dueAt, payload);
  }

  /**
   * Brings the segment's timer forward to `dueAt` if it is due later (a profile changed and its
   * outcome now changes sooner); keeps its `since`; during a run, brings its `next` forward too.
   * Without a timer (a segment recorded before timers were kept): one from the epoch, so that its
   * first run evaluates every change so far. One statement: concurrent consumers cannot move it
   * later than either of them asked.
   */
  async noLaterThan(db: Queryable, segmentId: string, dueAt: Date): Promise<void> {
    await db.query(
      `insert into ${this.table} as t (kind, key, due_at, payload) values ($1, $2, $3, $4)
       on conflict (kind, key) do update set due_at = least(t.due_at, excluded.due_at),
         payload = case when t.payload ? 'next'
           then jsonb_set(t.payload, '{next}', to_jsonb(least((t.payload ->> 'next')::bigint, $5::bigint)))
           else t.payload end`,
      [
        SEGMENT_TIME_TIMER,
        segmentId,
        dueAt,
        JSON.stringify({ since: new Date(0).toISOString() }),
        dueAt.getTime(),
      ],
    );
  }

  /** A timer now for each of these segments that has none (from the epoch, as above). */
  async ensure(db: Queryable, segmentIds: string[]): Promise<void> {
    await db.query(
      `insert into ${this.table} (kind, key, due_at, payload)
       select $1, key, now(), $3 from unnest($2::text[]) as key on conflict (kind, key) do nothing`,
      [SEGMENT_TIME_TIMER, segmentIds, JSON.stringify({ since: new Date(0).toISOString() })],
    );
  }

  /** Removes the segment's timer (its rule no longer depends on time). */
  cancel(db: Queryable, segmentId: string): Promise<void> {
    return this.timers.cancel(db, SEGMENT_TIME_TIMER, segmentId);
  }
}
