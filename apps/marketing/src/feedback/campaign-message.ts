/**
 * The SMTP Message-ID of a campaign message, `<campaignId.step.customerId@campaigns.crm.example>`
 * (`campaignMessageId` in campaign-sender.ts), read back: what a bounce or an abuse report names.
 * The angle brackets may be left out (some feedback loops strip them).
 */
const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
export const CAMPAIGN_MESSAGE_ID = new RegExp(
  // both angle brackets or neither
  `^(?=<.*>$|[^<].*[^>]$)<?(${UUID})\\.(\\d{1,6})\\.(${UUID})@campaigns\\.crm\\.example>?$`,
  'i',
);

export interface CampaignMessage {
  campaignId: string;
  step: number;
  customerId: string;
  /** As the service wrote it: with angle brackets, lower case. */
  messageId: string;
}

export function parseCampaignMessageId(value: string): CampaignMessage | undefined {
  const match = CAMPAIGN_MESSAGE_ID.exec(value);
  if (!match) return undefined;
  const [, campaignId, step, customerId] = match;
  const ids = {
    campaignId: campaignId.toLowerCase(),
    step: Number(step),
    customerId: customerId.toLowerCase(),
  };
  return { ...ids, messageId: `<${ids.campaignId}.${ids.step}.${ids.customerId}@campaigns.crm.example>` };
}
