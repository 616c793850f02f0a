import { SERVICE_EVENT_VERSIONS, type ServiceEventMap } from '@crm/contracts';
import type { DomainEvent } from '@crm/decider';

/** The events of a case stream (`case-<caseId>`), exactly as published on crm.service.events. */
export type CaseEvent =
  | {
      [K in Exclude<keyof ServiceEventMap, 'CaseRated'>]: DomainEvent<K, ServiceEventMap[K]>;
    }[Exclude<keyof ServiceEventMap, 'CaseRated'>]
  | DomainEvent<'CaseRated', ServiceEventMap['CaseRated']>;

export const caseStreamId = (caseId: string) => `case-${caseId}`;

export const CASE_STREAM_SCHEMA_VERSIONS: Record<CaseEvent['type'], number> = SERVICE_EVENT_VERSIONS;
