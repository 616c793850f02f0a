import type { SegmentRule } from '@crm/contracts';
import { DomainError, conflict, notFound, type Decider } from '@crm/decider';
import type { MembershipEvent, SegmentEvent } from './segment.events';
import { matches, ruleProblems, type CustomerProfile } from './segment.rules';

/**
 * A segment's definition (stream `segment-<segmentId>`): its name and rule tree, versioned; a
 * redefinition is a new version. A rule is recorded only when it has no problem at all.
 */
export type SegmentCommand =
  | {
      type: 'DefineSegment';
      data: { segmentId: string; name: string; description?: string; rule: unknown; at: string };
    }
  | { type: 'RedefineSegment'; data: { name?: string; description?: string; rule: unknown; at: string } };

export interface DefinedSegment {
  status: 'defined';
  segmentId: string;
  name: string;
  description?: string;
  rule: SegmentRule;
  version: number;
}
export type SegmentState = { status: 'none' } | DefinedSegment;

/** The rule, or a 400 naming every problem by its JSON pointer under `rule`. */
function validRule(rule: unknown): SegmentRule {
  const problems = ruleProblems(rule);
  if (problems.length > 0)
    throw new DomainError('validation', 'SEGMENT_RULE_INVALID', 'the segment rule has problems', {
      problems: problems.map((p) => ({ ...p, path: `/rule${p.path}` })),
    });
  return rule as SegmentRule;
}

const canonical = (value: unknown): string =>
  JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b)))
      : v,
  );

export const segmentDecider: Decider<SegmentCommand, SegmentState, SegmentEvent> = {
  initialState: () => ({ status: 'none' }),
  decide: (command, state) => {
    if (command.type === 'DefineSegment') {
      if (state.status !== 'none')
        throw conflict('SEGMENT_ALREADY_DEFINED', 'this segment exists: redefine it');
      const { segmentId, name, description, at } = command.data;
      const rule = validRule(command.data.rule);
      return [
        {
          type: 'SegmentDefined',
          data: { segmentId, name, ...(description ? { description } : {}), rule, version: 1, definedAt: at },
        },
      ];
    }
    if (state.status === 'none') throw notFound('SEGMENT_NOT_FOUND', 'no segment with this id');
    const rule = validRule(command.data.rule);
    const name = command.data.name ?? state.name;
    const description = command.data.description ?? state.description;
    if (name === state.name && description === state.description && canonical(rule) === canonical(state.rule))
      return [];
    return [
      {
        type: 'SegmentRedefined',
        data: {
          segmentId: state.segmentId,
          name,
          ...(description ? { description } : {}),
          rule,
          version: state.version + 1,
          redefinedAt: command.data.at,
        },
      },
    ];
  },
  evolve: (_state, event) => {
    const { segmentId, name, description, rule, version } = event.data;
    return { status: 'defined', segmentId, name, ...(description ? { description } : {}), rule, version };
  },
};

/**
 * A customer's memberships (stream `segmentMembership-<customerId>`): when their profile changes
 * (or a segment is redefined), the segments are evaluated again over the profile and the
 * difference is recorded: joined where they match now and were not in, left where they were in and
 * match no more.
 */
export interface MembershipCommand {
  type: 'EvaluateMembership';
  data: {
    customerId: string;
    profile: CustomerProfile;
    /** The current definitions to evaluate; segments not listed keep their members. */
    segments: ReadonlyArray<Pick<DefinedSegment, 'segmentId' | 'version' | 'rule'>>;
    at: string;
  };
}

export interface MembershipState {
  customerId?: string;
  /** Segment id → the definition version the customer matched when they joined. */
  memberOf: Record<string, number>;
}

export const membershipDecider: Decider<MembershipCommand, MembershipState, MembershipEvent> = {
  initialState: () => ({ memberOf: {} }),
  decide: ({ data }, state) => {
    const { customerId, profile, segments, at } = data;
    if (profile.customerId !== customerId || (state.customerId && state.customerId !== customerId))
      throw conflict('PROFILE_OF_ANOTHER_CUSTOMER', "the profile is not this customer's");
    const events: MembershipEvent[] = [];
    for (const segment of [...segments].sort((a, b) => a.segmentId.localeCompare(b.segmentId))) {
      const member = Object.hasOwn(state.memberOf, segment.segmentId);
      const match = matches(segment.rule, profile, at);
      const facts = { segmentId: segment.segmentId, segmentVersion: segment.version, customerId };
      if (match && !member) events.push({ type: 'SegmentMemberJoined', data: { ...facts, joinedAt: at } });
      if (!match && member) events.push({ type: 'SegmentMemberLeft', data: { ...facts, leftAt: at } });
    }
    return events;
  },
  evolve: (state, { type, data }) => {
    const memberOf = { ...state.memberOf };
    if (type === 'SegmentMemberJoined') memberOf[data.segmentId] = data.segmentVersion;
    else delete memberOf[data.segmentId];
    return { customerId: data.customerId, memberOf };
  },
};
