/**
 * Customer lifecycle stage changes are first-class events. Each stage has exactly one owning
 * context that decides it; the event is published on that context's topic.
 */
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
  retention: 'service-desk',
  at_risk: 'analytics',
  churned: 'analytics',
};

export interface CustomerLifecycleStageReachedV1 {
  customerId: string;
  stage: LifecycleStage;
  previousStage?: LifecycleStage;
  /** The aggregate whose decision moved the customer (e.g. the lead or the opportunity). */
  reason: { aggregateType: string; aggregateId: string };
  reachedAt: string;
}

export const LIFECYCLE_EVENT_VERSIONS = { CustomerLifecycleStageReached: 1 } as const;
