import { Inject, Injectable } from '@nestjs/common';
import { assertValidEvent, commandTime, type CommandContext, type SegmentRule } from '@crm/contracts';
import { CommandHandler } from '@crm/decider';
import type { EventStore } from '@crm/event-store';
import type { CrmEventContext } from '@crm/messaging';
import { EVENT_STORE, reactionContext } from '@crm/service-kit';
import { ConsentService } from '../consent/consent.service';
import { profileOf, profileRows, testsConsent, type ProfileRow, type Sql } from '../profile/profile.queries';
import {
  membershipDecider,
  type DefinedSegment,
  type MembershipCommand,
  type MembershipState,
} from './segment.decider';
import { SegmentEvaluationTimers } from './segment-evaluation.timers';
import { SegmentTimeTimers } from './segment-time.timers';
import { REEVALUATION_FALLBACK_MS, dependsOnTime, nextOutcomeChange } from './segment.time';
import {
  MEMBERSHIP_STREAM_SCHEMA_VERSIONS,
  membershipStreamId,
  type MembershipEvent,
} from './segment.events';

export type SegmentToEvaluate = Pick<DefinedSegment, 'segmentId' | 'version' | 'rule'>;

const ACTOR = 'marketing:segment-membership';

/**
 * Keeps each customer's segment memberships (stream `segmentMembership-<customerId>`) up to date:
 * the membership decider evaluates the customer's profile row against the segments and records
 * `SegmentMemberJoined` / `SegmentMemberLeft` for the difference only, so an evaluation run again
 * (a redelivered event, a retried batch) records nothing new. `hasConsent` is answered by the
 * consent ledger (`consentAt` on the customer's consent stream) at the evaluation's instant.
 * For a segment whose rule depends on time (`withinLastDays`), each evaluation also sets when the
 * segment must be evaluated again with no event (its durable timer, `SegmentTimeTimers`).
 */
@Injectable()
export class SegmentMembershipService {
  private readonly handler: CommandHandler<MembershipCommand, MembershipState, MembershipEvent>;

  constructor(
    @Inject(EVENT_STORE) store: EventStore,
    private readonly consents: ConsentService,
    private readonly timers: SegmentTimeTimers,
    private readonly evaluations: SegmentEvaluationTimers,
  ) {
    this.handler = new CommandHandler({
      store,
      decider: membershipDecider,
      schemaVersions: MEMBERSHIP_STREAM_SCHEMA_VERSIONS,
      validateEvent: assertValidEvent,
      customerIdOf: (_state, command) => command.data.customerId,
    });
  }

  /** A profile row changed (in the consumer's transaction `ctx`): every current segment, again. */
  async profileChanged(customerId: string, ctx: CrmEventContext): Promise<void> {
    const db = ctx.getManager();
    await lockDefinitions(db, 'shared');
    const segments = await currentSegments(db);
    if (segments.length === 0) return;
    const [row] = await profileRows(db, [customerId]);
    if (!row) return;
    await this.evaluate(row, segments, reactionContext(ctx.getCloudEvent(), ACTOR));
    // Their outcome may now change sooner than the segment's timer is due (a backdated purchase).
    const now = new Date();
    for (const segment of segments.filter((s) => dependsOnTime(s.rule))) {
      const next = nextOutcomeChange(segment.rule, profileOf(row), now);
      if (next) await this.timers.noLaterThan(db, segment.segmentId, next);
    }
  }

  /** The customer's consent changed: the segments that test consent, again. */
  async consentChanged(customerId: string, ctx: CrmEventContext): Promise<void> {
    const db = ctx.getManager();
    const segments = (await currentSegments(db)).filter((s) => testsConsent(s.rule));
    if (segments.length === 0) return;
    const [row] = await profileRows(db, [customerId]);
    if (row) await this.evaluate(row, segments, reactionContext(ctx.getCloudEvent(), ACTOR));
  }

  /**
   * A segment was defined or redefined (in the consumer's transaction `ctx`): no profile evaluated
   * here, only the intent recorded: its evaluation over every profile, in chunks, by the
   * evaluation's timer (`SegmentEvaluation`); its time timer set a day on from now, brought forward
   * by the chunks (or removed when its rule does not depend on time).
   */
  async segmentChanged(segment: SegmentToEvaluate, ctx: CrmEventContext): Promise<void> {
    const db = ctx.getManager();
    const now = new Date();
    const { segmentId, version, rule } = segment;
    await this.evaluations.start(db, segmentId, version, ctx.getCloudEvent().correlationid);
    if (dependsOnTime(rule)) {
      await this.timers.set(db, segmentId, new Date(now.getTime() + REEVALUATION_FALLBACK_MS), now);
    } else await this.timers.cancel(db, segmentId);
    // Last, held to the commit: see lockDefinitions.
    await lockDefinitions(db, 'exclusive');
  }

  /** These customers against one segment (each recording only what differs). */
  async reevaluate(rows: ProfileRow[], segment: SegmentToEvaluate, context: CommandContext): Promise<void> {
    for (const row of rows) await this.evaluate(row, [segment], context);
  }

  /** Whether the profile matches: what `matches` needs, with the consents now when a rule asks. */
  async profileFor(row: ProfileRow, rules: SegmentRule[], at: string) {
    if (!rules.some(testsConsent)) return profileOf(row);
    const { consents } = await this.consents.query(row.customer_id, {}, new Date(at));
    return profileOf(
      row,
      consents.filter((c) => c.allowed).map(({ purpose, channel }) => ({ purpose, channel })),
    );
  }

  private async evaluate(row: ProfileRow, segments: SegmentToEvaluate[], context: CommandContext) {
    const at = commandTime(context);
    const profile = await this.profileFor(
      row,
      segments.map((s) => s.rule),
      at,
    );
    await this.handler.handle(
      membershipStreamId(row.customer_id),
      { type: 'EvaluateMembership', data: { customerId: row.customer_id, profile, segments, at } },
      context,
    );
  }
}

/**
 * Orders the definitions of segments against the profile changes that read them: a customer
 * whose profile a transaction changes evaluates the current segments holding this lock shared (to
 * its commit), and a new definition is committed holding it exclusive. So either the profile's
 * evaluation sees the new definition, or the definition commits after the profile's change, and
 * the evaluation's chunks (which start after the definition committed) read the changed profile:
 * a profile changed while a segment is defined is never missed by both.
 */
export async function lockDefinitions(db: Sql, mode: 'shared' | 'exclusive'): Promise<void> {
  const lock = mode === 'shared' ? 'pg_advisory_xact_lock_shared' : 'pg_advisory_xact_lock';
  await db.query(`select ${lock}(hashtext('marketing:segment-definitions'))`);
}

/** Every segment's current definition, from `marketing.segment`. */
export async function currentSegments(db: Sql): Promise<SegmentToEvaluate[]> {
  const rows: { segment_id: string; version: number; rule: SegmentRule }[] = await db.query(
    'select segment_id, version, rule from marketing.segment order by segment_id',
  );
  return rows.map((r) => ({ segmentId: r.segment_id, version: r.version, rule: r.rule }));
}

/** One segment's current definition, if it is recorded. */
export async function segmentById(db: Sql, segmentId: string): Promise<SegmentToEvaluate | undefined> {
  const [row]: { segment_id: string; version: number; rule: SegmentRule }[] = await db.query(
    'select segment_id, version, rule from marketing.segment where segment_id = $1',
    [segmentId],
  );
  return row && { segmentId: row.segment_id, version: row.version, rule: row.rule };
}
