import {
  CAMPAIGN_RESPONSE_EVENT_VERSIONS,
  type CampaignExpansionObjective,
  type CampaignResponseEventMap,
  type CampaignResponseKind,
} from '@crm/contracts';
import { ruleBroken, type Decider, type DomainEvent } from '@crm/decider';
import type { RecipientEvent } from '../campaign/campaign.events';

type Of<K extends keyof CampaignResponseEventMap> = {
  [T in K]: DomainEvent<T, CampaignResponseEventMap[T]>;
}[K];
export type ResponseEvent = Of<
  'CampaignResponseRecorded' | 'CampaignProspectResponded' | 'CampaignExpansionResponded'
>;
/** Every event of a recipient's stream (`campaignRecipient-<campaignId>-<customerId>`). */
export type RecipientStreamEvent = RecipientEvent | ResponseEvent;

/** The profile of a responder who is not a customer yet: what the leads context captures. */
export interface Prospect {
  personName?: string;
  email?: string;
  interests: string[];
}

/**
 * An acquired customer responding to a cross-sell or up-sell campaign: what the pipeline context
 * needs to open an opportunity (the campaign's name, objective and currency; the profile's interests).
 */
export interface Expansion {
  campaignName: string;
  objective: CampaignExpansionObjective;
  currency: string;
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
    /** Given when the responder is an acquired customer and the campaign a cross-sell or up-sell. */
    expansion?: Expansion;
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
  prospect?: PublishedResponse;
  /** The response published to the pipeline context (once per campaign and recipient). */
  expansion?: PublishedResponse;
}

/** The first response of a recipient published to another context. */
export interface PublishedResponse {
  step: number;
  kind: CampaignResponseKind;
  at: string;
}

/**
 * A recipient's responses: each kind once per step (a second open records nothing: the first
 * counts), only to a step they were sent (`CAMPAIGN_RESPONSE_WITHOUT_MESSAGE`), the first
 * response of a prospect published once for the leads context, and the first response of an
 * acquired customer to a cross-sell or up-sell campaign published once for the pipeline context.
 */
export const respondentDecider: Decider<RecordResponse, RespondentState, RecipientStreamEvent> = {
  initialState: () => ({ sent: [], responses: {} }),
  decide({ data }, state) {
    const { campaignId, step, customerId, kind, url, at, prospect, expansion } = data;
    if (!state.sent.includes(step))
      throw ruleBroken(
        'CAMPAIGN_RESPONSE_WITHOUT_MESSAGE',
        `customer ${customerId} was not sent step ${step} of campaign ${campaignId}`,
        { step },
      );
    if (state.responses[step]?.some((r) => r.kind === kind)) return [];
    const events: RecipientStreamEvent[] = [
      {
        type: 'CampaignResponseRecorded',
        data: { campaignId, step, customerId, kind, ...(url ? { url } : {}), respondedAt: at },
      },
    ];
    if (prospect && !state.prospect)
      events.push({
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
      });
    if (expansion && !state.expansion)
      events.push({
        type: 'CampaignExpansionResponded',
        data: {
          campaignId,
          campaignName: expansion.campaignName,
          objective: expansion.objective,
          step,
          customerId,
          kind,
          currency: expansion.currency,
          interests: expansion.interests,
          respondedAt: at,
        },
      });
    return events;
  },
  evolve(state, event) {
    switch (event.type) {
      case 'CampaignMessageSent':
        return { ...state, sent: [...state.sent, event.data.step] };
      case 'CampaignMessageSuppressed':
      case 'CampaignMessageBounced':
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
      case 'CampaignExpansionResponded': {
        const { step, kind, respondedAt: at } = event.data;
        return { ...state, expansion: { step, kind, at } };
      }
    }
  },
};

export const RESPONSE_STREAM_SCHEMA_VERSIONS = {
  CampaignResponseRecorded: CAMPAIGN_RESPONSE_EVENT_VERSIONS.CampaignResponseRecorded,
  CampaignProspectResponded: CAMPAIGN_RESPONSE_EVENT_VERSIONS.CampaignProspectResponded,
  CampaignExpansionResponded: CAMPAIGN_RESPONSE_EVENT_VERSIONS.CampaignExpansionResponded,
};
