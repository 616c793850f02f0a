/**
 * Public contract of the marketing context: the events it publishes on `crm.marketing.events`.
 *
 * The consent ledger (stream per customer) is bitemporal: every entry says when it takes effect
 * (`effectiveAt`, possibly before it was written down: a paper form typed in a week later, a
 * withdrawal by phone recorded the next day) and when we recorded it (`recordedAt`). Whether we
 * could contact a customer on a channel for a purpose at time T, as we knew it at time K, is
 * answered from these events alone (entries recorded by K and effective by T).
 *
 * Segments are rule trees over the customer profile; membership changes are events too.
 */
import { Type, type Static } from '@sinclair/typebox';
import { Personal, StringEnum, Text, Timestamp, Uuid } from '../validation/schema-kit';

/** What a customer is contacted for. */
export const CONSENT_PURPOSES = ['newsletter', 'offers', 'third_party_sharing'] as const;
/** How a customer is contacted. */
export const CONSENT_CHANNELS = ['email', 'sms', 'phone', 'post'] as const;
/** GDPR art. 6(1): the legal ground a contact rests on (consent is one of six). */
export const LAWFUL_BASES = [
  'consent',
  'contract',
  'legal_obligation',
  'vital_interests',
  'public_task',
  'legitimate_interest',
] as const;
export const SUPPRESSION_REASONS = ['hard_bounce', 'complaint', 'manual'] as const;
export type ConsentPurpose = (typeof CONSENT_PURPOSES)[number];
export type ConsentChannel = (typeof CONSENT_CHANNELS)[number];
export type LawfulBasis = (typeof LAWFUL_BASES)[number];
export type SuppressionReason = (typeof SUPPRESSION_REASONS)[number];

const Purpose = StringEnum(CONSENT_PURPOSES);
const ContactChannel = StringEnum(CONSENT_CHANNELS);
const Basis = StringEnum(LAWFUL_BASES);

/** When the entry takes effect, and when it was recorded (the two times of the ledger). */
const Bitemporal = {
  /** When the fact takes effect; may be before `recordedAt` (a late record or a correction). */
  effectiveAt: Timestamp(),
  /** When the marketing service recorded it. */
  recordedAt: Timestamp(),
};

/** What proves the consent was given: the form, the address it came from, the double opt-in. */
export const ConsentEvidence = Type.Object({
  /** The version of the form or text the customer agreed to. */
  formVersion: Type.Optional(Text()),
  /** The IP address the consent was given from. */
  ip: Type.Optional(Personal(Text())),
  /** When the customer confirmed through the signed e-mail link (double opt-in). */
  doubleOptInConfirmedAt: Type.Optional(Timestamp()),
});
export type ConsentEvidence = Static<typeof ConsentEvidence>;

export const ConsentGrantedV1 = Type.Object({
  customerId: Uuid(),
  purpose: Purpose,
  channel: ContactChannel,
  lawfulBasis: Basis,
  /** Where it was collected (e.g. `web_form`, `import`, `call`, `double_opt_in`). */
  source: Text(),
  evidence: ConsentEvidence,
  /** The double opt-in request it confirms, for e-mail consent. */
  requestId: Type.Optional(Uuid()),
  ...Bitemporal,
});
export type ConsentGrantedV1 = Static<typeof ConsentGrantedV1>;

export const ConsentWithdrawnV1 = Type.Object({
  customerId: Uuid(),
  purpose: Purpose,
  channel: ContactChannel,
  /** Where the withdrawal came from (e.g. `unsubscribe_link`, `call`, `web_form`). */
  source: Text(),
  ...Bitemporal,
});
export type ConsentWithdrawnV1 = Static<typeof ConsentWithdrawnV1>;

export const DoubleOptInRequestedV1 = Type.Object({
  customerId: Uuid(),
  /** Named in the signed confirmation link; confirmed at most once. */
  requestId: Uuid(),
  purpose: Purpose,
  channel: ContactChannel,
  lawfulBasis: Basis,
  source: Text(),
  evidence: ConsentEvidence,
  /** The confirmation link is refused after this. */
  expiresAt: Timestamp(),
  ...Bitemporal,
});
export type DoubleOptInRequestedV1 = Static<typeof DoubleOptInRequestedV1>;

export const DoubleOptInConfirmedV1 = Type.Object({
  customerId: Uuid(),
  requestId: Uuid(),
  purpose: Purpose,
  channel: ContactChannel,
  ...Bitemporal,
});
export type DoubleOptInConfirmedV1 = Static<typeof DoubleOptInConfirmedV1>;

export const ContactSuppressedV1 = Type.Object({
  customerId: Uuid(),
  reason: StringEnum(SUPPRESSION_REASONS),
  /** The one channel suppressed; absent: every channel. Overrides any consent, for every purpose. */
  channel: Type.Optional(ContactChannel),
  /** Why, in words (a manual suppression's note, a complaint's feedback type); may name people. */
  note: Type.Optional(Personal(Type.String({ minLength: 1, maxLength: 500 }))),
  ...Bitemporal,
});
export type ContactSuppressedV1 = Static<typeof ContactSuppressedV1>;

