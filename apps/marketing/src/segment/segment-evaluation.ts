import { randomUUID } from 'node:crypto';
import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { DueTimer, Queryable } from '@crm/timers';
import { profileOf } from '../profile/profile.queries';
import { MarketingConfig } from '../marketing.config';
import { nextChunkAt, profileChunk, rowsOf } from './segment.chunks';
import {
  SEGMENT_EVALUATION_TIMER,
  SegmentEvaluationTimers,
  type SegmentEvaluationPayload,
} from './segment-evaluation.timers';
import { segmentById, SegmentMembershipService } from './segment-membership.service';
import { SegmentTimeTimers } from './segment-time.timers';
import { dependsOnTime, nextReevaluation } from './segment.time';

const ACTOR = 'marketing:segment-evaluation';

/**
 * A (re)defined segment evaluated over every customer profile, outside the consumer's transaction:
 * the `marketing-segments` consumer only sets the segment's evaluation timer
 * (`SegmentEvaluationTimers`); each firing evaluates, through `SegmentMembershipService`, at most
 * `SEGMENT_EVALUATION_CHUNK` profiles in customer-id order after the timer's cursor (rows being
 * changed meanwhile are tried again by the next firing), then hands over to the next chunk at
 * once, until every profile is done. A firing for a version no longer current records nothing and
 * ends the evaluation (the new version has its own). The decider records only differences, so a
 * chunk run again after a crash, or a customer evaluated meanwhile because their profile changed,
 * records nothing twice. For a time-based rule each chunk brings the segment's time timer forward
 * to the earliest change of its profiles' outcomes.
 */
@Injectable()
export class SegmentEvaluation implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('segment-evaluation');

  constructor(
    private readonly evaluations: SegmentEvaluationTimers,
    private readonly timeTimers: SegmentTimeTimers,
    private readonly memberships: SegmentMembershipService,
    private readonly config: MarketingConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.evaluations.timers.migrate();
    this.start();
  }

  onApplicationShutdown(): Promise<void> {
    return this.evaluations.timers.stop();
  }

  /** Polls the evaluations' timers (once per process); `stop` through the timers. */
  start(): void {
    this.evaluations.timers.start((timer, db) => this.fire(timer, db));
  }

  /** One chunk of an evaluation, in the timer's transaction; the next one scheduled if any is left. */
  async fire(timer: DueTimer, client: Queryable): Promise<void> {
    if (timer.kind !== SEGMENT_EVALUATION_TIMER) return;
    const payload = timer.payload as SegmentEvaluationPayload;
    const db = rowsOf(client);
    const segment = await segmentById(db, timer.key);
    // Superseded (a newer version evaluates everyone) or gone: the evaluation ends here.
    if (!segment || segment.version !== payload.version) return;
    const chunk = await profileChunk(db, payload, this.config.SEGMENT_EVALUATION_CHUNK);
    const context = {
      commandId: randomUUID(),
      correlationId: payload.correlationId ?? randomUUID(),
      actor: ACTOR,
    };
    const now = new Date();
    await this.memberships.reevaluate(chunk.rows, segment, context);
    if (dependsOnTime(segment.rule) && chunk.rows.length > 0) {
      const profiles = chunk.rows.map((r) => profileOf(r));
      await this.timeTimers.noLaterThan(
        client,
        segment.segmentId,
        nextReevaluation(segment.rule, profiles, now),
      );
    }
    if (chunk.next)
      await this.evaluations.next(
        client,
        segment.segmentId,
        { ...payload, ...chunk.next },
        nextChunkAt(timer.dueAt, chunk),
      );
    this.logger.debug({
      msg: 'segment evaluation chunk',
      segmentId: segment.segmentId,
      version: segment.version,
      evaluated: chunk.rows.length,
      done: !chunk.next,
    });
  }
}
