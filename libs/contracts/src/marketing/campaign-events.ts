/**
 * Public contract of marketing campaigns (published on `crm.marketing.events`): a campaign is
 * drafted (audience, purpose, steps, budget), revised while a draft, scheduled, and sent step by
 * step over e-mail. Each recipient of each step is either sent one message or suppressed with the
 * reason the consent ledger gave at the time of sending. No e-mail address travels in these events:
 * recipients are named by their customer id only.
 */
import { Type, type Static } from '@sinclair/typebox';
import { Currency, NonNegative, StringEnum, Text, Timestamp, Uuid } from '../validation/schema-kit';
import { CONSENT_PURPOSES } from './marketing-events';

/** The channels a campaign can go out on (e-mail only, today). */
export const CAMPAIGN_CHANNELS = ['email'] as const;
export type CampaignChannel = (typeof CAMPAIGN_CHANNELS)[number];

/**
 * What a campaign is for: bringing new customers (`acquisition`), keeping them (`retention`), or
 * selling more to acquired customers (`cross_sell`: another product; `up_sell`: a bigger one). A
 * response of an acquired customer to a cross-sell or up-sell campaign opens an opportunity.
 */
export const CAMPAIGN_OBJECTIVES = ['acquisition', 'retention', 'cross_sell', 'up_sell'] as const;
export type CampaignObjective = (typeof CAMPAIGN_OBJECTIVES)[number];

/** Why a recipient got no message: the consent ledger's denial, or no address on the profile. */
export const CAMPAIGN_SUPPRESSION_REASONS = [
  'no_consent',
  'withdrawn',
  'suppressed',
  'double_opt_in_pending',
  'no_address',
] as const;
export type CampaignSuppressionReason = (typeof CAMPAIGN_SUPPRESSION_REASONS)[number];

/** Who a v1 campaign went to: a fixed list of customers, or a segment's members when a step is sent. */
export const CampaignAudienceV1 = Type.Union([
  Type.Object({ kind: Type.Literal('list'), customerIds: Type.Array(Uuid(), { minItems: 1 }) }),
  Type.Object({ kind: Type.Literal('segment'), segmentId: Uuid() }),
]);
export type CampaignAudienceV1 = Static<typeof CampaignAudienceV1>;

/**
 * Who a campaign goes to: customers named one by one (v1's `list`), a segment's members or a static
 * list's members (`/lists`), each resolved when a step is sent.
 */
export const CampaignAudience = Type.Union([
  Type.Object({ kind: Type.Literal('customers'), customerIds: Type.Array(Uuid(), { minItems: 1 }) }),
  Type.Object({ kind: Type.Literal('segment'), segmentId: Uuid() }),
  Type.Object({ kind: Type.Literal('list'), listId: Uuid() }),
]);
export type CampaignAudience = Static<typeof CampaignAudience>;

export const CampaignStep = Type.Object({
  subject: Text(),
  /** The text, with merge fields of the customer profile: `{{name}}`. */
  body: Text(),
  /** Days to wait after the previous step was sent (0 for the first step). */
  waitDays: Type.Integer({ minimum: 0 }),
  /** Only the recipients of the previous steps who have not responded. */
  onlyNonResponders: Type.Boolean(),
});
export type CampaignStep = Static<typeof CampaignStep>;

const CampaignContentV1 = {
  campaignId: Uuid(),
  name: Text(),
  purpose: StringEnum(CONSENT_PURPOSES),
  channel: StringEnum(CAMPAIGN_CHANNELS),
  audience: CampaignAudienceV1,
  steps: Type.Array(CampaignStep, { minItems: 1 }),
  /** What the campaign may cost. */
  budget: NonNegative(),
  /** What it has cost so far (planned costs at drafting; recorded costs add to it). */
  cost: NonNegative(),
  currency: Currency(),
};

/** v2: the objective, and static lists as audiences (v1's `list` of customer ids is `customers`). */
const CampaignContent = {
  ...CampaignContentV1,
  objective: StringEnum(CAMPAIGN_OBJECTIVES),
  audience: CampaignAudience,
};

export const CampaignDraftedV1 = Type.Object({ ...CampaignContentV1, draftedAt: Timestamp() });
export type CampaignDraftedV1 = Static<typeof CampaignDraftedV1>;
export const CampaignDraftedV2 = Type.Object({ ...CampaignContent, draftedAt: Timestamp() });
export type CampaignDraftedV2 = Static<typeof CampaignDraftedV2>;

/** The draft as revised: every field anew. */
export const CampaignRevisedV1 = Type.Object({ ...CampaignContentV1, revisedAt: Timestamp() });
export type CampaignRevisedV1 = Static<typeof CampaignRevisedV1>;
export const CampaignRevisedV2 = Type.Object({ ...CampaignContent, revisedAt: Timestamp() });
export type CampaignRevisedV2 = Static<typeof CampaignRevisedV2>;

/**
 * v1 content read as v2: every v1 campaign was drafted to bring customers (`acquisition`), and its
 * `list` of customer ids is v2's `customers`.
 */
