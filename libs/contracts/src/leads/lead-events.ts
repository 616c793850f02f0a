/**
 * Public contract of the leads context: the events it publishes on `crm.leads.events`.
 * Versioned from day one: an incompatible change to a payload adds a new version, never edits one.
 */
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

export interface SourceAttribution {
  campaignId?: string;
  utmSource?: string;
  utmMedium?: string;
  utmCampaign?: string;
  utmTerm?: string;
  utmContent?: string;
  referrer?: string;
}

export interface LeadCapturedV1 {
  leadId: string;
  customerId: string;
  personName?: string;
  companyName?: string;
  /** Normalised: trimmed and lower-cased. */
  email?: string;
  /** Normalised to E.164 where the number allows it. */
  phone?: string;
  channel: LeadChannel;
  source: SourceAttribution;
  customerType: CustomerType;
  companySize?: number;
  interests: string[];
  notes?: string;
  capturedAt: string;
}

export interface LeadAssignedV1 {
  leadId: string;
  ownerId: string;
  previousOwnerId?: string;
  method: 'round_robin' | 'manual';
}

export interface LeadEngagementRecordedV1 {
  leadId: string;
  engagementId: string;
  kind: EngagementKind;
  channel: LeadChannel;
  occurredAt: string;
  summary?: string;
}

/** The first engagement moves a new lead into work. */
export interface LeadWorkStartedV1 {
  leadId: string;
  startedAt: string;
}

export interface LeadQualifiedV1 {
  leadId: string;
  score: number;
  /** Points per rule that contributed to the score. */
  scoreBreakdown: Record<string, number>;
  qualifiedAt: string;
}

export interface LeadDisqualifiedV1 {
  leadId: string;
  reason: DisqualificationReason;
  notes?: string;
  disqualifiedAt: string;
}

/**
 * The hand-off to acquisition: everything the sales pipeline needs to open an account, a
 * contact and an opportunity for this customer.
 */
export interface LeadConvertedV1 {
  leadId: string;
  customerId: string;
  personName?: string;
  companyName?: string;
  email?: string;
  phone?: string;
  customerType: CustomerType;
  companySize?: number;
  interests: string[];
  ownerId: string;
  channel: LeadChannel;
  source: SourceAttribution;
  score: number;
  convertedAt: string;
}

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
