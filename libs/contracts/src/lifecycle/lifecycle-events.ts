/**
 * Customer lifecycle stage changes are first-class events. Each stage has exactly one owning
 * context that decides it; the event is published on that context's topic.
 */
import { Type, type Static } from '@sinclair/typebox';
import { StringEnum, Text, Timestamp, Uuid } from '../validation/schema-kit';

export const LIFECYCLE_STAGES = [
  'interest',
  'acquisition',
  'expansion',
  'retention',
  'at_risk',
  'churned',
] as const;
export type LifecycleStage = (typeof LIFECYCLE_STAGES)[number];

/** Which context decides each stage. */
export const LIFECYCLE_STAGE_OWNERS: Record<LifecycleStage, string> = {
  interest: 'leads',
  acquisition: 'pipeline',
  expansion: 'pipeline',
  retention: 'service',
  at_risk: 'service',
  churned: 'analytics',
};

const Stage = StringEnum(LIFECYCLE_STAGES);

export const CustomerLifecycleStageReachedV1 = Type.Object({
  customerId: Uuid(),
  stage: Stage,
  previousStage: Type.Optional(Stage),
  /** The aggregate whose decision moved the customer (e.g. the lead or the opportunity). */
  reason: Type.Object({ aggregateType: Text(), aggregateId: Text() }),
  reachedAt: Timestamp(),
});
export type CustomerLifecycleStageReachedV1 = Static<typeof CustomerLifecycleStageReachedV1>;

export const LIFECYCLE_EVENT_SCHEMAS = {
  CustomerLifecycleStageReached: { 1: CustomerLifecycleStageReachedV1 },
} as const;

export const LIFECYCLE_EVENT_VERSIONS = { CustomerLifecycleStageReached: 1 } as const;
