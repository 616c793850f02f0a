import type { DomainEvent } from '@crm/decider';
import {
  LEAD_EVENT_VERSIONS,
  LIFECYCLE_EVENT_VERSIONS,
  type CustomerLifecycleStageReachedV1,
  type LeadEventMap,
} from '@crm/contracts';

/** Every event a lead stream may hold: the leads contract plus the lifecycle stage it decides. */
export type LeadEvent =
  | { [K in keyof LeadEventMap]: DomainEvent<K, LeadEventMap[K]> }[keyof LeadEventMap]
  | DomainEvent<'CustomerLifecycleStageReached', CustomerLifecycleStageReachedV1>;

export const LEAD_STREAM_SCHEMA_VERSIONS: Record<LeadEvent['type'], number> = {
  ...LEAD_EVENT_VERSIONS,
  ...LIFECYCLE_EVENT_VERSIONS,
};

export const leadStreamId = (leadId: string) => `lead-${leadId}`;
