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
 */
@Injectable()
export class SegmentMembershipService {
  private readonly handler: CommandHandler<MembershipCommand, MembershipState, MembershipEvent>;

  constructor(
    @Inject(EVENT_STORE) store: EventStore,
    private readonly consents: ConsentService,
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
    const segments = await currentSegments(db);
    if (segments.length === 0) return;
    const [row] = await profileRows(db, [customerId]);
    if (row) await this.evaluate(row, segments, reactionContext(ctx.getCloudEvent(), ACTOR));
  }

  /** The customer's consent changed: the segments that test consent, again. */
  async consentChanged(customerId: string, ctx: CrmEventContext): Promise<void> {
    const db = ctx.getManager();
    const segments = (await currentSegments(db)).filter((s) => testsConsent(s.rule));
    if (segments.length === 0) return;
    const [row] = await profileRows(db, [customerId]);
    if (row) await this.evaluate(row, segments, reactionContext(ctx.getCloudEvent(), ACTOR));
  }

  /** A segment was defined or redefined: every customer with a profile, against it. */
  async segmentChanged(segment: SegmentToEvaluate, ctx: CrmEventContext): Promise<void> {
    const context = reactionContext(ctx.getCloudEvent(), ACTOR);
    for (const row of await profileRows(ctx.getManager())) await this.evaluate(row, [segment], context);
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

/** Every segment's current definition, from `marketing.segment`. */
export async function currentSegments(db: Sql): Promise<SegmentToEvaluate[]> {
  const rows: { segment_id: string; version: number; rule: SegmentRule }[] = await db.query(
    'select segment_id, version, rule from marketing.segment order by segment_id',
  );
  return rows.map((r) => ({ segmentId: r.segment_id, version: r.version, rule: r.rule }));
}
