import type { ContractEventType, EventData } from '@crm/contracts';

/**
 * What the customer 360 timeline shows of each interaction: when, in which context, on which
 * channel, what kind, a title and a detail. Titles and details are built from values that are no
 * personal data (kinds, channels, stages, amounts, scores, ids): names, e-mails, subjects, reply
 * bodies, notes and comments never enter the timeline, so an erasure has nothing to mask in it.
 */
export const TIMELINE_CHANNELS = [
  'email',
  'phone',
  'web',
  'chat',
  'in_person',
  'sms',
  'post',
  'other',
] as const;
export type TimelineChannel = (typeof TIMELINE_CHANNELS)[number];
export const TIMELINE_CONTEXTS = ['leads', 'pipeline', 'service', 'marketing'] as const;
export type TimelineContext = (typeof TIMELINE_CONTEXTS)[number];

export interface TimelineEntry {
  readonly occurredAt: string;
  readonly channel: TimelineChannel;
  readonly kind: string;
  readonly title: string;
  readonly detail: Record<string, string | number | boolean | null>;
}

/** Channels of leads, engagements and cases, as the timeline names them. */
const CHANNELS: Record<string, TimelineChannel> = {
  web_form: 'web',
  social: 'web',
  email: 'email',
  phone: 'phone',
  chat: 'chat',
  in_person: 'in_person',
  event: 'in_person',
  referral: 'other',
  import: 'other',
  campaign: 'email',
  sms: 'sms',
  post: 'post',
  call: 'phone',
  meeting: 'in_person',
  visit: 'in_person',
};
const channelOf = (value: string): TimelineChannel => CHANNELS[value] ?? 'other';
const money = (amount: number, currency: string) => `${amount.toFixed(2)} ${currency}`;
const words = (value: string) => value.replace(/_/g, ' ');

type Entries = {
  [K in ContractEventType]?: (data: EventData<K>, time: string) => TimelineEntry | undefined;
};

