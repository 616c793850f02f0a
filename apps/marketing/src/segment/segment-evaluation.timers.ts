import { Inject, Injectable } from '@nestjs/common';
import { PLATFORM_RUNTIME, type PlatformRuntime } from '@crm/service-kit';
import { DurableTimers, type Queryable } from '@crm/timers';
import type { ChunkPosition } from './segment.chunks';
import { SEGMENT_TIMERS_SCHEMA } from './segment-time.timers';

/** The durable timer of a segment's evaluation over every profile (key: the segment id). */
export const SEGMENT_EVALUATION_TIMER = 'segment-evaluation';

/** What an evaluation's timer carries: the definition it evaluates, and how far it got. */
export interface SegmentEvaluationPayload extends ChunkPosition {
  /** The definition version evaluated; a newer version supersedes the evaluation. */
  version: number;
  /** The correlation id of the definition, for the membership events the evaluation records. */
  correlationId?: string;
}

/**
 * The evaluations of (re)defined segments, as durable timers (libs/timers) in the service's timer
 * table (`marketing.durable_timers`, shared with the time-based segments and the campaign steps;
 * this poller fires its own kind only). One timer per segment: a new version's evaluation replaces
 * the timer of the one under way (waiting for its chunk, which holds the row, to commit), so that
 * two versions of a segment are never evaluated at once.
 */
@Injectable()
export class SegmentEvaluationTimers {
  readonly timers: DurableTimers;

  constructor(@Inject(PLATFORM_RUNTIME) runtime: PlatformRuntime) {
    this.timers = new DurableTimers({
      pool: runtime.pool,
      schema: SEGMENT_TIMERS_SCHEMA,
      kinds: [SEGMENT_EVALUATION_TIMER],
    });
  }

  /** Evaluates the segment's `version` over every profile from the first, from now (through `db`). */
  start(db: Queryable, segmentId: string, version: number, correlationId: string): Promise<void> {
    const payload: SegmentEvaluationPayload = { version, correlationId };
    return this.timers.schedule(db, SEGMENT_EVALUATION_TIMER, segmentId, new Date(), payload);
  }

  /** Hands the evaluation over to its next chunk, due at `dueAt` (through the firing's `db`). */
  next(db: Queryable, segmentId: string, payload: SegmentEvaluationPayload, dueAt: Date): Promise<void> {
    return this.timers.schedule(db, SEGMENT_EVALUATION_TIMER, segmentId, dueAt, payload);
  }
}
