import { MARKETING_EVENT_VERSIONS, type MarketingEventMap } from '@crm/contracts';
import type { DomainEvent } from '@crm/decider';

type Of<K extends keyof MarketingEventMap> = DomainEvent<K, MarketingEventMap[K]>;

/** The events of a segment's definition stream (`segment-<segmentId>`). */
export type SegmentEvent = Of<'SegmentDefined'> | Of<'SegmentRedefined'>;

/** The events of a customer's segment memberships (`segmentMembership-<customerId>`). */
export type MembershipEvent = Of<'SegmentMemberJoined'> | Of<'SegmentMemberLeft'>;

export const segmentStreamId = (segmentId: string) => `segment-${segmentId}`;
export const membershipStreamId = (customerId: string) => `segmentMembership-${customerId}`;

export const SEGMENT_STREAM_SCHEMA_VERSIONS: Record<SegmentEvent['type'], number> = {
  SegmentDefined: MARKETING_EVENT_VERSIONS.SegmentDefined,
  SegmentRedefined: MARKETING_EVENT_VERSIONS.SegmentRedefined,
};
export const MEMBERSHIP_STREAM_SCHEMA_VERSIONS: Record<MembershipEvent['type'], number> = {
  SegmentMemberJoined: MARKETING_EVENT_VERSIONS.SegmentMemberJoined,
  SegmentMemberLeft: MARKETING_EVENT_VERSIONS.SegmentMemberLeft,
};
