import fc from 'fast-check';
import { withoutValidToken } from './http-fuzz-auth';
import type { JsonSchema, Route } from './openapi-routes';

/**
 * Requests a service must refuse, generated from its OpenAPI operations: each command carries at
 * least one fault (a bad body, media type, size, depth or key; a bad or unknown id), so none may be
 * accepted; queries get bad ids and parameters, and may answer anything below 500.
 */
export interface FuzzRequest {
  route: string;
  method: string;
  path: string;
  headers: Record<string, string>;
  /** A string is sent as is; bytes are sent without a content type (fetch adds none for them). */
  body?: string | Uint8Array;
  /** What is wrong with it, e.g. `body: null name`. */
  fault: string;
  /** Commands must be refused (4xx); queries only must not fail (< 500). */
  mustRefuse: boolean;
}

type Json = unknown;
type Draft = Omit<FuzzRequest, 'route' | 'mustRefuse'>;
/** Turns a plausible request into a faulty one. */
type Fault = (draft: Draft) => Draft;

const FORBIDDEN_KEYS = ['__proto__', 'constructor', 'prototype'];
/** Longer than any string field may be (the longest allow 5,000 characters). */
const HUGE = fc.integer({ min: 5_001, max: 60_000 }).map((n) => 'x'.repeat(n));
/** Beyond the default body limit of 100 kB. */
const OVERSIZED = fc.integer({ min: 110_000, max: 400_000 });
const DEPTH = fc.integer({ min: 33, max: 3_000 });

const BAD_IDS = fc.oneof(
  fc.constantFrom(
    'not-a-uuid',
    '1',
    '-1',
    'null',
    '%00',
    '%E0%A4%A',
    '%',
    '..',
    '%2e%2e',
    '00000000-0000-0000-0000-00000000000g',
    '6f1c3c9e-1b2a-4c3d-8e4f-5a6b7c8d9e0f-x',
    'x'.repeat(3_000),
    '{id}',
    encodeURIComponent("'; drop table accounts; --"),
    encodeURIComponent('ñandú'),
  ),
  fc.string({ maxLength: 40 }).map(encodeURIComponent),
);
const BAD_QUERY_VALUES = fc.constantFrom(
  'abc',
  '-1',
  '0',
  '1.5',
  '1e400',
  '99999999999999999999',
  '',
  ' ',
  'null',
  '[]',
  '%',
  '%E0%A4%A',
  '2020-13',
  'x'.repeat(5_000),
);
const ODD_IF_MATCH = fc.constantFrom(
  'abc',
  '"abc"',
  'W/"1"',
  '*',
  '"-1"',
  '-5',
  '"99999999999999999999999"',
  '""',
  'W/',
  '"1", "2"',
  `"${'9'.repeat(1_000)}"`,
  '"1.5"',
  '"0x10"',
);
const MALFORMED_JSON = fc.oneof(
  fc.constantFrom('not json {', '{"a":', "{'a':1}", '{"a":1}}', '[1,2', '{"a":undefined}', 'NaN', '{"a":1,}'),
  fc.string({ minLength: 1, maxLength: 200 }).filter((text) => text.trim() !== '' && !parses(text)),
);
const OTHER_MEDIA_TYPES = fc.constantFrom(
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/xml',
  'text/json',
  'application/json-patch+json',
  undefined,
);

