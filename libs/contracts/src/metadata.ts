/**
 * Metadata every event carries, whatever context wrote it. It travels with the event from the
 * event store to Kafka (as CloudEvents attributes) so that integrators and SREs can follow a
 * customer and a request across services.
 */
export interface EventMetadata {
  /** The customer this fact is about; one identity across every bounded context. */
  customerId: string;
  /** Shared by every event that one user action led to, across services. */
  correlationId: string;
  /** The id of the command or event that directly caused this event. */
  causationId: string;
  /** Version of the event's data schema; bumped on any incompatible change. */
  schemaVersion: number;
  /** When the fact happened (ISO 8601). */
  occurredAt: string;
  /** W3C trace context of the request that caused the event, if it was traced. */
  traceparent?: string;
  tracestate?: string;
  /** Who issued the command (user or service), when known. */
  actor?: string;
}

/**
 * The `customerId` of facts about the organisation itself rather than one customer (a knowledge
 * article, an SLA policy, a queue): the nil UUID. Such events hold no personal data.
 */
export const ORGANISATION_CUSTOMER_ID = '00000000-0000-0000-0000-000000000000';

/** Context a command carries into the handler: who, why, and which trace. */
export interface CommandContext {
  commandId: string;
  correlationId: string;
  /** Defaults to commandId. For reactions, the id of the event being reacted to. */
  causationId?: string;
  traceparent?: string;
  tracestate?: string;
  actor?: string;
  /** The clock, injectable so that tests are deterministic. */
  now?: () => Date;
}

/** When the command happens (ISO 8601), from the context's clock. */
export function commandTime(context: CommandContext): string {
  return (context.now?.() ?? new Date()).toISOString();
}
