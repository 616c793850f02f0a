import { randomUUID } from 'node:crypto';
import { deciderSpec } from '@crm/decider/testing';
import { campaignDecider, recipientDecider, stepDueAt, type CampaignContent } from './campaign.decider';
import type { CampaignEvent } from './campaign.events';

const campaignId = randomUUID();
const customerId = randomUUID();
const at = '2026-03-01T10:00:00.000Z';
const spec = deciderSpec(campaignDecider);

const CONTENT: CampaignContent = {
  name: 'Spring offers',
  objective: 'acquisition',
  purpose: 'offers',
  channel: 'email',
  audience: { kind: 'customers', customerIds: [customerId] },
  steps: [
    { subject: 'Spring offers for {{name}}', body: 'Hello {{name}}', waitDays: 0, onlyNonResponders: false },
    { subject: 'Last days', body: 'Still time, {{name}}', waitDays: 3, onlyNonResponders: true },
  ],
  budget: 1000,
  cost: 50,
  currency: 'EUR',
};
const drafted: CampaignEvent = { type: 'CampaignDrafted', data: { campaignId, ...CONTENT, draftedAt: at } };
const scheduled: CampaignEvent = {
  type: 'CampaignScheduled',
  data: { campaignId, startAt: '2026-03-02T08:00:00.000Z', scheduledAt: at },
};
const draft = (over: Partial<CampaignContent> = {}) => ({ campaignId, ...CONTENT, ...over, at });

describe('campaign decider', () => {
  it('drafts a campaign with its steps, budget and planned cost; the same draft again changes nothing', () => {
    spec.given([]).when({ type: 'DraftCampaign', data: draft() }).then([drafted]);
    spec.given([drafted]).when({ type: 'DraftCampaign', data: draft() }).thenNothingHappens();
    spec
      .given([drafted])
      .when({ type: 'DraftCampaign', data: draft({ name: 'Other' }) })
      .thenThrows('CAMPAIGN_ALREADY_EXISTS');
  });

  it('refuses steps that cannot be sent as written', () => {
    const steps = CONTENT.steps;
    const cases: Array<[Partial<CampaignContent>, string]> = [
      [{ steps: [] }, 'CAMPAIGN_WITHOUT_STEPS'],
      [{ steps: [{ ...steps[0], waitDays: 2 }] }, 'CAMPAIGN_FIRST_STEP_WAITS'],
      [{ steps: [{ ...steps[0], onlyNonResponders: true }] }, 'CAMPAIGN_FIRST_STEP_NON_RESPONDERS'],
      [{ steps: [steps[0], { ...steps[1], waitDays: 0 }] }, 'CAMPAIGN_STEP_WITHOUT_WAIT'],
      [{ steps: [{ ...steps[0], body: 'Your code: {{coupon}}' }] }, 'CAMPAIGN_UNKNOWN_MERGE_FIELD'],
      [{ cost: 1001 }, 'CAMPAIGN_OVER_BUDGET'],
    ];
    for (const [over, code] of cases)
      spec
        .given([])
        .when({ type: 'DraftCampaign', data: draft(over) })
        .thenThrows(code);
  });

  it('revises a draft, and nothing once it is scheduled', () => {
    spec
      .given([drafted])
      .when({ type: 'ReviseCampaign', data: draft({ budget: 2000 }) })
      .then([{ type: 'CampaignRevised', data: { campaignId, ...CONTENT, budget: 2000, revisedAt: at } }]);
    spec.given([drafted]).when({ type: 'ReviseCampaign', data: draft() }).thenNothingHappens();
    spec.given([]).when({ type: 'ReviseCampaign', data: draft() }).thenThrows('CAMPAIGN_NOT_FOUND');
    spec
      .given([drafted, scheduled])
      .when({ type: 'ReviseCampaign', data: draft({ budget: 1 }) })
      .thenThrows('CAMPAIGN_NOT_DRAFT');
  });

  it('schedules a draft to start now or later, once', () => {
    const schedule = (startAt: string) => ({
      type: 'ScheduleCampaign' as const,
      data: { campaignId, startAt, at },
    });
    spec.given([drafted]).when(schedule('2026-03-02T08:00:00.000Z')).then([scheduled]);
    spec.given([drafted, scheduled]).when(schedule('2026-03-02T08:00:00.000Z')).thenNothingHappens();
    spec
      .given([drafted, scheduled])
      .when(schedule('2026-03-05T08:00:00.000Z'))
      .thenThrows('CAMPAIGN_NOT_DRAFT');
    spec.given([drafted]).when(schedule('2026-02-01T08:00:00.000Z')).thenThrows('CAMPAIGN_START_IN_PAST');
  });

  it('records each step sent once and in order; the next step is due its wait after the one before', () => {
    const sent = (step: number) => ({
      type: 'RecordStepSent' as const,
      data: { campaignId, step, sent: 2, suppressed: 1, at: '2026-03-02T08:05:00.000Z' },
    });
    const step0: CampaignEvent = {
      type: 'CampaignStepSent',
      data: { campaignId, step: 0, sent: 2, suppressed: 1, sentAt: '2026-03-02T08:05:00.000Z' },
    };
    spec.given([drafted, scheduled]).when(sent(0)).then([step0]);
    spec.given([drafted, scheduled, step0]).when(sent(0)).thenNothingHappens();
    spec.given([drafted, scheduled]).when(sent(1)).thenThrows('CAMPAIGN_STEP_OUT_OF_ORDER');
    spec.given([drafted]).when(sent(0)).thenThrows('CAMPAIGN_NOT_SCHEDULED');
    const state = [drafted, scheduled, step0].reduce(campaignDecider.evolve, campaignDecider.initialState());
    expect(stepDueAt(state, 0)?.toISOString()).toBe('2026-03-02T08:00:00.000Z');
    expect(stepDueAt(state, 1)?.toISOString()).toBe('2026-03-05T08:05:00.000Z');
    expect(stepDueAt(state, 2)).toBeUndefined();
  });

  it('books costs in the campaign currency onto its total', () => {
    const cost = (currency: string) => ({
      type: 'RecordCost' as const,
      data: { campaignId, amount: 120.5, currency, item: 'design', at },
    });
    spec
      .given([drafted])
      .when(cost('EUR'))
      .then([
        {
          type: 'CampaignCostRecorded',
          data: { campaignId, amount: 120.5, currency: 'EUR', item: 'design', cost: 170.5, recordedAt: at },
        },
      ]);
    spec.given([drafted]).when(cost('USD')).thenThrows('CAMPAIGN_CURRENCY_MISMATCH');
  });
});

