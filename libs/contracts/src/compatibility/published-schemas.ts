import { EVENT_CONTRACTS } from '../validation/event-contracts';
import type { EventContractSet } from '../validation/event-parser';

/** A JSON Schema as plain JSON. */
export type JsonSchema = { [keyword: string]: unknown };

/** Every event type, each version with its payload schema as plain JSON: what is published. */
export type PublishedSchemas = { [type: string]: { [version: string]: JsonSchema } };

/** The JSON Schemas of `contracts` (TypeBox schemas without TypeBox's symbol keys), types sorted. */
export function publishedSchemas(contracts: EventContractSet = EVENT_CONTRACTS): PublishedSchemas {
  const types = Object.keys(contracts).sort();
  return Object.fromEntries(
    types.map((type) => [
      type,
      Object.fromEntries(
        Object.entries(contracts[type]).map(([version, schema]) => [
          version,
          JSON.parse(JSON.stringify(schema)),
        ]),
      ),
    ]),
  );
}
