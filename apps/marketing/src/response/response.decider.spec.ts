import { randomUUID } from 'node:crypto';
import { deciderSpec } from '@crm/decider/testing';
import { respondentDecider, type RecipientStreamEvent, type RecordResponse } from './response.decider';

const campaignId = randomUUID();
const customerId = randomUUID();
const at = '2026-03-01T10:00:00.000Z';
const later = '2026-03-02T10:00:00.000Z';
const spec = deciderSpec(respondentDecider);
const sent: RecipientStreamEvent = {
  type: 'CampaignMessageSent',
  data: { campaignId, step: 0, customerId, messageId: '<m@crm.example>', sentAt: at },
};
const respond = (
  kind: RecordResponse['data']['kind'],
  over: Partial<RecordResponse['data']> = {},
): RecordResponse => ({
  type: 'RecordResponse',
  data: { campaignId, step: 0, customerId, kind, at: later, ...over },
});
const opened: RecipientStreamEvent = {
  type: 'CampaignResponseRecorded',
  data: { campaignId, step: 0, customerId, kind: 'open', respondedAt: later },
};
const prospect = { personName: 'Bea', email: 'bea@example.com', interests: ['solar'] };

describe('respondent decider', () => {
  it('records the first open of a step, and a second open not again', () => {
    spec.given([sent]).when(respond('open')).then([opened]);
    spec.given([sent, opened]).when(respond('open')).thenNothingHappens();
  });

  it('records each kind once per step, and nothing for a step the recipient was not sent', () => {
    spec
      .given([sent, opened])
      .when(respond('click', { url: 'https://shop.example/' }))
      .then([
        {
          type: 'CampaignResponseRecorded',
          data: {
            campaignId,
            step: 0,
            customerId,
            kind: 'click',
            url: 'https://shop.example/',
            respondedAt: later,
          },
        },
      ]);
    spec
      .given([sent])
      .when(respond('reply', { step: 1 }))
      .thenThrows('CAMPAIGN_RESPONSE_WITHOUT_MESSAGE');
    spec.given([]).when(respond('open')).thenThrows('CAMPAIGN_RESPONSE_WITHOUT_MESSAGE');
  });

  it("publishes a prospect's first response for the leads context, once per campaign", () => {
    const published: RecipientStreamEvent = {
      type: 'CampaignProspectResponded',
      data: { campaignId, step: 0, customerId, kind: 'open', ...prospect, respondedAt: later },
    };
    spec.given([sent]).when(respond('open', { prospect })).then([opened, published]);
    spec
      .given([sent, opened, published])
      .when(respond('reply', { prospect }))
      .then([
        {
          type: 'CampaignResponseRecorded',
          data: { campaignId, step: 0, customerId, kind: 'reply', respondedAt: later },
        },
      ]);
  });
});
