import { PERSONAL_DATA_KEYWORD } from './schema-kit';

/**
 * Where an event's personal data is: the strings its contract marks with `Personal(...)`. The
 * walk is pure and knows nothing of keys or ciphers; `@crm/privacy` seals and opens the values.
 */

/** What a personal value reads as once its customer was erased. */
export const ERASED = '[erased]';

interface Schema {
  type?: unknown;
  properties?: Record<string, Schema>;
  items?: Schema;
  anyOf?: Schema[];
  allOf?: Schema[];
  oneOf?: Schema[];
  [keyword: string]: unknown;
}

const holds = new WeakMap<object, boolean>();

function isPersonal(schema: Schema): boolean {
  return schema[PERSONAL_DATA_KEYWORD] === true;
}

function children(schema: Schema): Schema[] {
  return [
    ...Object.values(schema.properties ?? {}),
    ...(schema.items ? [schema.items] : []),
    ...(schema.anyOf ?? []),
    ...(schema.allOf ?? []),
    ...(schema.oneOf ?? []),
  ];
}

/** Whether any value an instance of `schema` may hold is personal data. */
export function holdsPersonalData(schema: object): boolean {
  const known = holds.get(schema);
  if (known !== undefined) return known;
  const s = schema as Schema;
  const answer = isPersonal(s) || children(s).some(holdsPersonalData);
  holds.set(schema, answer);
  return answer;
}

/**
 * A copy of `data` with every string the schema marks personal replaced by `map(value)`. Parts
 * of `data` the schema does not describe, and values of other types, are kept as they are: the
 * contract check, not this walk, decides whether data is valid.
 */
export function mapPersonalData(schema: object, data: unknown, map: (value: string) => string): unknown {
  const s = schema as Schema;
  if (!holdsPersonalData(s)) return data;
  if (isPersonal(s)) return typeof data === 'string' ? map(data) : data;
  let result = data;
  for (const branch of [...(s.allOf ?? []), ...(s.anyOf ?? []), ...(s.oneOf ?? [])])
    result = mapPersonalData(branch, result, map);
  if (Array.isArray(result) && s.items) return result.map((item) => mapPersonalData(s.items!, item, map));
  if (s.properties && result !== null && typeof result === 'object' && !Array.isArray(result)) {
    const copy: Record<string, unknown> = { ...(result as Record<string, unknown>) };
    for (const [key, property] of Object.entries(s.properties))
      if (Object.hasOwn(copy, key)) copy[key] = mapPersonalData(property, copy[key], map);
    return copy;
  }
  return result;
}
