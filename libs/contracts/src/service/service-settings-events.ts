/**
 * How the service desk works, as versioned facts on `crm.service.events` (never edited in place):
 * the business calendar SLA clocks count in, the SLA policies per priority and case type, the
 * queues with their assignment method, and the agents with their skills. These are facts about
 * the organisation: their events carry the organisation's customer id and no personal data.
 */
import { Type, type Static } from '@sinclair/typebox';
import { StringEnum, Text, Timestamp } from '../validation/schema-kit';
import { CASE_PRIORITIES, CASE_TYPES } from './service-events';

export const ASSIGNMENT_METHODS = ['manual', 'round_robin', 'least_loaded'] as const;
export type AssignmentMethod = (typeof ASSIGNMENT_METHODS)[number];

const HHMM = '^([01][0-9]|2[0-3]):[0-5][0-9]$';
const Interval = Type.Object({
  start: Type.String({ pattern: HHMM }),
  end: Type.String({ pattern: '^(([01][0-9]|2[0-3]):[0-5][0-9]|24:00)$' }),
});
const Minutes = () => Type.Number({ exclusiveMinimum: 0 });

/** A business calendar version: from `effectiveAt` on, SLA clocks count its opening hours. */
export const BusinessCalendarPublishedV1 = Type.Object({
  calendarId: Text(),
  version: Type.Integer({ minimum: 1 }),
  timeZone: Text(),
  /** Opening hours per ISO weekday ("1" Monday ... "7" Sunday), local wall-clock time. */
  weekly: Type.Record(Type.String({ pattern: '^[1-7]$' }), Type.Array(Interval)),
  /** Local dates on which nothing is open. */
  holidays: Type.Array(Type.String({ pattern: '^[0-9]{4}-[0-9]{2}-[0-9]{2}$' })),
  effectiveAt: Timestamp(),
});
export type BusinessCalendarPublishedV1 = Static<typeof BusinessCalendarPublishedV1>;

/** An SLA policy version: cases of its priority (and type, when it names one) opened from `effectiveAt` on. */
export const SlaPolicyPublishedV1 = Type.Object({
  policyId: Text(),
  version: Type.Integer({ minimum: 1 }),
  priority: StringEnum(CASE_PRIORITIES),
  caseType: Type.Optional(StringEnum(CASE_TYPES)),
  firstResponseMinutes: Minutes(),
  nextResponseMinutes: Minutes(),
  resolutionMinutes: Minutes(),
  warningShare: Type.Number({ exclusiveMinimum: 0, exclusiveMaximum: 1 }),
  escalateToQueue: Type.Optional(Text()),
  effectiveAt: Timestamp(),
});
export type SlaPolicyPublishedV1 = Static<typeof SlaPolicyPublishedV1>;

/** A queue: how its cases are assigned, and the skill an agent needs to take them. */
export const SupportQueueConfiguredV1 = Type.Object({
  queue: Text(),
  assignment: StringEnum(ASSIGNMENT_METHODS),
  skill: Type.Optional(Text()),
  configuredAt: Timestamp(),
});
export type SupportQueueConfiguredV1 = Static<typeof SupportQueueConfiguredV1>;

/** An agent's skills, and whether they take new cases now. */
export const SupportAgentUpdatedV1 = Type.Object({
  agentId: Text(),
  skills: Type.Array(Text(), { uniqueItems: true }),
  available: Type.Boolean(),
  updatedAt: Timestamp(),
});
export type SupportAgentUpdatedV1 = Static<typeof SupportAgentUpdatedV1>;

export const SERVICE_SETTINGS_EVENT_SCHEMAS = {
  BusinessCalendarPublished: { 1: BusinessCalendarPublishedV1 },
  SlaPolicyPublished: { 1: SlaPolicyPublishedV1 },
  SupportQueueConfigured: { 1: SupportQueueConfiguredV1 },
  SupportAgentUpdated: { 1: SupportAgentUpdatedV1 },
} as const;
