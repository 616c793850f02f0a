/**
 * The data subject's rights. Erasure is decided where the customer's identity is born (the leads
 * context, which gives every customer its id) and published on its topic: every context masks
 * what it holds about the customer, and the customer's data key is destroyed, so personal data
 * sealed with it (in every event store and Kafka record, before or after) can no longer be read.
 */
import { Type, type Static } from '@sinclair/typebox';
import { Text, Timestamp, Uuid } from '../validation/schema-kit';

export const CustomerErasedV1 = Type.Object({
  customerId: Uuid(),
  /** Why, as the request gave it (e.g. "GDPR art. 17 request 2026-118"); never personal data. */
  reason: Text(),
  erasedAt: Timestamp(),
});
export type CustomerErasedV1 = Static<typeof CustomerErasedV1>;

export const PRIVACY_EVENT_SCHEMAS = {
  CustomerErased: { 1: CustomerErasedV1 },
} as const;

export const PRIVACY_EVENT_VERSIONS = { CustomerErased: 1 } as const;

/** The context that decides erasures and publishes `CustomerErased`. */
export const PRIVACY_PUBLISHER = 'leads';
