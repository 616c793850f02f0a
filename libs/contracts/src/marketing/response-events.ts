/**
 * Public contract of campaign responses (published on `crm.marketing.events`, on the recipient's
 * stream `campaignRecipient-<campaignId>-<customerId>`): a recipient opened, clicked, replied to or
 * filled in a form of a campaign step, each kind recorded once per step (the first open counts).
 *
 * A responder who is not a customer yet (their marketing profile's lifecycle stage is none of
 * acquisition, retention, expansion) is published once per campaign as `CampaignProspectResponded`,
 * with what the leads context needs to capture them as a lead; their name and e-mail are personal
 * data (sealed with the customer's key, unreadable once the customer is erased).
 *
 * An acquired customer (lifecycle stage acquisition, retention or expansion) responding to a
 * cross-sell or up-sell campaign is published once per campaign as `CampaignExpansionResponded`,
 * with what the pipeline context needs to open an opportunity for their account.
 */
import { Type, type Static } from '@sinclair/typebox';
import { Currency, Personal, StringEnum, Text, Timestamp, Uuid } from '../validation/schema-kit';
import type { CampaignObjective } from './campaign-events';

/** How a recipient responded: the tracking pixel, a tracked link, a reply, a form. */
export const CAMPAIGN_RESPONSE_KINDS = ['open', 'click', 'reply', 'form'] as const;
export type CampaignResponseKind = (typeof CAMPAIGN_RESPONSE_KINDS)[number];

export const CampaignResponseRecordedV1 = Type.Object({
  campaignId: Uuid(),
  /** The step responded to, from 0. */
  step: Type.Integer({ minimum: 0 }),
  customerId: Uuid(),
  kind: StringEnum(CAMPAIGN_RESPONSE_KINDS),
  /** The link clicked (a click), or the page of the form. */
  url: Type.Optional(Text()),
  respondedAt: Timestamp(),
});
export type CampaignResponseRecordedV1 = Static<typeof CampaignResponseRecordedV1>;

/** A responder who is not a customer yet: the leads context captures them as a lead of the campaign. */
export const CampaignProspectRespondedV1 = Type.Object({
  campaignId: Uuid(),
  step: Type.Integer({ minimum: 0 }),
  /** The customer as marketing knows them; the lead is captured for this same customer. */
  customerId: Uuid(),
  kind: StringEnum(CAMPAIGN_RESPONSE_KINDS),
  personName: Type.Optional(Personal(Text())),
  email: Type.Optional(Personal(Text())),
  /** The interests of the marketing profile. */
  interests: Type.Array(Type.String()),
  respondedAt: Timestamp(),
});
export type CampaignProspectRespondedV1 = Static<typeof CampaignProspectRespondedV1>;

/** The campaign objectives whose responses from acquired customers open an opportunity. */
export const CAMPAIGN_EXPANSION_OBJECTIVES = [
  'cross_sell',
  'up_sell',
] as const satisfies readonly CampaignObjective[];
export type CampaignExpansionObjective = (typeof CAMPAIGN_EXPANSION_OBJECTIVES)[number];

/**
 * An acquired customer responded to a cross-sell or up-sell campaign: the pipeline context opens
 * an opportunity for their account with the campaign as its source. Once per campaign and customer
 * (their first response to it).
 */
export const CampaignExpansionRespondedV1 = Type.Object({
  campaignId: Uuid(),
  /** The campaign's name when the customer responded (names the opportunity). */
  campaignName: Text(),
  objective: StringEnum(CAMPAIGN_EXPANSION_OBJECTIVES),
  /** The step of the first response, from 0. */
  step: Type.Integer({ minimum: 0 }),
  /** The acquired customer; their account in pipeline has this id. */
  customerId: Uuid(),
  kind: StringEnum(CAMPAIGN_RESPONSE_KINDS),
  /** The campaign's currency (ISO 4217): the opportunity's. */
  currency: Currency(),
  /** The interests of the marketing profile. */
  interests: Type.Array(Type.String()),
  respondedAt: Timestamp(),
});
export type CampaignExpansionRespondedV1 = Static<typeof CampaignExpansionRespondedV1>;

export const CAMPAIGN_RESPONSE_EVENT_SCHEMAS = {
  CampaignResponseRecorded: { 1: CampaignResponseRecordedV1 },
  CampaignProspectResponded: { 1: CampaignProspectRespondedV1 },
  CampaignExpansionResponded: { 1: CampaignExpansionRespondedV1 },
} as const;

export interface CampaignResponseEventMap {
  CampaignResponseRecorded: CampaignResponseRecordedV1;
  CampaignProspectResponded: CampaignProspectRespondedV1;
  CampaignExpansionResponded: CampaignExpansionRespondedV1;
}

export const CAMPAIGN_RESPONSE_EVENT_VERSIONS: Record<keyof CampaignResponseEventMap, number> = {
  CampaignResponseRecorded: 1,
  CampaignProspectResponded: 1,
  CampaignExpansionResponded: 1,
};
