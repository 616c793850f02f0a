import { Type, type TString, type TUnsafe } from '@sinclair/typebox';

/**
 * Building blocks of the event schemas. Each gives both a TypeScript type (through TypeBox's
 * `Static`) and plain JSON Schema that ajv checks at run time.
 */

/** One of a fixed list of strings: `{ "type": "string", "enum": [...] }`. */
export function StringEnum<T extends readonly string[]>(values: T): TUnsafe<T[number]> {
  return Type.Unsafe<T[number]>({ type: 'string', enum: [...values] });
}

/** An id the services generate (RFC 9562 UUID, any version). */
export const Uuid = () => Type.String({ format: 'uuid' });

/** An instant, ISO 8601 with a time zone (as `Date.prototype.toISOString` writes it). */
export const Timestamp = () => Type.String({ format: 'date-time' });

/** A string that is not empty. */
export const Text = () => Type.String({ minLength: 1 });

/** An ISO 4217 currency code. */
export const Currency = () => Type.String({ pattern: '^[A-Z]{3}$' });

/** An amount of money or a count that cannot be negative. */
export const NonNegative = () => Type.Number({ minimum: 0 });

/** The JSON Schema keyword that marks a string as personal data (see `validation/personal-data.ts`). */
export const PERSONAL_DATA_KEYWORD = 'x-personal-data';

/**
 * A string that is personal data of the event's customer. On the wire (the event store, Kafka) it
 * is sealed with that customer's data key (`pii:v1:…`, see `@crm/privacy`), so erasing the key
 * makes it unreadable everywhere; a reader with the key sees the plain value, or `[erased]` once
 * the customer was erased.
 */
export function Personal<T extends TString>(schema: T): T {
  return { ...schema, [PERSONAL_DATA_KEYWORD]: true, description: withPersonalNote(schema.description) };
}

function withPersonalNote(description: string | undefined): string {
  const note = 'Personal data: sealed with the customer’s data key on the wire (pii:v1:…).';
  return description ? `${description} ${note}` : note;
}
