import { CAMPAIGN_EVENT_VERSIONS, type CampaignEventMap } from '@crm/contracts';
import type { DomainEvent } from '@crm/decider';

type Of<K extends keyof CampaignEventMap> = { [T in K]: DomainEvent<T, CampaignEventMap[T]> }[K];

/** The events of a campaign's stream (`campaign-<campaignId>`). */
export type CampaignEvent = Of<
  'CampaignDrafted' | 'CampaignRevised' | 'CampaignScheduled' | 'CampaignStepSent' | 'CampaignCostRecorded'
>;
/** The events of one recipient of one campaign (`campaignRecipient-<campaignId>-<customerId>`). */
export type RecipientEvent = Of<
  'CampaignMessageSent' | 'CampaignMessageSuppressed' | 'CampaignMessageBounced'
>;

export const campaignStreamId = (campaignId: string) => `campaign-${campaignId}`;
export const recipientStreamId = (campaignId: string, customerId: string) =>
  `campaignRecipient-${campaignId}-${customerId}`;

const versions = <K extends keyof CampaignEventMap>(types: K[]) =>
  Object.fromEntries(types.map((type) => [type, CAMPAIGN_EVENT_VERSIONS[type]])) as Record<K, number>;

export const CAMPAIGN_STREAM_SCHEMA_VERSIONS = versions([
  'CampaignDrafted',
  'CampaignRevised',
  'CampaignScheduled',
  'CampaignStepSent',
  'CampaignCostRecorded',
]);
export const RECIPIENT_STREAM_SCHEMA_VERSIONS = versions([
  'CampaignMessageSent',
  'CampaignMessageSuppressed',
  'CampaignMessageBounced',
]);
