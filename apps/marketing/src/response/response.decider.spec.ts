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

  describe('an acquired customer responding to a cross-sell or up-sell campaign', () => {
    const expansion = {
      campaignName: 'Battery storage',
      objective: 'cross_sell' as const,
      currency: 'EUR',
      interests: ['solar'],
    };
    const published: RecipientStreamEvent = {
      type: 'CampaignExpansionResponded',
      data: {
        campaignId,
        campaignName: 'Battery storage',
        objective: 'cross_sell',
        step: 0,
        customerId,
        kind: 'open',
        currency: 'EUR',
        interests: ['solar'],
        respondedAt: later,
      },
    };
    const replied: RecipientStreamEvent = {
      type: 'CampaignResponseRecorded',
      data: { campaignId, step: 0, customerId, kind: 'reply', respondedAt: later },
    };

    it('publishes the first response for the pipeline context', () =>
      spec.given([sent]).when(respond('open', { expansion })).then([opened, published]));

    it('publishes it once per campaign: a later response of another kind or step is only recorded', () => {
      spec.given([sent, opened, published]).when(respond('reply', { expansion })).then([replied]);
      const sentLater: RecipientStreamEvent = {
        type: 'CampaignMessageSent',
        data: { campaignId, step: 1, customerId, messageId: '<m2@crm.example>', sentAt: later },
      };
      spec
        .given([sent, opened, published, sentLater])
        .when(respond('click', { step: 1, url: 'https://shop.example/', expansion }))
        .then([
          {
            type: 'CampaignResponseRecorded',
            data: {
              campaignId,
              step: 1,
              customerId,
              kind: 'click',
              url: 'https://shop.example/',
              respondedAt: later,
            },
          },
        ]);
    });

    it('publishes it on the first response that comes as an expansion, even after earlier responses', () =>
      spec
        .given([sent, opened])
        .when(respond('reply', { expansion: { ...expansion, objective: 'up_sell' } }))
        .then([
          replied,
          { ...published, data: { ...published.data, objective: 'up_sell', kind: 'reply' } },
        ] as RecipientStreamEvent[]));

    it('publishes nothing again for a repeated response, nor for a step not sent', () => {
      spec.given([sent, opened]).when(respond('open', { expansion })).thenNothingHappens();
      spec
        .given([sent])
        .when(respond('click', { step: 1, expansion }))
        .thenThrows('CAMPAIGN_RESPONSE_WITHOUT_MESSAGE');
    });

    it('publishes neither a prospect nor an expansion for a customer responding to any other campaign', () =>
      spec.given([sent]).when(respond('open')).then([opened]));
  });
});