const ENTRIES: Entries = {
  LeadCaptured: (d) => ({
    occurredAt: d.capturedAt,
    channel: channelOf(d.channel),
    kind: 'lead_captured',
    title: `Lead captured (${words(d.channel)})`,
    detail: { leadId: d.leadId, channel: d.channel, campaignId: d.source.campaignId ?? null },
  }),
  LeadAssigned: (d, time) => ({
    occurredAt: time,
    channel: 'other',
    kind: 'lead_assigned',
    title: `Lead assigned to ${d.ownerId}`,
    detail: { leadId: d.leadId, ownerId: d.ownerId, method: d.method },
  }),
  LeadEngagementRecorded: (d) => ({
    occurredAt: d.occurredAt,
    channel: channelOf(d.kind),
    kind: 'engagement',
    title: `Engagement: ${d.kind}`,
    detail: { leadId: d.leadId, engagementId: d.engagementId, engagementKind: d.kind, channel: d.channel },
  }),
  LeadQualified: (d) => ({
    occurredAt: d.qualifiedAt,
    channel: 'other',
    kind: 'lead_qualified',
    title: `Lead qualified (score ${d.score})`,
    detail: { leadId: d.leadId, score: d.score },
  }),
  LeadDisqualified: (d) => ({
    occurredAt: d.disqualifiedAt,
    channel: 'other',
    kind: 'lead_disqualified',
    title: `Lead disqualified: ${words(d.reason)}`,
    detail: { leadId: d.leadId, reason: d.reason },
  }),
  LeadConverted: (d) => ({
    occurredAt: d.convertedAt,
    channel: 'other',
    kind: 'lead_converted',
    title: 'Lead converted to an opportunity',
    detail: { leadId: d.leadId, ownerId: d.ownerId, score: d.score },
  }),
  AccountOpened: (d) => ({
    occurredAt: d.openedAt,
    channel: 'other',
    kind: 'account_opened',
    title: `Account opened (${d.profile.kind})`,
    detail: { accountId: d.accountId },
  }),
  OpportunityOpened: (d) => ({
    occurredAt: d.openedAt,
    channel: 'other',
    kind: 'opportunity_opened',
    title: `Opportunity opened at stage ${d.stage}`,
    detail: {
      opportunityId: d.opportunityId,
      stage: d.stage,
      amount: d.amount ?? null,
      currency: d.currency,
      campaignId: d.fromCampaignId ?? null,
    },
  }),
  OpportunityStageChanged: (d) => ({
    occurredAt: d.changedAt,
    channel: 'other',
    kind: 'opportunity_stage',
    title: `Opportunity moved from ${d.from} to ${d.to}`,
    detail: { opportunityId: d.opportunityId, from: d.from, to: d.to, probability: d.probability },
  }),
  OpportunityWon: (d) => ({
    occurredAt: d.wonAt,
    channel: 'other',
    kind: 'opportunity_won',
    title: `Opportunity won: ${money(d.amount, d.currency)}`,
    detail: { opportunityId: d.opportunityId, amount: d.amount, currency: d.currency },
  }),
  OpportunityLost: (d) => ({
    occurredAt: d.lostAt,
    channel: 'other',
    kind: 'opportunity_lost',
    title: `Opportunity lost: ${words(d.reason)}`,
    detail: { opportunityId: d.opportunityId, reason: d.reason },
  }),
  QuoteSent: (d) => ({
    occurredAt: d.sentAt,
    channel: 'email',
    kind: 'quote_sent',
    title: `Quote sent: ${money(d.total, d.currency)}`,
    detail: { quoteId: d.quoteId, opportunityId: d.opportunityId, total: d.total, currency: d.currency },
  }),
  QuoteAccepted: (d) => ({
    occurredAt: d.acceptedAt,
    channel: 'other',
    kind: 'quote_accepted',
    title: `Quote accepted: ${money(d.total, d.currency)}`,
    detail: { quoteId: d.quoteId, opportunityId: d.opportunityId, total: d.total, currency: d.currency },
  }),
  QuoteRejected: (d) => ({
    occurredAt: d.rejectedAt,
    channel: 'other',
    kind: 'quote_rejected',
    title: 'Quote rejected',
    detail: { quoteId: d.quoteId, opportunityId: d.opportunityId },
  }),
  CaseOpened: (d) => ({
    occurredAt: d.openedAt,
    channel: channelOf(d.channel),
    kind: 'case_opened',
    title: `Case opened: ${words(d.caseType)} (${d.priority})`,
    detail: { caseId: d.caseId, caseType: d.caseType, priority: d.priority, channel: d.channel },
  }),
  // Internal notes are no interaction with the customer.
  CaseReplied: (d) =>
    d.visibility === 'public'
      ? {
          occurredAt: d.repliedAt,
          channel: channelOf(d.channel),
          kind: 'case_reply',
          title: d.author.kind === 'agent' ? 'Reply from support' : 'Reply from the customer',
          detail: { caseId: d.caseId, replyId: d.replyId, author: d.author.kind },
        }
      : undefined,
  CaseStatusChanged: (d) =>
    d.to === 'solved' || d.to === 'closed' || d.from === 'solved' || d.from === 'closed'
      ? {
          occurredAt: d.changedAt,
          channel: 'other',
          kind: `case_${d.to === 'solved' || d.to === 'closed' ? d.to : 'reopened'}`,
          title: `Case ${d.to === 'solved' || d.to === 'closed' ? d.to : 'reopened'}`,
          detail: { caseId: d.caseId, from: d.from, to: d.to },
        }
      : undefined,
  SlaBreached: (d) => ({
    occurredAt: d.breachedAt,
    channel: 'other',
    kind: 'sla_breached',
    title: `SLA breached: ${words(d.clock)}`,
    detail: { caseId: d.caseId, clock: d.clock },
  }),
  CaseRated: (d) => ({
    occurredAt: d.ratedAt,
    channel: 'web',
    kind: 'survey',
    title: `Satisfaction rated ${d.score}/5`,
    detail: { caseId: d.caseId, survey: 'csat', score: d.score },
  }),
  NetPromoterScoreGiven: (d) => ({
    occurredAt: d.givenAt,
    channel: 'web',
    kind: 'survey',
    title: `NPS answer ${d.score} (${d.category})`,
    detail: { caseId: d.caseId, survey: 'nps', score: d.score, category: d.category },
  }),
  CampaignMessageSent: (d) => ({
    occurredAt: d.sentAt,
    channel: 'email',
    kind: 'campaign_sent',
    title: `Campaign message sent (step ${d.step + 1})`,
    detail: { campaignId: d.campaignId, step: d.step },
  }),
  CampaignMessageBounced: (d) => ({
    occurredAt: d.bouncedAt,
    channel: 'email',
    kind: 'campaign_bounced',
    title: `Campaign message bounced (step ${d.step + 1})`,
    detail: { campaignId: d.campaignId, step: d.step, smtpCode: d.smtpCode ?? null },
  }),
  CampaignResponseRecorded: (d) => ({
    occurredAt: d.respondedAt,
    channel: d.kind === 'form' ? 'web' : 'email',
    kind: `campaign_${d.kind}`,
    title: `Campaign ${d.kind === 'open' ? 'message opened' : d.kind === 'click' ? 'link clicked' : d.kind === 'reply' ? 'message replied to' : 'form filled in'} (step ${d.step + 1})`,
    detail: { campaignId: d.campaignId, step: d.step },
  }),
  ConsentGranted: (d) => ({
    occurredAt: d.effectiveAt,
    channel: channelOf(d.channel),
    kind: 'consent_granted',
    title: `Consent granted: ${words(d.purpose)} by ${d.channel}`,
    detail: { purpose: d.purpose, channel: d.channel, source: d.source, recordedAt: d.recordedAt },
  }),
  ConsentWithdrawn: (d) => ({
    occurredAt: d.effectiveAt,
    channel: channelOf(d.channel),
    kind: 'consent_withdrawn',
    title: `Consent withdrawn: ${words(d.purpose)} by ${d.channel}`,
    detail: { purpose: d.purpose, channel: d.channel, source: d.source, recordedAt: d.recordedAt },
  }),
  ContactSuppressed: (d) => ({
    occurredAt: d.effectiveAt,
    channel: d.channel ? channelOf(d.channel) : 'other',
    kind: 'contact_suppressed',
    title: `Contact suppressed (${words(d.reason)}) on ${d.channel ?? 'every channel'}`,
    detail: { reason: d.reason, channel: d.channel ?? null, recordedAt: d.recordedAt },
  }),
  CustomerLifecycleStageReached: (d) => ({
    occurredAt: d.reachedAt,
    channel: 'other',
    kind: 'stage_reached',
    title: `Lifecycle stage: ${words(d.stage)}`,
    detail: { stage: d.stage, previousStage: d.previousStage ?? null },
  }),
  CustomerErased: (d) => ({
    occurredAt: d.erasedAt,
    channel: 'other',
    kind: 'customer_erased',
    title: 'Personal data erased',
    detail: {},
  }),
};

/** The event types the timeline shows. */
export const TIMELINE_EVENT_TYPES = Object.keys(ENTRIES) as ContractEventType[];

/** The timeline entry of an event, or undefined for events the timeline does not show. */
export function timelineEntry<K extends ContractEventType>(
  type: K,
  data: EventData<K>,
  time: string,
): TimelineEntry | undefined {
  const entry = ENTRIES[type] as ((d: EventData<K>, t: string) => TimelineEntry | undefined) | undefined;
  return entry?.(data, time);
}
