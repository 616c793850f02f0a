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
import { MarketingConfig } from '../marketing.config';
import { PROFILE_COLUMNS, type ProfileRow } from '../profile/profile.queries';
import { segmentDecider, type SegmentCommand, type SegmentState } from './segment.decider';
import { decodeCursor, encodeCursor } from './segment.cursor';
import type { DefineSegmentDto, ListSegmentsQuery, MembersQueryDto, RedefineSegmentDto } from './segment.dto';
import { SEGMENT_STREAM_SCHEMA_VERSIONS, segmentStreamId, type SegmentEvent } from './segment.events';
import { SegmentMembershipService } from './segment-membership.service';
import { matches, ruleProblems } from './segment.rules';
import { summarize } from './segment.summary';
import { dependsOnTime } from './segment.time';

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
    private readonly config: MarketingConfig,
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

  /**
   * How many profiles the rule matches now, nothing recorded. It reads every profile (and, for a
   * rule testing consent, each customer's consent ledger): by pages of `SEGMENT_EVALUATION_CHUNK`
   * in customer-id order, each its own statement and none in a transaction, so that a preview
   * holds no transaction open however long it takes (its cost grows with the profiles).
   */
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
    for (let after: string | null = null; ;) {
      const page: ProfileRow[] = await this.runtime.db.query(
        `select ${PROFILE_COLUMNS} from marketing.customer_profile
          where $1::uuid is null or customer_id > $1::uuid order by customer_id limit $2`,
        [after, this.config.SEGMENT_EVALUATION_CHUNK],
      );
      for (const row of page) {
        profiles += 1;
        if (matches(valid, await this.memberships.profileFor(row, [valid], at), at)) count += 1;
      }
      if (page.length < this.config.SEGMENT_EVALUATION_CHUNK) return { at, count, profiles };
      after = page[page.length - 1].customer_id;
    }
  }

  /** A page of segments: newest defined first, or by name; each with its member count and rule in a line. */
  async list({ order = 'newest', limit = 50, cursor }: ListSegmentsQuery) {
    const after = cursor === undefined ? undefined : decodeCursor(cursor, order)!;
    const [key, sort] =
      order === 'name'
        ? ['s.name', 's.name asc, s.segment_id asc']
        : ['s.defined_at', 's.defined_at desc, s.segment_id desc'];
    const rows: SegmentRow[] = await this.runtime.db.query(
      `select s.segment_id, s.name, s.description, s.rule, s.version, s.defined_at, s.redefined_at,
              (select count(*)::int from marketing.segment_membership m where m.segment_id = s.segment_id) as members
         from marketing.segment s
        where $1::text is null or (${key}, s.segment_id) ${order === 'name' ? '>' : '<'} ($1::${order === 'name' ? 'text' : 'timestamptz'}, $2::uuid)
        order by ${sort} limit $3`,
      [after?.key ?? null, after?.id ?? null, limit + 1],
    );
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return {
      items: page.map((r) => ({
        segmentId: r.segment_id,
        name: r.name,
        ...(r.description ? { description: r.description } : {}),
        version: r.version,
        members: r.members,
        rule: summarize(r.rule),
        timeBased: dependsOnTime(r.rule),
        definedAt: r.defined_at.toISOString(),
        redefinedAt: r.redefined_at?.toISOString() ?? null,
      })),
      order,
      limit,
      ...(rows.length > limit
        ? {
            next: encodeCursor({
              order,
              key: order === 'name' ? last.name : last.defined_at.toISOString(),
              id: last.segment_id,
            }),
          }
        : {}),
    };
  }

  /**
   * A page of the members now, or at `at` from the membership history, by joining instant then
   * customer id; `count`: all of them at that instant.
   */
  async members(segmentId: string, { at, limit = 100, cursor }: MembersQueryDto = {}) {
    await this.get(segmentId);
    const after = cursor === undefined ? undefined : decodeCursor(cursor, 'joined')!;
    const instant = at === undefined ? new Date() : new Date(at);
    // $2: the instant (history only), $3 / $4: the cursor's joining instant and customer id.
    const [from, leftAt, when] =
      at === undefined
        ? ['marketing.segment_membership', 'null::timestamptz', '$2::timestamptz is null']
        : [
            'marketing.segment_membership_history',
            'left_at',
            'joined_at <= $2 and (left_at is null or left_at > $2)',
          ];
    const params = [segmentId, at === undefined ? null : instant];
    const [{ count }]: { count: number }[] = await this.runtime.db.query(
      `select count(*)::int as count from ${from} where segment_id = $1 and ${when}`,
      params,
    );
    const rows: MemberRow[] = await this.runtime.db.query(
      `select customer_id, segment_version, joined_at, ${leftAt} as left_at from ${from}
        where segment_id = $1 and ${when} and ($3::timestamptz is null or (joined_at, customer_id) > ($3, $4::uuid))
        order by joined_at, customer_id limit $5`,
      [...params, after?.key ?? null, after?.id ?? null, limit + 1],
    );
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    const members: SegmentMember[] = page.map((r) => ({
      customerId: r.customer_id,
      segmentVersion: r.segment_version,
      joinedAt: r.joined_at.toISOString(),
      ...(r.left_at ? { leftAt: r.left_at.toISOString() } : {}),
    }));
    return {
      segmentId,
      at: instant.toISOString(),
      count,
      limit,
      members,
      ...(rows.length > limit
        ? { next: encodeCursor({ order: 'joined', key: last.joined_at.toISOString(), id: last.customer_id }) }
        : {}),
    };
  }
}

interface SegmentRow {
  segment_id: string;
  name: string;
  description: string | null;
  rule: SegmentRule;
  version: number;
  defined_at: Date;
  redefined_at: Date | null;
  members: number;
}

interface MemberRow {
  customer_id: string;
  segment_version: number;
  joined_at: Date;
  left_at: Date | null;
}
