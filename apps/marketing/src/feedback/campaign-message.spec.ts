import { campaignMessageId } from '../campaign/campaign-sender';
import { parseCampaignMessageId } from './campaign-message';

const campaignId = '0b6f1c1e-3c1d-4c59-9a57-1f0e2f7b2c11';
const customerId = '3f1e2d3c-4b5a-4c6d-8e7f-0a1b2c3d4e5f';

describe('the Message-ID of a campaign message, read back', () => {
  it('names the campaign, step and customer the sender wrote into it, with or without brackets', () => {
    const messageId = campaignMessageId(campaignId, 2, customerId);
    const read = { campaignId, step: 2, customerId, messageId };
    expect(parseCampaignMessageId(messageId)).toEqual(read);
    expect(parseCampaignMessageId(messageId.slice(1, -1))).toEqual(read);
    expect(parseCampaignMessageId(messageId.toUpperCase())).toEqual(read);
  });

  it('reads nothing from other Message-IDs', () => {
    for (const other of [
      '<abc@mail.example>',
      `<${campaignId}.2.${customerId}@elsewhere.example>`,
      `<${campaignId}.x.${customerId}@campaigns.crm.example>`,
      `<${campaignId}.2.${customerId}@campaigns.crm.example`,
      `${campaignId}.2.not-a-uuid@campaigns.crm.example`,
    ])
      expect(parseCampaignMessageId(other)).toBeUndefined();
  });
});
