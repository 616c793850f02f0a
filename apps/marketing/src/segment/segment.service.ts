import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import {
  ORGANISATION_CUSTOMER_ID,
  assertValidEvent,
  commandTime,
  type CommandContext,
  type SegmentRule,
} from '@crm/contracts';
import { CommandHandler, DomainError, notFound } from '@crm/decider';
import type { EventStore } from '@crm/event-store';
import { EVENT_STORE, PLATFORM_RUNTIME, type PlatformRuntime } from '@crm/service-kit';
import { profileRows } from '../profile/profile.queries';
import { segmentDecider, type SegmentCommand, type SegmentState } from './segment.decider';
import type { DefineSegmentDto, RedefineSegmentDto } from './segment.dto';
import { SEGMENT_STREAM_SCHEMA_VERSIONS, segmentStreamId, type SegmentEvent } from './segment.events';
import { SegmentMembershipService } from './segment-membership.service';
import { matches, ruleProblems } from './segment.rules';

export interface SegmentMember {
  customerId: string;
  segmentVersion: number;
  joinedAt: string;
  leftAt?: string;
}

/**
 * Segments over HTTP: definitions decided by the segment decider (stream `segment-<segmentId>`),
 * previews evaluated over the profile read model now, members read from the membership read
 * model (current, or at an instant from its history).
 */
@Injectable()
export class SegmentService {
  private readonly handler: CommandHandler<SegmentCommand, SegmentState, SegmentEvent>;

  constructor(
    @Inject(EVENT_STORE) store: EventStore,
    @Inject(PLATFORM_RUNTIME) private readonly runtime: PlatformRuntime,
    private readonly memberships: SegmentMembershipService,
  ) {
    this.handler = new CommandHandler({
      store,
      decider: segmentDecider,
      schemaVersions: SEGMENT_STREAM_SCHEMA_VERSIONS,
      validateEvent: assertValidEvent,
      // A segment is the organisation's, no customer's.
      customerIdOf: () => ORGANISATION_CUSTOMER_ID,
    });
  }

  async define(dto: DefineSegmentDto, context: CommandContext) {
    const segmentId = randomUUID();
    const { name, description, rule } = dto;
    const data = { segmentId, name, ...(description ? { description } : {}), rule, at: commandTime(context) };
    const result = await this.handler.handle(
      segmentStreamId(segmentId),
      { type: 'DefineSegment', data },
      context,
      { newStream: true },
    );
    return { segmentId, version: 1, revision: result.revision };
  }

  async redefine(
    segmentId: string,
    dto: RedefineSegmentDto,
    context: CommandContext,
    expectedRevision?: number,
  ) {
    const { name, description, rule } = dto;
    const data = {
      ...(name ? { name } : {}),
      ...(description !== undefined ? { description } : {}),
      rule,
      at: commandTime(context),
    };
    const result = await this.handler.handle(
      segmentStreamId(segmentId),
      { type: 'RedefineSegment', data },
      context,
      { expectedRevision },
    );
    const version = result.state.status === 'defined' ? result.state.version : 1;
    return { segmentId, version, revision: result.revision, unchanged: result.unchanged };
  }

  async get(segmentId: string) {
    const { state, revision } = await this.handler.load(segmentStreamId(segmentId));
    if (state.status === 'none') throw notFound('SEGMENT_NOT_FOUND', 'no segment with this id');
    const { status: _status, ...segment } = state;
    const [{ count }] = await this.runtime.db.query<{ count: number }[]>(
      'select count(*)::int as count from marketing.segment_membership where segment_id = $1',
      [segmentId],
    );
    return { ...segment, revision, members: count };
  }

  /** How many profiles the rule matches now, nothing recorded. */
  async preview(rule: unknown, now = new Date()) {
    const problems = ruleProblems(rule);
    if (problems.length > 0)
      throw new DomainError('validation', 'SEGMENT_RULE_INVALID', 'the segment rule has problems', {
        problems: problems.map((p) => ({ ...p, path: `/rule${p.path}` })),
      });
    const at = now.toISOString();
    const valid = rule as SegmentRule;
    let count = 0;
    let profiles = 0;
    for (const row of await profileRows(this.runtime.db)) {
      profiles += 1;
      if (matches(valid, await this.memberships.profileFor(row, [valid], at), at)) count += 1;
    }
    return { at, count, profiles };
  }

  /** The members now, or at `at` from the membership history. */
  async members(segmentId: string, at?: string) {
    await this.get(segmentId);
    const rows: { customer_id: string; segment_version: number; joined_at: Date; left_at?: Date | null }[] =
      at === undefined
        ? await this.runtime.db.query(
            `select customer_id, segment_version, joined_at from marketing.segment_membership
              where segment_id = $1 order by joined_at, customer_id`,
            [segmentId],
          )
        : await this.runtime.db.query(
            `select customer_id, segment_version, joined_at, left_at from marketing.segment_membership_history
              where segment_id = $1 and joined_at <= $2 and (left_at is null or left_at > $2)
              order by joined_at, customer_id`,
            [segmentId, new Date(at)],
          );
    const members: SegmentMember[] = rows.map((r) => ({
      customerId: r.customer_id,
      segmentVersion: r.segment_version,
      joinedAt: r.joined_at.toISOString(),
      ...(r.left_at ? { leftAt: r.left_at.toISOString() } : {}),
    }));
    return {
      segmentId,
      at: at === undefined ? new Date().toISOString() : new Date(at).toISOString(),
      count: members.length,
      members,
    };
  }
}
