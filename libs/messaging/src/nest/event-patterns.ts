import { BOUNDED_CONTEXTS, PUBLISHERS, hasContract, parseCloudEventType } from '@crm/contracts';

/**
 * The patterns of the CRM events transport, as `@EventPattern` takes them:
 *
 * - `crm.<context>.<EventType>`: the CloudEvent `type` without its version, e.g.
 *   `crm.leads.LeadConverted`. Every version of the type reaches the handler, its data checked
 *   against its contract and upcast to the newest version (`@Payload()` is that data). The type must
 *   be one the contracts know and that context publishes: a typo stops the service at start.
 * - `crm.<context>.*`: every other event of that context, for the consumer that declares it,
 *   types outside the contracts included (their `@Payload()` is undefined; read the context).
 *
 * The context names the topic (`crm.<context>.events`): a consumer subscribes to the topics of
 * the contexts its patterns name.
 */
export interface EventPatternParts {
  context: string;
  /** The event type, or `*`. */
  eventType: string;
}

/** A pattern this transport cannot deliver anything to. */
export class InvalidEventPatternError extends Error {
  constructor(pattern: unknown, why: string) {
    super(`@EventPattern(${JSON.stringify(pattern)}): ${why}`);
    this.name = 'InvalidEventPatternError';
  }
}

const PATTERN = /^crm\.([a-z0-9-]+)\.([A-Za-z0-9]+|\*)$/;

/** Checks a pattern and answers its parts; throws {@link InvalidEventPatternError}. */
export function parseEventPattern(pattern: unknown): EventPatternParts {
  if (typeof pattern !== 'string')
    throw new InvalidEventPatternError(pattern, 'patterns are strings: crm.<context>.<EventType>');
  if (/\.v\d+$/.test(pattern))
    throw new InvalidEventPatternError(
      pattern,
      'name the type without its version: every version reaches the handler, upcast to the newest',
    );
  const match = PATTERN.exec(pattern);
  if (!match)
    throw new InvalidEventPatternError(pattern, 'expected crm.<context>.<EventType> or crm.<context>.*');
  const [, context, eventType] = match;
  if (!(BOUNDED_CONTEXTS as readonly string[]).includes(context))
    throw new InvalidEventPatternError(pattern, `no context "${context}" (${BOUNDED_CONTEXTS.join(', ')})`);
  if (eventType !== '*' && !(hasContract(eventType) && PUBLISHERS[eventType].includes(context)))
    throw new InvalidEventPatternError(pattern, `the contracts have no ${eventType} published by ${context}`);
  return { context, eventType };
}

/** The patterns that may take an event of this CloudEvent `type`, the most specific first. */
export function patternsFor(type: string): string[] {
  const parsed = parseCloudEventType(type);
  if (!parsed) return [];
  return [`crm.${parsed.context}.${parsed.eventType}`, `crm.${parsed.context}.*`];
}