export function campaignContentV1ToV2<T extends { audience: CampaignAudienceV1 }>(v1: T) {
  const audience: CampaignAudience =
    v1.audience.kind === 'list' ? { kind: 'customers', customerIds: v1.audience.customerIds } : v1.audience;
  return { ...v1, objective: 'acquisition' as CampaignObjective, audience };
}

export const CampaignScheduledV1 = Type.Object({
  campaignId: Uuid(),
  /** When the first step goes out. */
  startAt: Timestamp(),
  scheduledAt: Timestamp(),
});
export type CampaignScheduledV1 = Static<typeof CampaignScheduledV1>;

export const CampaignMessageSentV1 = Type.Object({
  campaignId: Uuid(),
  /** The step, from 0. */
  step: Type.Integer({ minimum: 0 }),
  customerId: Uuid(),
  /** The SMTP Message-ID, derived from (campaign, step, customer): a resend carries the same one. */
  messageId: Text(),
  sentAt: Timestamp(),
});
export type CampaignMessageSentV1 = Static<typeof CampaignMessageSentV1>;

export const CampaignMessageSuppressedV1 = Type.Object({
  campaignId: Uuid(),
  step: Type.Integer({ minimum: 0 }),
  customerId: Uuid(),
  reason: StringEnum(CAMPAIGN_SUPPRESSION_REASONS),
  suppressedAt: Timestamp(),
});
export type CampaignMessageSuppressedV1 = Static<typeof CampaignMessageSuppressedV1>;

/**
 * The receiving mail server refused a recipient's message for good (an SMTP 5xx while sending, or a
 * bounce reported later for its Message-ID). The address is then suppressed on e-mail in the
 * consent ledger (`ContactSuppressed`, reason `hard_bounce`).
 */
export const CampaignMessageBouncedV1 = Type.Object({
  campaignId: Uuid(),
  step: Type.Integer({ minimum: 0 }),
  customerId: Uuid(),
  messageId: Text(),
  /** The SMTP reply code (e.g. 550) and enhanced status (e.g. `5.1.1`) when known. */
  smtpCode: Type.Optional(Type.Integer({ minimum: 500, maximum: 599 })),
  smtpStatus: Type.Optional(Type.String({ pattern: '^5\\.\\d{1,3}\\.\\d{1,3}$' })),
  bouncedAt: Timestamp(),
});
export type CampaignMessageBouncedV1 = Static<typeof CampaignMessageBouncedV1>;

/** Every recipient of a step was sent a message or suppressed. */
export const CampaignStepSentV1 = Type.Object({
  campaignId: Uuid(),
  step: Type.Integer({ minimum: 0 }),
  sent: Type.Integer({ minimum: 0 }),
  suppressed: Type.Integer({ minimum: 0 }),
  sentAt: Timestamp(),
});
export type CampaignStepSentV1 = Static<typeof CampaignStepSentV1>;

export const CampaignCostRecordedV1 = Type.Object({
  campaignId: Uuid(),
  amount: NonNegative(),
  currency: Currency(),
  /** What it was for (e.g. `design`, `sending`). */
  item: Text(),
  /** The campaign's cost after this one. */
  cost: NonNegative(),
  recordedAt: Timestamp(),
});
export type CampaignCostRecordedV1 = Static<typeof CampaignCostRecordedV1>;

export const CAMPAIGN_EVENT_SCHEMAS = {
  CampaignDrafted: { 1: CampaignDraftedV1, 2: CampaignDraftedV2 },
  CampaignRevised: { 1: CampaignRevisedV1, 2: CampaignRevisedV2 },
  CampaignScheduled: { 1: CampaignScheduledV1 },
  CampaignMessageSent: { 1: CampaignMessageSentV1 },
  CampaignMessageSuppressed: { 1: CampaignMessageSuppressedV1 },
  CampaignMessageBounced: { 1: CampaignMessageBouncedV1 },
  CampaignStepSent: { 1: CampaignStepSentV1 },
  CampaignCostRecorded: { 1: CampaignCostRecordedV1 },
} as const;

export interface CampaignEventMap {
  CampaignDrafted: CampaignDraftedV2;
  CampaignRevised: CampaignRevisedV2;
  CampaignScheduled: CampaignScheduledV1;
  CampaignMessageSent: CampaignMessageSentV1;
  CampaignMessageSuppressed: CampaignMessageSuppressedV1;
  CampaignMessageBounced: CampaignMessageBouncedV1;
  CampaignStepSent: CampaignStepSentV1;
  CampaignCostRecorded: CampaignCostRecordedV1;
}

export const CAMPAIGN_EVENT_VERSIONS: Record<keyof CampaignEventMap, number> = {
  CampaignDrafted: 2,
  CampaignRevised: 2,
  CampaignScheduled: 1,
  CampaignMessageSent: 1,
  CampaignMessageSuppressed: 1,
  CampaignMessageBounced: 1,
  CampaignStepSent: 1,
  CampaignCostRecorded: 1,
};
