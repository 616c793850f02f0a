import { randomUUID } from 'node:crypto';
import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import type { SegmentRule } from '@crm/contracts';
import { PLATFORM_RUNTIME, type PlatformRuntime } from '@crm/service-kit';
import type { DueTimer, Queryable } from '@crm/timers';
import { MarketingConfig } from '../marketing.config';
import { profileOf, type Sql } from '../profile/profile.queries';
import { nextChunkAt, profileChunk, rowsOf } from './segment.chunks';
import { segmentById, SegmentMembershipService } from './segment-membership.service';
import { SEGMENT_TIME_TIMER, SegmentTimeTimers, type SegmentTimerPayload } from './segment-time.timers';
import { changesBetween, dependsOnTime, nextReevaluation } from './segment.time';

/** How often every replica polls the segments' timers, in milliseconds. */
export const SEGMENT_TIMER_POLL_MS = 1000;
const ACTOR = 'marketing:segment-time';

/**
 * Time-based segments kept up to date with no event: a segment's due timer evaluates again,
 * through `SegmentMembershipService`, the customers whose outcome changed since the timer's
 * `since` (a `withinLastDays` window that opened or closed), then sets the timer to the next
 * instant any profile's outcome changes (at most a day on). A run reads the profiles in chunks of
 * `SEGMENT_EVALUATION_CHUNK` (`segment.chunks.ts`), one firing of the timer each, so that no
 * transaction reads every profile. Every replica polls; a due timer is claimed by one
 * (`FOR UPDATE SKIP LOCKED`), and an evaluation run twice records nothing twice.
 */
@Injectable()
export class SegmentTimeReevaluation implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('segment-time');

  constructor(
    @Inject(PLATFORM_RUNTIME) private readonly runtime: Pick<PlatformRuntime, 'db'>,
    private readonly segmentTimers: SegmentTimeTimers,
    private readonly memberships: SegmentMembershipService,
    private readonly config: MarketingConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.segmentTimers.timers.migrate();
    await this.ensureTimers(this.runtime.db);
    this.start();
  }

  onApplicationShutdown(): Promise<void> {
    return this.segmentTimers.timers.stop();
  }

  /** Polls the timers (once per process); `stop` through the timers. */
  start(): void {
    this.segmentTimers.timers.start((timer, db) => this.fire(timer, db));
  }

  /** A timer for every time-based segment that has none (segments recorded before timers were kept). */
  async ensureTimers(db: Sql): Promise<void> {
    const rows: { segment_id: string; rule: SegmentRule }[] = await db.query(
      'select segment_id, rule from marketing.segment',
    );
    const ids = rows.filter((r) => dependsOnTime(r.rule)).map((r) => r.segment_id);
    if (ids.length > 0) await this.segmentTimers.ensure(db, ids);
  }

  /**
   * A due timer: one chunk of the run (the customers whose outcome changed in `(since, until]`,
   * `until` the run's first firing); the next chunk at once, or, the run done, the next run at the
   * earliest change of any profile's outcome after `until`.
   */
  async fire(timer: DueTimer, client: Queryable): Promise<void> {
    if (timer.kind !== SEGMENT_TIME_TIMER) return;
    const db = rowsOf(client);
    const segment = await segmentById(db, timer.key);
    // A segment gone, or no longer time-based: its timer goes with this run.
    if (!segment || !dependsOnTime(segment.rule)) return;
    const run = timer.payload as Partial<SegmentTimerPayload>;
    const since = new Date(run.since ?? 0);
    const until = run.until ? new Date(run.until) : new Date();
    const chunk = await profileChunk(db, run, this.config.SEGMENT_EVALUATION_CHUNK);
    const profiles = chunk.rows.map((r) => profileOf(r));
    const changed = chunk.rows.filter((_r, i) => changesBetween(segment.rule, profiles[i], since, until));
    const context = { commandId: randomUUID(), correlationId: randomUUID(), actor: ACTOR };
    await this.memberships.reevaluate(changed, segment, context);
    const next = Math.min(run.next ?? Infinity, nextReevaluation(segment.rule, profiles, until).getTime());
    if (chunk.next) {
      const payload = { since: since.toISOString(), until: until.toISOString(), ...chunk.next, next };
      return this.segmentTimers.continueRun(
        client,
        segment.segmentId,
        payload,
        nextChunkAt(timer.dueAt, chunk),
      );
    }
    await this.segmentTimers.set(client, segment.segmentId, new Date(next), until);
    this.logger.debug({
      msg: 'time-based segment evaluated',
      segmentId: segment.segmentId,
      changed: changed.length,
      next: new Date(next).toISOString(),
    });
  }
}
