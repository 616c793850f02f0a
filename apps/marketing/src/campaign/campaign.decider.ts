import type {
  CampaignAudience,
  CampaignChannel,
  CampaignObjective,
  CampaignStep,
  CampaignSuppressionReason,
  ConsentPurpose,
} from '@crm/contracts';
import { conflict, notFound, ruleBroken, type Decider } from '@crm/decider';
import type { CampaignEvent, RecipientEvent } from './campaign.events';
import { unknownMergeFields } from './merge-fields';

/** What a marketer drafts (and revises while a draft). */
export interface CampaignContent {
  name: string;
  objective: CampaignObjective;
  purpose: ConsentPurpose;
  channel: CampaignChannel;
  audience: CampaignAudience;
  steps: CampaignStep[];
  budget: number;
  cost: number;
  currency: string;
}

export type CampaignCommand =
  | { type: 'DraftCampaign'; data: CampaignContent & { campaignId: string; at: string } }
  | { type: 'ReviseCampaign'; data: CampaignContent & { campaignId: string; at: string } }
  | { type: 'ScheduleCampaign'; data: { campaignId: string; startAt: string; at: string } }
  | {
      type: 'RecordStepSent';
      data: { campaignId: string; step: number; sent: number; suppressed: number; at: string };
    }
  | {
      type: 'RecordCost';
      data: { campaignId: string; amount: number; currency: string; item: string; at: string };
    };

export type CampaignState =
  | { status: 'none' }
  | (CampaignContent & {
      status: 'draft' | 'scheduled' | 'sending' | 'sent';
      campaignId: string;
      startAt?: string;
      /** Steps sent, with when the last recipient was done. */
      stepsSent: { step: number; sentAt: string; sent: number; suppressed: number }[];
    });

type Existing = Exclude<CampaignState, { status: 'none' }>;

function checkContent(content: CampaignContent) {
  const [first, ...later] = content.steps;
  if (!first) throw ruleBroken('CAMPAIGN_WITHOUT_STEPS', 'a campaign has at least one step');
  if (first.waitDays !== 0)
    throw ruleBroken('CAMPAIGN_FIRST_STEP_WAITS', 'the first step goes out at the start: waitDays 0');
  if (first.onlyNonResponders)
    throw ruleBroken(
      'CAMPAIGN_FIRST_STEP_NON_RESPONDERS',
      'the first step has no earlier step to respond to',
    );
  later.forEach((step, i) => {
    if (step.waitDays < 1)
      throw ruleBroken(
        'CAMPAIGN_STEP_WITHOUT_WAIT',
        `step ${i + 1} must wait at least a day after the one before`,
        {
          step: i + 1,
        },
      );
  });
  content.steps.forEach((step, i) => {
    const unknown = [...unknownMergeFields(step.subject), ...unknownMergeFields(step.body)];
    if (unknown.length > 0)
      throw ruleBroken(
        'CAMPAIGN_UNKNOWN_MERGE_FIELD',
        `step ${i} names merge fields no profile has: ${unknown.join(', ')}`,
        {
          step: i,
          fields: unknown,
        },
      );
  });
  if (content.cost > content.budget)
    throw ruleBroken('CAMPAIGN_OVER_BUDGET', 'the planned cost is more than the budget');
}

function existing(state: CampaignState, campaignId: string): Existing {
  if (state.status === 'none') throw notFound('CAMPAIGN_NOT_FOUND', `no campaign ${campaignId}`);
  return state;
}

const content = (c: CampaignContent): CampaignContent => ({
  name: c.name,
  objective: c.objective,
  purpose: c.purpose,
  channel: c.channel,
  audience: c.audience,
  steps: c.steps,
  budget: c.budget,
  cost: c.cost,
  currency: c.currency,
});

const sameContent = (a: CampaignContent, b: CampaignContent) =>
  JSON.stringify(content(a)) === JSON.stringify(content(b));