function parses(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/** An own, enumerable property even for `__proto__`, so that JSON.stringify writes the key. */
function withKey(object: Record<string, Json>, key: string, value: Json): Record<string, Json> {
  const copy = { ...object };
  Object.defineProperty(copy, key, { value, enumerable: true, writable: true, configurable: true });
  return copy;
}

const nested = (depth: number, array: boolean) =>
  array ? '['.repeat(depth) + ']'.repeat(depth) : '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);

/** A value shaped like the schema (not necessarily valid: faults make the request wrong anyway). */
export function plausible(schema: JsonSchema): fc.Arbitrary<Json> {
  if (schema.enum) return fc.constantFrom(...schema.enum);
  if (schema.format === 'uuid') return fc.uuid();
  switch (schema.type) {
    case 'string':
      return fc.oneof(
        fc.constantFrom('Acme', 'EUR', 'ana@example.com', '+34 600 000 000', '2026-12-31', 'rep-1'),
        fc.string({ maxLength: 20 }),
      );
    case 'integer':
      return fc.integer({ min: 0, max: 1_000 });
    case 'number':
      return fc.oneof(fc.integer({ min: 0, max: 1_000 }), fc.double({ min: 0, max: 1e6, noNaN: true }));
    case 'boolean':
      return fc.boolean();
    case 'array':
      return fc.array(plausible(schema.items ?? {}), { maxLength: 3 });
    default: {
      const properties = Object.entries(schema.properties ?? {});
      if (properties.length === 0) return fc.constant({});
      const model = Object.fromEntries(properties.map(([key, s]) => [key, plausible(s)]));
      return fc.record(model, { requiredKeys: (schema.required ?? []).filter((k) => k in model) });
    }
  }
}

/** A value of another type than the schema's (or outside its enum): never valid. */
function wrongFor(schema: JsonSchema): fc.Arbitrary<Json> {
  const scalars = fc.oneof(fc.integer(), fc.boolean(), fc.constant([]), fc.constant({ a: 1 }));
  if (schema.enum)
    return fc.oneof(
      scalars,
      fc.string().filter((s) => !schema.enum!.includes(s)),
    );
  if (schema.format === 'uuid') return fc.oneof(scalars, fc.constantFrom('not-a-uuid', '123'));
  switch (schema.type) {
    case 'string':
      return fc.oneof(fc.integer(), fc.boolean(), fc.constant([]), fc.constant({ a: 1 }), fc.double());
    case 'integer':
    case 'number':
      return fc.oneof(fc.constantFrom('12', 'abc', ''), fc.boolean(), fc.constant([]), fc.constant({}));
    case 'array':
      return fc.oneof(fc.constantFrom('abc', 12, true), fc.constant({ a: 1 }), fc.constant([[], [[]]]));
    default:
      return fc.oneof(fc.constantFrom('abc', 12, true), fc.constant([]), fc.constant([{}]));
  }
}

const json = (draft: Draft, body: string): Draft => ({
  ...draft,
  headers: { ...draft.headers, 'content-type': 'application/json' },
  body,
});
const parsedBody = (draft: Draft): Record<string, Json> =>
  typeof draft.body === 'string' && parses(draft.body) ? (JSON.parse(draft.body) ?? {}) : {};

/** Faults in the body, whether or not the operation takes one. */
function bodyFaults(schema: JsonSchema | undefined): fc.Arbitrary<Fault>[] {
  const properties = Object.entries(schema?.properties ?? {});
  const required = schema?.required ?? [];
  const property = properties.length > 0 ? fc.constantFrom(...properties) : undefined;
  const setProperty = (what: string, value: (s: JsonSchema) => fc.Arbitrary<Json>) =>
    property!.chain(([key, s]) =>
      value(s).map((v): Fault => (d) => ({
        ...json(d, JSON.stringify({ ...parsedBody(d), [key]: v })),
        fault: `body: ${what} ${key}`,
      })),
    );
  const faults: fc.Arbitrary<Fault>[] = [
    fc
      .tuple(
        fc.oneof(
          fc.string({ minLength: 1, maxLength: 20 }),
          fc.constantFrom('toString', 'valueOf', 'hasOwnProperty', '__defineGetter__'),
        ),
        fc.jsonValue({ maxDepth: 2 }),
      )
      .filter(([key]) => !FORBIDDEN_KEYS.includes(key) && !properties.some(([k]) => k === key))
      .map(([key, value]): Fault => (d) => ({
        ...json(d, JSON.stringify(withKey(parsedBody(d), key, value))),
        fault: `body: unknown key ${JSON.stringify(key)}`,
      })),
    fc
      .tuple(fc.constantFrom(...FORBIDDEN_KEYS), fc.boolean(), fc.jsonValue({ maxDepth: 1 }))
      .map(([key, inside, value]): Fault => (d) => {
        const body = parsedBody(d);
        const holder = properties[0]?.[0] ?? 'nested';
        const polluted = inside
          ? { ...body, [holder]: withKey({}, key, { polluted: value }) }
          : withKey(body, key, { polluted: value });
        return {
          ...json(d, JSON.stringify(polluted)),
          fault: `body: ${key}${inside ? ` in ${holder}` : ''}`,
        };
      }),
    fc.tuple(DEPTH, fc.boolean()).map(([depth, array]): Fault => (d) => ({
      ...json(
        d,
        JSON.stringify({ ...parsedBody(d), deep: '<deep>' }).replace('"<deep>"', nested(depth, array)),
      ),
      fault: `body: ${depth} deep`,
    })),
    MALFORMED_JSON.map((text): Fault => (d) => ({ ...json(d, text), fault: 'body: malformed JSON' })),
    OTHER_MEDIA_TYPES.map((type): Fault => (d) => {
      const text = typeof d.body === 'string' ? d.body : 'not json {';
      const form = type === 'application/x-www-form-urlencoded' ? 'name=Acme&kind=company' : text;
      const headers: Record<string, string> = { ...d.headers };
      delete headers['content-type'];
      if (type === undefined)
        return { ...d, headers, body: new TextEncoder().encode(text), fault: 'media type: none' };
      return {
        ...d,
        headers: { ...headers, 'content-type': type },
        body: form,
        fault: `media type: ${type}`,
      };
    }),
    fc.constantFrom('klingon', 'x-unknown', 'latin1').map((charset): Fault => (d) => ({
      ...d,
      headers: { ...d.headers, 'content-type': `application/json; charset=${charset}` },
      body: charset === 'latin1' ? 'not json {' : (d.body ?? '{}'),
      fault: `charset: ${charset}`,
    })),
    fc.constantFrom('gzip', 'br', 'compress').map((encoding): Fault => (d) => ({
      ...json(d, typeof d.body === 'string' ? d.body : '{"a":1}'),
      headers: { ...d.headers, 'content-type': 'application/json', 'content-encoding': encoding },
      fault: `encoding: ${encoding} (not encoded)`,
    })),
    OVERSIZED.map((size): Fault => (d) => ({
      ...json(d, JSON.stringify({ ...parsedBody(d), filler: 'x'.repeat(size) })),
      fault: `body: ${size} bytes`,
    })),
  ];
  if (!schema) {
    // A command without a body takes no fields at all.
    faults.push(
      fc.constant((d) => ({
        ...json(d, '{"ownerId":"rep-1"}'),
        fault: 'body: field on a body-less command',
      })),
    );
    return faults;
  }
  faults.push(
    fc
      .constantFrom('"x"', '1', 'true', '[]', '[{}]')
      .map((text): Fault => (d) => ({ ...json(d, text), fault: `body: ${text}` })),
  );
  if (property) {
    faults.push(
      setProperty('wrong type of', wrongFor),
      setProperty('null', () => fc.constant(null)),
    );
    // A string is faulty when longer than its schema allows: only fields that allow less than
    // every HUGE value (a long-text field such as an article body may take 100 kB).
    const strings = properties.filter(
      ([, s]) => s.type === 'string' && (typeof s.maxLength !== 'number' || s.maxLength < 5_001),
    );
    if (strings.length > 0)
      faults.push(
        fc.tuple(fc.constantFrom(...strings), HUGE).map(([[key], huge]): Fault => (d) => ({
          ...json(d, JSON.stringify({ ...parsedBody(d), [key]: huge })),
          fault: `body: huge ${key}`,
        })),
      );
  }
  if (required.length > 0)
    faults.push(
      fc.constantFrom(...required).map((key): Fault => (d) => {
        const { [key]: _removed, ...rest } = parsedBody(d);
        return { ...json(d, JSON.stringify(rest)), fault: `body: no ${key}` };
      }),
    );
  return faults;
}

/** Whether a bad id is bad for this parameter too: a name with a pattern or an enum may take some of them. */
function refusedBy(schema: JsonSchema | undefined, value: string): boolean {
  let decoded: string;
  try {
    decoded = decodeURIComponent(value);
  } catch {
    return true;
  }
  if (schema?.enum) return !schema.enum.includes(decoded);
  if (schema?.pattern) return !new RegExp(schema.pattern, 'u').test(decoded);
  return true;
}

function pathFault(route: Route): fc.Arbitrary<Fault> | undefined {
  if (route.pathParams.length === 0) return undefined;
  const faulty = fc
    .tuple(fc.constantFrom(...route.pathParams), BAD_IDS)
    .filter(([name, bad]) => refusedBy(route.pathSchemas[name], bad));
  return faulty.map(([name, bad]): Fault => (d) => ({
    ...d,
    path: replaceParam(route, d.path, name, bad),
    fault: `path: ${name}=${bad.slice(0, 40)}`,
  }));
}

/** The concrete path with one parameter's value swapped, found by its position in the template. */
function replaceParam(route: Route, path: string, name: string, value: string): string {
  const template = route.path.split('/');
  const segments = path.split('/');
  return segments.map((segment, i) => (template[i] === `{${name}}` ? value : segment)).join('/');
}

function queryFault(route: Route): fc.Arbitrary<Fault> | undefined {
  if (route.query.length === 0) return undefined;
  const names = fc.oneof(
    fc.constantFrom(...route.query.map((q) => q.name)),
    fc.constantFrom('unknown', 'page[x]'),
  );
  return fc
    .tuple(names, fc.array(BAD_QUERY_VALUES, { minLength: 1, maxLength: 2 }))
    .map(([name, values]): Fault => (d) => {
      const query = values.map((v) => `${encodeURIComponent(name)}=${v}`).join('&');
      return { ...d, path: `${d.path}?${query}`, fault: `query: ${name}=${values.join(',').slice(0, 40)}` };
    });
}

/**
 * Requests to one operation: a plausible draft plus at least one fault (commands) or none
 * (queries); for an operation that needs a token, one in ten carries a bad one instead.
 */
export function requestsFor(route: Route): fc.Arbitrary<FuzzRequest> {
  const ids = fc.array(fc.uuid(), { minLength: route.pathParams.length, maxLength: route.pathParams.length });
  const body = route.body ? plausible(route.body).map((b) => JSON.stringify(b)) : fc.constant(undefined);
  const draft = fc.tuple(ids, body).map(([values, text]): Draft => {
    let path = route.path;
    route.pathParams.forEach((name, i) => (path = path.replace(`{${name}}`, values[i])));
    const headers: Record<string, string> = text === undefined ? {} : { 'content-type': 'application/json' };
    return {
      method: route.method,
      path,
      headers,
      ...(text === undefined ? {} : { body: text }),
      fault: 'none: random ids',
    };
  });
  const faults = route.command
    ? [...bodyFaults(route.body), pathFault(route)]
    : [pathFault(route), queryFault(route)];
  const chosen = faults.filter((f): f is fc.Arbitrary<Fault> => f !== undefined);
  // An unknown id is itself a fault for a command on an existing aggregate (a 404), not for one
  // that sets whatever its path names.
  const unknownIdFault = route.pathParams.length > 0 && !route.upsert;
  const fault = fc.oneof(
    ...chosen,
    ...(unknownIdFault || !route.command ? [fc.constant((d: Draft) => d)] : []),
  );
  const faulty = fc.tuple(draft, fault, fc.option(ODD_IF_MATCH, { freq: 4 })).map(([d, apply, ifMatch]) => {
    const faulty = apply(d);
    return {
      ...faulty,
      route: `${route.method} ${route.path}`,
      headers: { ...faulty.headers, ...(ifMatch === null ? {} : { 'if-match': ifMatch }) },
      fault: ifMatch === null ? faulty.fault : `${faulty.fault}; If-Match ${ifMatch.slice(0, 20)}`,
      mustRefuse: route.command,
    };
  });
  if (route.public) return faulty;
  return fc.oneof(
    { arbitrary: faulty, weight: 9 },
    { arbitrary: withoutValidToken(`${route.method} ${route.path}`, draft), weight: 1 },
  );
}
