/**
 * Public contract of the service context (the service desk): the events it publishes on
 * `crm.service.events`. Cases from every channel, their conversation, SLA clocks counted in
 * business hours, satisfaction, and the retention / at-risk stages of the customer lifecycle.
 */
import { Type, type Static } from '@sinclair/typebox';
import { Personal, StringEnum, Text, Timestamp, Uuid } from '../validation/schema-kit';

export const CASE_CHANNELS = ['email', 'phone', 'web_form', 'chat', 'social', 'in_person'] as const;
export const CASE_TYPES = ['service_request', 'complaint', 'product_return', 'information_request'] as const;
export const CASE_PRIORITIES = ['low', 'normal', 'high', 'urgent'] as const;
export const CASE_STATUSES = ['new', 'open', 'pending', 'on_hold', 'solved', 'closed'] as const;
export const SLA_CLOCKS = ['first_response', 'next_response', 'resolution'] as const;
export type CaseChannel = (typeof CASE_CHANNELS)[number];
export type CaseType = (typeof CASE_TYPES)[number];
export type CasePriority = (typeof CASE_PRIORITIES)[number];
export type CaseStatus = (typeof CASE_STATUSES)[number];
export type SlaClockName = (typeof SLA_CLOCKS)[number];

const Channel = StringEnum(CASE_CHANNELS);
const Priority = StringEnum(CASE_PRIORITIES);
const Status = StringEnum(CASE_STATUSES);
const Clock = StringEnum(SLA_CLOCKS);
/** Business minutes; fractions allowed (a test policy may run out in seconds). */
const Minutes = () => Type.Number({ exclusiveMinimum: 0 });

/** The SLA policy version the case runs under: targets in business minutes. */
export const SlaTargets = Type.Object({
  policyId: Text(),
  version: Type.Integer({ minimum: 1 }),
  firstResponseMinutes: Minutes(),
  nextResponseMinutes: Minutes(),
  resolutionMinutes: Minutes(),
  /** Share of a target at which `SlaWarningReached` is published (0 < share < 1). */
  warningShare: Type.Number({ exclusiveMinimum: 0, exclusiveMaximum: 1 }),
  /** Queue a breached case is escalated to; none: no escalation. */
  escalateToQueue: Type.Optional(Text()),
});
export type SlaTargets = Static<typeof SlaTargets>;

export const CaseOpenedV1 = Type.Object({
  caseId: Uuid(),
  customerId: Uuid(),
  /** Whether another context knows the customer; a stranger's contact data stays on the case. */
  knownCustomer: Type.Boolean(),
  requester: Type.Object({
    name: Type.Optional(Personal(Text())),
    email: Type.Optional(Personal(Text())),
    phone: Type.Optional(Personal(Text())),
  }),
  channel: Channel,
  caseType: StringEnum(CASE_TYPES),
  priority: Priority,
  subject: Personal(Text()),
  description: Type.Optional(Personal(Type.String())),
  productRef: Type.Optional(Text()),
  queue: Text(),
  sla: SlaTargets,
  /** The case this one follows up (a reply after the reopen window). */
  followsUpCaseId: Type.Optional(Uuid()),
  openedAt: Timestamp(),
});
export type CaseOpenedV1 = Static<typeof CaseOpenedV1>;

export const CaseRepliedV1 = Type.Object({
  caseId: Uuid(),
  replyId: Uuid(),
  author: Type.Object({ kind: StringEnum(['agent', 'customer'] as const), id: Text() }),
  channel: Channel,
  /** Public replies reach the customer; internal notes only agents. */
  visibility: StringEnum(['public', 'internal'] as const),
  body: Personal(Text()),
  repliedAt: Timestamp(),
});
export type CaseRepliedV1 = Static<typeof CaseRepliedV1>;

export const CaseStatusChangedV1 = Type.Object({
  caseId: Uuid(),
  from: Status,
  to: Status,
  changedAt: Timestamp(),
});
export type CaseStatusChangedV1 = Static<typeof CaseStatusChangedV1>;

export const CaseAssignedV1 = Type.Object({
  caseId: Uuid(),
  agentId: Text(),
  method: StringEnum(['manual', 'round_robin', 'least_loaded'] as const),
  assignedAt: Timestamp(),
});
export type CaseAssignedV1 = Static<typeof CaseAssignedV1>;