/**
 * A campaign (stream `campaign-<campaignId>`): drafted, revised while a draft, scheduled to start at
 * a time, then sent step by step (each step `waitDays` after the one before); costs are booked to it.
 */
export const campaignDecider: Decider<CampaignCommand, CampaignState, CampaignEvent> = {
  initialState: () => ({ status: 'none' }),

  decide(command, state) {
    switch (command.type) {
      case 'DraftCampaign': {
        const { at, ...data } = command.data;
        if (state.status !== 'none') {
          if (state.status === 'draft' && sameContent(state, data)) return [];
          throw conflict('CAMPAIGN_ALREADY_EXISTS', `campaign ${data.campaignId} exists already`);
        }
        checkContent(data);
        return [{ type: 'CampaignDrafted', data: { ...data, draftedAt: at } }];
      }
      case 'ReviseCampaign': {
        const { at, ...data } = command.data;
        const campaign = existing(state, data.campaignId);
        if (campaign.status !== 'draft')
          throw ruleBroken(
            'CAMPAIGN_NOT_DRAFT',
            `the campaign is ${campaign.status}: only a draft can be revised`,
          );
        checkContent(data);
        if (sameContent(campaign, data)) return [];
        return [{ type: 'CampaignRevised', data: { ...data, revisedAt: at } }];
      }
      case 'ScheduleCampaign': {
        const { campaignId, startAt, at } = command.data;
        const campaign = existing(state, campaignId);
        if (campaign.status === 'scheduled' && campaign.startAt === startAt) return [];
        if (campaign.status !== 'draft')
          throw ruleBroken(
            'CAMPAIGN_NOT_DRAFT',
            `the campaign is ${campaign.status}: only a draft can be scheduled`,
          );
        if (Date.parse(startAt) < Date.parse(at) - 60_000)
          throw ruleBroken('CAMPAIGN_START_IN_PAST', 'a campaign cannot start in the past');
        return [{ type: 'CampaignScheduled', data: { campaignId, startAt, scheduledAt: at } }];
      }
      case 'RecordStepSent': {
        const { campaignId, step, sent, suppressed, at } = command.data;
        const campaign = existing(state, campaignId);
        if (campaign.stepsSent.some((s) => s.step === step)) return [];
        if (campaign.status === 'draft')
          throw ruleBroken('CAMPAIGN_NOT_SCHEDULED', 'a draft campaign is not sent');
        if (step !== campaign.stepsSent.length || step >= campaign.steps.length)
          throw ruleBroken('CAMPAIGN_STEP_OUT_OF_ORDER', `step ${step} is not the next step to send`, {
            step,
          });
        return [{ type: 'CampaignStepSent', data: { campaignId, step, sent, suppressed, sentAt: at } }];
      }
      case 'RecordCost': {
        const { campaignId, amount, currency, item, at } = command.data;
        const campaign = existing(state, campaignId);
        if (currency !== campaign.currency)
          throw ruleBroken('CAMPAIGN_CURRENCY_MISMATCH', `the campaign's costs are in ${campaign.currency}`);
        const cost = Math.round((campaign.cost + amount) * 100) / 100;
        return [
          {
            type: 'CampaignCostRecorded',
            data: { campaignId, amount, currency, item, cost, recordedAt: at },
          },
        ];
      }
    }
  },

  evolve(state, event) {
    switch (event.type) {
      case 'CampaignDrafted':
        return { ...content(event.data), status: 'draft', campaignId: event.data.campaignId, stepsSent: [] };
      case 'CampaignRevised':
        return state.status === 'none' ? state : { ...state, ...content(event.data) };
      case 'CampaignScheduled':
        return state.status === 'none'
          ? state
          : { ...state, status: 'scheduled', startAt: event.data.startAt };
      case 'CampaignStepSent': {
        if (state.status === 'none') return state;
        const { step, sentAt, sent, suppressed } = event.data;
        const stepsSent = [...state.stepsSent, { step, sentAt, sent, suppressed }];
        return { ...state, stepsSent, status: stepsSent.length >= state.steps.length ? 'sent' : 'sending' };
      }
      case 'CampaignCostRecorded':
        return state.status === 'none' ? state : { ...state, cost: event.data.cost };
    }
  },
};

