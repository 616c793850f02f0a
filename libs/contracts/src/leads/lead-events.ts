/**
 * Public contract of the leads context: the events it publishes on `crm.leads.events`.
 * Versioned from day one: an incompatible change to a payload adds a new version, never edits one.
 * Each payload is declared once, as a TypeBox schema: its TypeScript type is derived from it
 * (`Static`), and the same schema validates events at run time (see `validation/event-contracts`).
 */
import { Type, type Static } from '@sinclair/typebox';
import { NonNegative, Personal, StringEnum, Text, Timestamp, Uuid } from '../validation/schema-kit';

export const LEAD_CHANNELS = [
  'web_form',
  'email',
  'phone',
  'social',
  'event',
  'referral',
  'import',
  'campaign',
] as const;
export type LeadChannel = (typeof LEAD_CHANNELS)[number];

/** Customer types from the seeds. */
export const CUSTOMER_TYPES = [
  'prospect',
  'employee',
  'supplier',
  'guarantor',
  'beneficiary',
  'associated_competitor',
  'agenda_contact',
] as const;
export type CustomerType = (typeof CUSTOMER_TYPES)[number];

export const ENGAGEMENT_KINDS = ['call', 'email', 'meeting', 'visit'] as const;
export type EngagementKind = (typeof ENGAGEMENT_KINDS)[number];

export const DISQUALIFICATION_REASONS = [
  'no_budget',
  'no_need',
  'no_authority',
  'bad_timing',
  'unreachable',
  'competitor',
  'spam',
  'other',
] as const;
export type DisqualificationReason = (typeof DISQUALIFICATION_REASONS)[number];

const Channel = StringEnum(LEAD_CHANNELS);
export const CustomerTypeSchema = StringEnum(CUSTOMER_TYPES);
/** Employees: a whole number of at least one. */
export const CompanySize = () => Type.Integer({ minimum: 1 });

export const SourceAttribution = Type.Object({
  campaignId: Type.Optional(Type.String()),
  utmSource: Type.Optional(Type.String()),
  utmMedium: Type.Optional(Type.String()),
  utmCampaign: Type.Optional(Type.String()),
  utmTerm: Type.Optional(Type.String()),
  utmContent: Type.Optional(Type.String()),
  referrer: Type.Optional(Type.String()),
});
export type SourceAttribution = Static<typeof SourceAttribution>;

export const LeadCapturedV1 = Type.Object({
  leadId: Uuid(),
  customerId: Uuid(),
  personName: Type.Optional(Personal(Text())),
  companyName: Type.Optional(Text()),
  /** Normalised: trimmed and lower-cased. */
  email: Type.Optional(Personal(Text())),
  /** Normalised to E.164 where the number allows it. */
  phone: Type.Optional(Personal(Text())),
  channel: Channel,
  source: SourceAttribution,
  customerType: CustomerTypeSchema,
  companySize: Type.Optional(CompanySize()),
  interests: Type.Array(Type.String()),
  notes: Type.Optional(Personal(Type.String())),
  capturedAt: Timestamp(),
});
export type LeadCapturedV1 = Static<typeof LeadCapturedV1>;

export const LeadAssignedV1 = Type.Object({
  leadId: Uuid(),
  ownerId: Text(),
  previousOwnerId: Type.Optional(Text()),
  method: StringEnum(['round_robin', 'manual'] as const),
});
export type LeadAssignedV1 = Static<typeof LeadAssignedV1>;

export const LeadEngagementRecordedV1 = Type.Object({
  leadId: Uuid(),
  engagementId: Uuid(),
  kind: StringEnum(ENGAGEMENT_KINDS),
  channel: Channel,
  occurredAt: Timestamp(),
  summary: Type.Optional(Personal(Type.String())),
});
export type LeadEngagementRecordedV1 = Static<typeof LeadEngagementRecordedV1>;

/** The first engagement moves a new lead into work. */
export const LeadWorkStartedV1 = Type.Object({ leadId: Uuid(), startedAt: Timestamp() });
export type LeadWorkStartedV1 = Static<typeof LeadWorkStartedV1>;

export const LeadQualifiedV1 = Type.Object({
  leadId: Uuid(),
  score: NonNegative(),
  /** Points per rule that contributed to the score. */
  scoreBreakdown: Type.Record(Type.String(), Type.Number()),
  qualifiedAt: Timestamp(),
});
export type LeadQualifiedV1 = Static<typeof LeadQualifiedV1>;

export const LeadDisqualifiedV1 = Type.Object({
  leadId: Uuid(),
  reason: StringEnum(DISQUALIFICATION_REASONS),
  notes: Type.Optional(Personal(Type.String())),
  disqualifiedAt: Timestamp(),
});
export type LeadDisqualifiedV1 = Static<typeof LeadDisqualifiedV1>;

/**
 * The hand-off to acquisition: everything the sales pipeline needs to open an account, a
 * contact and an opportunity for this customer.
 */
export const LeadConvertedV1 = Type.Object({
  leadId: Uuid(),
  customerId: Uuid(),
  personName: Type.Optional(Personal(Text())),
  companyName: Type.Optional(Text()),
  email: Type.Optional(Personal(Text())),
  phone: Type.Optional(Personal(Text())),
  customerType: CustomerTypeSchema,
  companySize: Type.Optional(CompanySize()),
  interests: Type.Array(Type.String()),
  ownerId: Text(),
  channel: Channel,
  source: SourceAttribution,
  score: NonNegative(),
  convertedAt: Timestamp(),
});
export type LeadConvertedV1 = Static<typeof LeadConvertedV1>;

/** Schema of each version of each event type the leads context publishes. */
export const LEAD_EVENT_SCHEMAS = {
  LeadCaptured: { 1: LeadCapturedV1 },
  LeadAssigned: { 1: LeadAssignedV1 },
  LeadEngagementRecorded: { 1: LeadEngagementRecordedV1 },
  LeadWorkStarted: { 1: LeadWorkStartedV1 },
  LeadQualified: { 1: LeadQualifiedV1 },
  LeadDisqualified: { 1: LeadDisqualifiedV1 },
  LeadConverted: { 1: LeadConvertedV1 },
} as const;

export interface LeadEventMap {
  LeadCaptured: LeadCapturedV1;
  LeadAssigned: LeadAssignedV1;
  LeadEngagementRecorded: LeadEngagementRecordedV1;
  LeadWorkStarted: LeadWorkStartedV1;
  LeadQualified: LeadQualifiedV1;
  LeadDisqualified: LeadDisqualifiedV1;
  LeadConverted: LeadConvertedV1;
}

export type LeadEventType = keyof LeadEventMap;

/** Current schema version of each event type the leads context publishes. */
export const LEAD_EVENT_VERSIONS: Record<LeadEventType, number> = {
  LeadCaptured: 1,
  LeadAssigned: 1,
  LeadEngagementRecorded: 1,
  LeadWorkStarted: 1,
  LeadQualified: 1,
  LeadDisqualified: 1,
  LeadConverted: 1,
};
