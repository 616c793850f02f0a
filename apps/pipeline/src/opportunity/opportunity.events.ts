import type { DomainEvent } from '@crm/decider';
import { PIPELINE_EVENT_VERSIONS, type PipelineEventMap } from '@crm/contracts';

type OpportunityEventMap = Pick<
  PipelineEventMap,
  | 'OpportunityOpened'
  | 'OpportunityStageChanged'
  | 'OpportunityDetailsChanged'
  | 'OpportunityWon'
  | 'OpportunityLost'
>;

/** Every event an opportunity stream may hold (all from the pipeline contract). */
export type OpportunityEvent = {
  [K in keyof OpportunityEventMap]: DomainEvent<K, OpportunityEventMap[K]>;
}[keyof OpportunityEventMap];

export const OPPORTUNITY_SCHEMA_VERSIONS: Record<OpportunityEvent['type'], number> = {
  OpportunityOpened: PIPELINE_EVENT_VERSIONS.OpportunityOpened,
  OpportunityStageChanged: PIPELINE_EVENT_VERSIONS.OpportunityStageChanged,
  OpportunityDetailsChanged: PIPELINE_EVENT_VERSIONS.OpportunityDetailsChanged,
  OpportunityWon: PIPELINE_EVENT_VERSIONS.OpportunityWon,
  OpportunityLost: PIPELINE_EVENT_VERSIONS.OpportunityLost,
};

export const opportunityStreamId = (opportunityId: string) => `opportunity-${opportunityId}`;