describe('recipient decider', () => {
  const record = (step: number) => ({
    type: 'RecordDelivery' as const,
    data: { campaignId, step, customerId, at, outcome: 'sent' as const, messageId: '<m@crm.example>' },
  });
  it('records a step of a recipient once: a resend after a crash records nothing new', () => {
    const sent = {
      type: 'CampaignMessageSent' as const,
      data: { campaignId, step: 0, customerId, messageId: '<m@crm.example>', sentAt: at },
    };
    deciderSpec(recipientDecider).given([]).when(record(0)).then([sent]);
    deciderSpec(recipientDecider).given([sent]).when(record(0)).thenNothingHappens();
    deciderSpec(recipientDecider)
      .given([sent])
      .when({
        type: 'RecordDelivery',
        data: { campaignId, step: 1, customerId, at, outcome: 'suppressed', reason: 'withdrawn' },
      })
      .then([
        {
          type: 'CampaignMessageSuppressed',
          data: { campaignId, step: 1, customerId, reason: 'withdrawn', suppressedAt: at },
        },
      ]);
  });

  describe('bounces', () => {
    const sent = {
      type: 'CampaignMessageSent' as const,
      data: { campaignId, step: 0, customerId, messageId: '<m@crm.example>', sentAt: at },
    };
    const bounce = (step: number) => ({
      type: 'RecordBounce' as const,
      data: {
        campaignId,
        step,
        customerId,
        messageId: '<m@crm.example>',
        smtpCode: 550,
        smtpStatus: '5.1.1',
        at,
      },
    });
    const bounced = (step: number) => ({
      type: 'CampaignMessageBounced' as const,
      data: {
        campaignId,
        step,
        customerId,
        messageId: '<m@crm.example>',
        smtpCode: 550,
        smtpStatus: '5.1.1',
        bouncedAt: at,
      },
    });
    const recipients = deciderSpec(recipientDecider);

    it('records a bounce while sending (nothing sent before it) and one reported after the message was sent, once', () => {
      recipients
        .given([])
        .when(bounce(0))
        .then([bounced(0)]);
      recipients
        .given([sent])
        .when(bounce(0))
        .then([bounced(0)]);
      recipients
        .given([sent, bounced(0)])
        .when(bounce(0))
        .thenNothingHappens();
    });

    it('a bounced step is done: sending it again after a crash records nothing', () => {
      recipients
        .given([bounced(0)])
        .when(record(0))
        .thenNothingHappens();
    });

    it('refuses a bounce of a step that was suppressed: no message went out', () => {
      recipients
        .given([
          {
            type: 'CampaignMessageSuppressed',
            data: { campaignId, step: 0, customerId, reason: 'no_consent', suppressedAt: at },
          },
        ])
        .when(bounce(0))
        .thenThrows('CAMPAIGN_MESSAGE_NOT_SENT');
    });
  });
});