/** When step `step` is due: the start for the first, else `waitDays` after the step before was sent. */
export function stepDueAt(state: CampaignState, step: number): Date | undefined {
  if (state.status === 'none' || !state.startAt || step >= state.steps.length) return undefined;
  if (step === 0) return new Date(state.startAt);
  const before = state.stepsSent.find((s) => s.step === step - 1);
  if (!before) return undefined;
  return new Date(Date.parse(before.sentAt) + state.steps[step].waitDays * 86_400_000);
}

/** What one recipient of a campaign was sent or spared, per step (`campaignRecipient-<c>-<customer>`). */
export type RecipientCommand =
  | {
      type: 'RecordDelivery';
      data: { campaignId: string; step: number; customerId: string; at: string } & (
        { outcome: 'sent'; messageId: string } | { outcome: 'suppressed'; reason: CampaignSuppressionReason }
      );
    }
  | {
      /** The recipient's mail server refused the step's message for good (while sending, or later). */
      type: 'RecordBounce';
      data: {
        campaignId: string;
        step: number;
        customerId: string;
        messageId: string;
        smtpCode?: number;
        smtpStatus?: string;
        at: string;
      };
    };
export interface RecipientState {
  steps: Record<number, 'sent' | 'suppressed' | 'bounced'>;
}

function recordDelivery(
  data: Extract<RecipientCommand, { type: 'RecordDelivery' }>['data'],
  state: RecipientState,
): RecipientEvent[] {
  if (state.steps[data.step]) return [];
  const { campaignId, step, customerId, at } = data;
  return data.outcome === 'sent'
    ? [
        {
          type: 'CampaignMessageSent',
          data: { campaignId, step, customerId, messageId: data.messageId, sentAt: at },
        },
      ]
    : [
        {
          type: 'CampaignMessageSuppressed',
          data: { campaignId, step, customerId, reason: data.reason, suppressedAt: at },
        },
      ];
}

/**
 * A bounce while sending is recorded with no `CampaignMessageSent` before it; a bounce reported
 * later follows the step's `CampaignMessageSent`. Once per step; never for a suppressed step.
 */
function recordBounce(
  data: Extract<RecipientCommand, { type: 'RecordBounce' }>['data'],
  state: RecipientState,
): RecipientEvent[] {
  const { at, ...bounce } = data;
  const outcome = state.steps[data.step];
  if (outcome === 'bounced') return [];
  if (outcome === 'suppressed')
    throw ruleBroken('CAMPAIGN_MESSAGE_NOT_SENT', `step ${data.step} was not sent to this customer`, {
      step: data.step,
    });
  return [{ type: 'CampaignMessageBounced', data: { ...bounce, bouncedAt: at } }];
}

/** Records each step of each recipient once: a second record of the same step decides nothing. */
export const recipientDecider: Decider<RecipientCommand, RecipientState, RecipientEvent> = {
  initialState: () => ({ steps: {} }),
  decide: (command, state) =>
    command.type === 'RecordDelivery'
      ? recordDelivery(command.data, state)
      : recordBounce(command.data, state),
  evolve: (state, event) => {
    // The stream holds responses too (src/response/response.decider.ts): only deliveries count here.
    const outcome =
      event.type === 'CampaignMessageSent'
        ? 'sent'
        : event.type === 'CampaignMessageSuppressed'
          ? 'suppressed'
          : event.type === 'CampaignMessageBounced'
            ? 'bounced'
            : undefined;
    return outcome ? { steps: { ...state.steps, [event.data.step]: outcome } } : state;
  },
};
