import type { TSchema } from '@sinclair/typebox';
import { LEAD_EVENT_SCHEMAS } from '../leads/lead-events';
import { LIFECYCLE_EVENT_SCHEMAS, LIFECYCLE_STAGE_OWNERS } from '../lifecycle/lifecycle-events';
import { CAMPAIGN_EVENT_SCHEMAS } from '../marketing/campaign-events';
import { LIST_EVENT_SCHEMAS } from '../marketing/list-events';
import { MARKETING_EVENT_SCHEMAS } from '../marketing/marketing-events';
import { CAMPAIGN_RESPONSE_EVENT_SCHEMAS } from '../marketing/response-events';
import { PIPELINE_EVENT_SCHEMAS } from '../pipeline/pipeline-events';
import { PRIVACY_EVENT_SCHEMAS, PRIVACY_PUBLISHER } from '../privacy/privacy-events';
import { KNOWLEDGE_EVENT_SCHEMAS } from '../service/knowledge-events';
import { SERVICE_EVENT_SCHEMAS } from '../service/service-events';
import { SERVICE_SETTINGS_EVENT_SCHEMAS } from '../service/service-settings-events';
import { assertFits, contractViolation } from './contract-violation';
import { createEventParser, createUpcaster, type ParsedEventOf } from './event-parser';
import { holdsPersonalData } from './personal-data';
import { UPCASTERS } from './upcasters';

export { ContractViolationError, isContractViolation, type ContractViolation } from './contract-violation';

/**
 * Every event type of every context, each version with its schema. Event type names are unique
 * across contexts (a lifecycle stage event is the same contract whichever context publishes it).
 */
export const EVENT_CONTRACTS = {
  ...LEAD_EVENT_SCHEMAS,
  ...PIPELINE_EVENT_SCHEMAS,
  ...LIFECYCLE_EVENT_SCHEMAS,
  ...PRIVACY_EVENT_SCHEMAS,
  ...SERVICE_EVENT_SCHEMAS,
  ...SERVICE_SETTINGS_EVENT_SCHEMAS,
  ...KNOWLEDGE_EVENT_SCHEMAS,
  ...MARKETING_EVENT_SCHEMAS,
  ...CAMPAIGN_EVENT_SCHEMAS,
  ...CAMPAIGN_RESPONSE_EVENT_SCHEMAS,
  ...LIST_EVENT_SCHEMAS,
} as const;

export type EventContracts = typeof EVENT_CONTRACTS;
export type ContractEventType = keyof EventContracts;

const owners = (schemas: object, contexts: readonly string[]) =>
  Object.fromEntries(Object.keys(schemas).map((type) => [type, contexts]));

/** The contexts that publish each event type (a lifecycle stage event: each stage's owner). */
export const PUBLISHERS: Readonly<Record<ContractEventType, readonly string[]>> = {
  ...owners(LEAD_EVENT_SCHEMAS, ['leads']),
  ...owners(PIPELINE_EVENT_SCHEMAS, ['pipeline']),
  ...owners(LIFECYCLE_EVENT_SCHEMAS, [...new Set(Object.values(LIFECYCLE_STAGE_OWNERS))]),
  ...owners(PRIVACY_EVENT_SCHEMAS, [PRIVACY_PUBLISHER]),
  ...owners(SERVICE_EVENT_SCHEMAS, ['service']),
  ...owners(MARKETING_EVENT_SCHEMAS, ['marketing']),
  ...owners(CAMPAIGN_EVENT_SCHEMAS, ['marketing']),
  ...owners(CAMPAIGN_RESPONSE_EVENT_SCHEMAS, ['marketing']),
  ...owners(LIST_EVENT_SCHEMAS, ['marketing']),
  ...owners(SERVICE_SETTINGS_EVENT_SCHEMAS, ['service']),
  ...owners(KNOWLEDGE_EVENT_SCHEMAS, ['service']),
} as Record<ContractEventType, readonly string[]>;

/**
 * An event whose data passed its contract: `type` says what `data` is, in the newest
 * `schemaVersion` of that type (older versions are upcast to it).
 */
export type ParsedEvent = ParsedEventOf<EventContracts>;

/** The data of an event type, in the newest version the contracts know. */
export type EventData<K extends ContractEventType> = Extract<ParsedEvent, { type: K }>['data'];

/**
 * The schema of `type` in `schemaVersion` when it holds personal data (strings marked
 * `Personal(...)`); `undefined` for a type or version without any, or one the contracts do not know.
 */
export function personalDataSchema(type: string, schemaVersion: number): TSchema | undefined {
  if (!hasContract(type)) return undefined;
  const schema = (EVENT_CONTRACTS[type] as Record<number, TSchema | undefined>)[schemaVersion];
  return schema && holdsPersonalData(schema) ? schema : undefined;
}

/** Whether the contracts know this event type (in some version). */
export function hasContract(type: string): type is ContractEventType {
  return Object.hasOwn(EVENT_CONTRACTS, type);
}

/**
 * Checks `data` against the contract of `type` in exactly `schemaVersion`. Throws a
 * {@link ContractViolationError} naming every problem, or when the type or version is unknown.
 */
export function assertValidEvent(type: string, schemaVersion: number, data: unknown): void {
  if (!hasContract(type)) throw contractViolation(`${type} is not an event type of any contract`);
  const versions: Partial<Record<number, TSchema>> = EVENT_CONTRACTS[type];
  const schema = Object.hasOwn(versions, schemaVersion) ? versions[schemaVersion] : undefined;
  if (!schema) throw contractViolation(`${type} has no schema version ${schemaVersion}`);
  assertFits(schema, `${type} v${schemaVersion}`, data);
}

const parse = createEventParser({ contracts: EVENT_CONTRACTS, publishers: PUBLISHERS, upcasters: UPCASTERS });

/**
 * The data of a stored event (a service's own stream: type without context, its schema version from
 * the metadata) in the newest version of its type (`upcasters.ts`): what a decider folds, so that it
 * is written for the newest version only. Data of types outside the contracts is answered unchanged.
 */
export const upcastStoredEvent = createUpcaster({ contracts: EVENT_CONTRACTS, upcasters: UPCASTERS });

/**
 * Reads an event (a CloudEvent, or anything with its `type` and `data`) through its contract.
 * Answers the typed event once its data passed the schema of its version, upcast to the newest
 * version of its type when it is older (see `upcasters.ts`); `undefined` when the type is not one
 * of the contracts' (`crm.<context>.<Type>.v<n>` with a Type they do not know or that this context
 * does not publish, or a foreign type). Throws a {@link ContractViolationError} for a version the
 * contracts do not know (e.g. newer than this reader) or data that does not fit: an event a
 * consumer cannot read is never silently skipped.
 */
export function parseEvent(event: { type: string; data: unknown }): ParsedEvent | undefined {
  return parse(event);
}

/** One function per event type a consumer applies, each given that type's data. */
export type EventHandlers<K extends ContractEventType, A extends unknown[], R> = {
  [P in K]: (data: EventData<P>, ...args: A) => R;
};

/**
 * The handler of `handlers` for a parsed event, bound to its data; `undefined` when the consumer
 * has none for that type.
 */
export function handlerFor<K extends ContractEventType, A extends unknown[], R>(
  handlers: EventHandlers<K, A, R>,
  event: ParsedEvent,
): ((...args: A) => R) | undefined {
  if (!Object.hasOwn(handlers, event.type)) return undefined;
  // The map is keyed by type, so the handler found takes exactly this event's data.
  const handler = handlers[event.type as K] as (data: unknown, ...args: A) => R;
  return (...args: A) => handler(event.data, ...args);
}
