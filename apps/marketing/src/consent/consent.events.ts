import { MARKETING_EVENT_VERSIONS, type MarketingEventMap } from '@crm/contracts';
import type { DomainEvent } from '@crm/decider';

const CONSENT_EVENT_TYPES = [
  'ConsentGranted',
  'ConsentWithdrawn',
  'DoubleOptInRequested',
  'DoubleOptInConfirmed',
  'ContactSuppressed',
] as const;
type ConsentEventType = (typeof CONSENT_EVENT_TYPES)[number];

/** The events of a customer's consent ledger (`consent-<customerId>`), exactly as published. */
export type ConsentEvent = {
  [K in ConsentEventType]: DomainEvent<K, MarketingEventMap[K]>;
}[ConsentEventType];

export const consentStreamId = (customerId: string) => `consent-${customerId}`;

export const CONSENT_STREAM_SCHEMA_VERSIONS: Record<ConsentEventType, number> = Object.fromEntries(
  CONSENT_EVENT_TYPES.map((type) => [type, MARKETING_EVENT_VERSIONS[type]]),
) as Record<ConsentEventType, number>;