/** Customer profile fields a segment rule can test (see `apps/marketing/src/segment/segment.rules.ts`). */
export const SEGMENT_FIELDS = [
  'lifecycleStage',
  'customerType',
  'country',
  'interests',
  'ownerId',
  'wonRevenue',
  'lastPurchaseAt',
  'openComplaints',
  'csat',
] as const;
export type SegmentField = (typeof SEGMENT_FIELDS)[number];
export const SEGMENT_OPERATORS = ['eq', 'neq', 'in', 'gt', 'gte', 'lt', 'lte', 'contains'] as const;
export type SegmentOperator = (typeof SEGMENT_OPERATORS)[number];

/** A node of a segment's rule tree. */
export type SegmentRule =
  | { all: SegmentRule[] }
  | { any: SegmentRule[] }
  | { not: SegmentRule }
  | { field: SegmentField; op: SegmentOperator; value: string | number | Array<string | number> }
  | { field: SegmentField; withinLastDays: number }
  | { hasConsent: { purpose: ConsentPurpose; channel: ConsentChannel } };

/**
 * The rule tree, as JSON: each node is exactly one of `{"all": [node, ...]}`, `{"any": [node, ...]}`,
 * `{"not": node}`, a comparison `{"field", "op", "value"}` (`op`: eq, neq, in, gt, gte, lt, lte,
 * contains), `{"field", "withinLastDays"}` on a date field, or `{"hasConsent": {"purpose", "channel"}}`.
 * The marketing service checks every node before it records a definition.
 */
export const SegmentRuleSchema = Type.Unsafe<SegmentRule>({
  type: 'object',
  minProperties: 1,
  description:
    'A rule tree node: exactly one of {"all": [node]}, {"any": [node]}, {"not": node}, ' +
    '{"field", "op", "value"} (op: eq, neq, in, gt, gte, lt, lte, contains), ' +
    '{"field", "withinLastDays"} or {"hasConsent": {"purpose", "channel"}}. ' +
    `Fields: ${SEGMENT_FIELDS.join(', ')}.`,
});

export const SegmentDefinedV1 = Type.Object({
  segmentId: Uuid(),
  name: Text(),
  description: Type.Optional(Type.String()),
  rule: SegmentRuleSchema,
  /** 1 for a new segment; each redefinition adds one. */
  version: Type.Integer({ minimum: 1 }),
  definedAt: Timestamp(),
});
export type SegmentDefinedV1 = Static<typeof SegmentDefinedV1>;

export const SegmentRedefinedV1 = Type.Object({
  segmentId: Uuid(),
  name: Text(),
  description: Type.Optional(Type.String()),
  rule: SegmentRuleSchema,
  version: Type.Integer({ minimum: 2 }),
  redefinedAt: Timestamp(),
});
export type SegmentRedefinedV1 = Static<typeof SegmentRedefinedV1>;

export const SegmentMemberJoinedV1 = Type.Object({
  segmentId: Uuid(),
  /** The definition the customer matched. */
  segmentVersion: Type.Integer({ minimum: 1 }),
  customerId: Uuid(),
  joinedAt: Timestamp(),
});
export type SegmentMemberJoinedV1 = Static<typeof SegmentMemberJoinedV1>;

export const SegmentMemberLeftV1 = Type.Object({
  segmentId: Uuid(),
  /** The definition the customer no longer matches. */
  segmentVersion: Type.Integer({ minimum: 1 }),
  customerId: Uuid(),
  leftAt: Timestamp(),
});
export type SegmentMemberLeftV1 = Static<typeof SegmentMemberLeftV1>;

export const MARKETING_EVENT_SCHEMAS = {
  ConsentGranted: { 1: ConsentGrantedV1 },
  ConsentWithdrawn: { 1: ConsentWithdrawnV1 },
  DoubleOptInRequested: { 1: DoubleOptInRequestedV1 },
  DoubleOptInConfirmed: { 1: DoubleOptInConfirmedV1 },
  ContactSuppressed: { 1: ContactSuppressedV1 },
  SegmentDefined: { 1: SegmentDefinedV1 },
  SegmentRedefined: { 1: SegmentRedefinedV1 },
  SegmentMemberJoined: { 1: SegmentMemberJoinedV1 },
  SegmentMemberLeft: { 1: SegmentMemberLeftV1 },
} as const;

export interface MarketingEventMap {
  ConsentGranted: ConsentGrantedV1;
  ConsentWithdrawn: ConsentWithdrawnV1;
  DoubleOptInRequested: DoubleOptInRequestedV1;
  DoubleOptInConfirmed: DoubleOptInConfirmedV1;
  ContactSuppressed: ContactSuppressedV1;
  SegmentDefined: SegmentDefinedV1;
  SegmentRedefined: SegmentRedefinedV1;
  SegmentMemberJoined: SegmentMemberJoinedV1;
  SegmentMemberLeft: SegmentMemberLeftV1;
}

export const MARKETING_EVENT_VERSIONS: Record<keyof MarketingEventMap, number> = {
  ConsentGranted: 1,
  ConsentWithdrawn: 1,
  DoubleOptInRequested: 1,
  DoubleOptInConfirmed: 1,
  ContactSuppressed: 1,
  SegmentDefined: 1,
  SegmentRedefined: 1,
  SegmentMemberJoined: 1,
  SegmentMemberLeft: 1,
};