export const CaseEscalatedV1 = Type.Object({
  caseId: Uuid(),
  fromQueue: Text(),
  toQueue: Text(),
  priority: Priority,
  reason: StringEnum(['sla_breached', 'manual'] as const),
  escalatedAt: Timestamp(),
});
export type CaseEscalatedV1 = Static<typeof CaseEscalatedV1>;

const ClockFacts = {
  caseId: Uuid(),
  clock: Clock,
  targetMinutes: Minutes(),
  /** When the clock runs (ran) out, as far as known when this was published. */
  dueAt: Timestamp(),
};

export const SlaWarningReachedV1 = Type.Object({ ...ClockFacts, reachedAt: Timestamp() });
export type SlaWarningReachedV1 = Static<typeof SlaWarningReachedV1>;

export const SlaBreachedV1 = Type.Object({ ...ClockFacts, priority: Priority, breachedAt: Timestamp() });
export type SlaBreachedV1 = Static<typeof SlaBreachedV1>;

export const CaseRatedV1 = Type.Object({
  caseId: Uuid(),
  customerId: Uuid(),
  /** CSAT, 1 to 5; 4 and 5 are satisfied. */
  score: Type.Integer({ minimum: 1, maximum: 5 }),
  comment: Type.Optional(Personal(Type.String())),
  ratedAt: Timestamp(),
});
export type CaseRatedV1 = Static<typeof CaseRatedV1>;

/** How likely the customer is to recommend us (0-10), asked with the satisfaction survey of a case. */
export const NPS_CATEGORIES = ['promoter', 'passive', 'detractor'] as const;
export type NpsCategory = (typeof NPS_CATEGORIES)[number];

/** Promoters answer 9 or 10, passives 7 or 8, detractors 0 to 6. */
export const npsCategory = (score: number): NpsCategory =>
  score >= 9 ? 'promoter' : score >= 7 ? 'passive' : 'detractor';

export const NetPromoterScoreGivenV1 = Type.Object({
  caseId: Uuid(),
  customerId: Uuid(),
  score: Type.Integer({ minimum: 0, maximum: 10 }),
  category: StringEnum(NPS_CATEGORIES),
  givenAt: Timestamp(),
});
export type NetPromoterScoreGivenV1 = Static<typeof NetPromoterScoreGivenV1>;

/** A knowledge base article (in the version the agent saw) linked to a case as its answer or help. */
export const CaseArticleLinkedV1 = Type.Object({
  caseId: Uuid(),
  articleId: Uuid(),
  articleVersion: Type.Integer({ minimum: 1 }),
  linkedAt: Timestamp(),
});
export type CaseArticleLinkedV1 = Static<typeof CaseArticleLinkedV1>;

export const SERVICE_EVENT_SCHEMAS = {
  CaseOpened: { 1: CaseOpenedV1 },
  CaseReplied: { 1: CaseRepliedV1 },
  CaseStatusChanged: { 1: CaseStatusChangedV1 },
  CaseAssigned: { 1: CaseAssignedV1 },
  CaseEscalated: { 1: CaseEscalatedV1 },
  SlaWarningReached: { 1: SlaWarningReachedV1 },
  SlaBreached: { 1: SlaBreachedV1 },
  CaseRated: { 1: CaseRatedV1 },
  NetPromoterScoreGiven: { 1: NetPromoterScoreGivenV1 },
  CaseArticleLinked: { 1: CaseArticleLinkedV1 },
} as const;

export interface ServiceEventMap {
  CaseOpened: CaseOpenedV1;
  CaseReplied: CaseRepliedV1;
  CaseStatusChanged: CaseStatusChangedV1;
  CaseAssigned: CaseAssignedV1;
  CaseEscalated: CaseEscalatedV1;
  SlaWarningReached: SlaWarningReachedV1;
  SlaBreached: SlaBreachedV1;
  CaseRated: CaseRatedV1;
  NetPromoterScoreGiven: NetPromoterScoreGivenV1;
  CaseArticleLinked: CaseArticleLinkedV1;
}

export const SERVICE_EVENT_VERSIONS: Record<keyof ServiceEventMap, number> = {
  CaseOpened: 1,
  CaseReplied: 1,
  CaseStatusChanged: 1,
  CaseAssigned: 1,
  CaseEscalated: 1,
  SlaWarningReached: 1,
  SlaBreached: 1,
  CaseRated: 1,
  NetPromoterScoreGiven: 1,
  CaseArticleLinked: 1,
};
