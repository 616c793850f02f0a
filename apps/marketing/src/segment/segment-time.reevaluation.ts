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
import { profileOf, profileRows, type Sql } from '../profile/profile.queries';
import { SegmentMembershipService, type SegmentToEvaluate } from './segment-membership.service';
import { SEGMENT_TIME_TIMER, SegmentTimeTimers, type SegmentTimerPayload } from './segment-time.timers';
import { changesBetween, dependsOnTime, nextReevaluation } from './segment.time';

/** How often every replica polls the segments' timers, in milliseconds. */
export const SEGMENT_TIMER_POLL_MS = 1000;
const ACTOR = 'marketing:segment-time';

/**
 * Time-based segments kept up to date with no event: a segment's due timer evaluates again,
 * through `SegmentMembershipService`, the customers whose outcome changed since the timer's
 * `since` (a `withinLastDays` window that opened or closed), then sets the timer to the next
 * instant any profile's outcome changes (at most a day on). Every replica polls; a due timer is
 * claimed by one (`FOR UPDATE SKIP LOCKED`), and an evaluation run twice records nothing twice.
 */
@Injectable()
export class SegmentTimeReevaluation implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('segment-time');

  constructor(
    @Inject(PLATFORM_RUNTIME) private readonly runtime: Pick<PlatformRuntime, 'db'>,
    private readonly segmentTimers: SegmentTimeTimers,
    private readonly memberships: SegmentMembershipService,
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

  /** A due timer: the customers whose outcome changed since its `since`, then the next timer. */
  async fire(timer: DueTimer, client: Queryable): Promise<void> {
    if (timer.kind !== SEGMENT_TIME_TIMER) return;
    const db = rowsOf(client);
    const segment = await segmentById(db, timer.key);
    // A segment gone, or no longer time-based: its timer goes with this run.
    if (!segment || !dependsOnTime(segment.rule)) return;
    const { since } = timer.payload as Partial<SegmentTimerPayload>;
    const from = new Date(since ?? 0);
    const now = new Date();
    const rows = await profileRows(db);
    const changed = rows.filter((r) => changesBetween(segment.rule, profileOf(r), from, now));
    const context = { commandId: randomUUID(), correlationId: randomUUID(), actor: ACTOR };
    await this.memberships.reevaluate(changed, segment, context);
    const due = nextReevaluation(
      segment.rule,
      rows.map((r) => profileOf(r)),
      now,
    );
    await this.segmentTimers.set(client, segment.segmentId, due, now);
    this.logger.debug({
      msg: 'time-based segment evaluated',
      segmentId: segment.segmentId,
      changed: changed.length,
      next: due.toISOString(),
    });
  }
}

/** The timer's pg client as `Sql` (rows, not the driver's result). */
const rowsOf = (client: Queryable): Sql => ({
  query: async (text, params) => ((await client.query(text, params)) as { rows: unknown[] }).rows,
});

async function segmentById(db: Sql, segmentId: string): Promise<SegmentToEvaluate | undefined> {
  const [row]: { segment_id: string; version: number; rule: SegmentRule }[] = await db.query(
    'select segment_id, version, rule from marketing.segment where segment_id = $1',
    [segmentId],
  );
  return row && { segmentId: row.segment_id, version: row.version, rule: row.rule };
}
