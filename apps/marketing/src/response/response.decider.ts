import {
  CAMPAIGN_RESPONSE_EVENT_VERSIONS,
  type CampaignResponseEventMap,
  type CampaignResponseKind,
} from '@crm/contracts';
import { ruleBroken, type Decider, type DomainEvent } from '@crm/decider';
import type { RecipientEvent } from '../campaign/campaign.events';

type Of<K extends keyof CampaignResponseEventMap> = {
  [T in K]: DomainEvent<T, CampaignResponseEventMap[T]>;
}[K];
export type ResponseEvent = Of<'CampaignResponseRecorded' | 'CampaignProspectResponded'>;
/** Every event of a recipient's stream (`campaignRecipient-<campaignId>-<customerId>`). */
export type RecipientStreamEvent = RecipientEvent | ResponseEvent;

/** The profile of a responder who is not a customer yet: what the leads context captures. */
export interface Prospect {
  personName?: string;
  email?: string;
  interests: string[];
}

export interface RecordResponse {
  type: 'RecordResponse';
  data: {
    campaignId: string;
    step: number;
    customerId: string;
    kind: CampaignResponseKind;
    url?: string;
    at: string;
    /** Given when the responder is not a customer yet (see README: the rule). */
    prospect?: Prospect;
  };
}

export interface RecordedResponse {
  kind: CampaignResponseKind;
  url?: string;
  at: string;
}

export interface RespondentState {
  /** Steps the recipient was sent a message of. */
  sent: number[];
  /** The responses recorded per step, each kind once (the first). */
  responses: Record<number, RecordedResponse[]>;
  /** The response published to the leads context (once per campaign and recipient). */
  prospect?: { step: number; kind: CampaignResponseKind; at: string };
}

/**
 * A recipient's responses: each kind once per step (a second open records nothing: the first
 * counts), only to a step they were sent (`CAMPAIGN_RESPONSE_WITHOUT_MESSAGE`), and the first
 * response of a prospect published once for the leads context.
 */
export const respondentDecider: Decider<RecordResponse, RespondentState, RecipientStreamEvent> = {
  initialState: () => ({ sent: [], responses: {} }),
  decide({ data }, state) {
    const { campaignId, step, customerId, kind, url, at, prospect } = data;
    if (!state.sent.includes(step))
      throw ruleBroken(
        'CAMPAIGN_RESPONSE_WITHOUT_MESSAGE',
        `customer ${customerId} was not sent step ${step} of campaign ${campaignId}`,
        { step },
      );
    if (state.responses[step]?.some((r) => r.kind === kind)) return [];
    const recorded: RecipientStreamEvent = {
      type: 'CampaignResponseRecorded',
      data: { campaignId, step, customerId, kind, ...(url ? { url } : {}), respondedAt: at },
    };
    if (!prospect || state.prospect) return [recorded];
    return [
      recorded,
      {
        type: 'CampaignProspectResponded',
        data: {
          campaignId,
          step,
          customerId,
          kind,
          ...(prospect.personName ? { personName: prospect.personName } : {}),
          ...(prospect.email ? { email: prospect.email } : {}),
          interests: prospect.interests,
          respondedAt: at,
        },
      },
    ];
  },
  evolve(state, event) {
    switch (event.type) {
      case 'CampaignMessageSent':
        return { ...state, sent: [...state.sent, event.data.step] };
      case 'CampaignMessageSuppressed':
        return state;
      case 'CampaignResponseRecorded': {
        const { step, kind, url, respondedAt: at } = event.data;
        const response: RecordedResponse = { kind, at, ...(url ? { url } : {}) };
        return {
          ...state,
          responses: { ...state.responses, [step]: [...(state.responses[step] ?? []), response] },
        };
      }
      case 'CampaignProspectResponded': {
        const { step, kind, respondedAt: at } = event.data;
        return { ...state, prospect: { step, kind, at } };
      }
    }
  },
};

export const RESPONSE_STREAM_SCHEMA_VERSIONS = {
  CampaignResponseRecorded: CAMPAIGN_RESPONSE_EVENT_VERSIONS.CampaignResponseRecorded,
  CampaignProspectResponded: CAMPAIGN_RESPONSE_EVENT_VERSIONS.CampaignProspectResponded,
};
