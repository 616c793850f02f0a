import type { JsonSchema, PublishedSchemas } from './published-schemas';

/** A change to a published (type, version) that breaks its readers. */
export interface BreakingChange {
  type: string;
  version: string;
  /** Where in the payload: `/profile/name`, `/lines[]/quantity`, `/` for the whole payload. */
  path: string;
  change: string;
}

/** `LeadConverted v1 /score: retyped from number to string`. */
export function describeBreakingChange(c: BreakingChange): string {
  return `${c.type} v${c.version} ${c.path}: ${c.change}`;
}

/**
 * Keywords that document and never decide what is valid. `x-personal-data` is one: the field's
 * type and rules stay; its value travels sealed with the customer's key and the platform's readers
 * (the CRM events transport) hand it to handlers open, as before. It was added to published
 * versions before the platform's first release (no store outside our tests held their events).
 */
const ANNOTATIONS = new Set([
  'title',
  'description',
  'examples',
  'default',
  '$comment',
  'deprecated',
  'x-personal-data',
]);
/** Keywords with rules of their own below; any other keyword must not change at all. */
const STRUCTURAL = new Set(['type', 'properties', 'required', 'additionalProperties', 'items', 'enum']);

type Report = (change: string, path: string) => void;
const json = (value: unknown) => (value === undefined ? 'none' : JSON.stringify(value));
const isSchema = (value: unknown): value is JsonSchema =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const typeName = (type: unknown) => (type === undefined ? 'any' : ([] as unknown[]).concat(type).join('|'));
const join = (path: string, name: string) => (path === '/' ? `/${name}` : `${path}/${name}`);

/** Fields removed, retyped or newly required, and the schemas of fields and items, recursively. */
function compareStructure(published: JsonSchema, current: JsonSchema, path: string, report: Report) {
  if (json(published.type) !== json(current.type))
    report(`retyped from ${typeName(published.type)} to ${typeName(current.type)}`, path);
  const pProps = isSchema(published.properties) ? published.properties : {};
  const cProps = isSchema(current.properties) ? current.properties : {};
  for (const [name, schema] of Object.entries(pProps)) {
    if (!Object.hasOwn(cProps, name)) report('removed', join(path, name));
    else compare(schema as JsonSchema, cProps[name] as JsonSchema, join(path, name), report);
  }
  const [pRequired, cRequired] = [published.required ?? [], current.required ?? []] as string[][];
  for (const name of cRequired)
    if (!pRequired.includes(name))
      report(Object.hasOwn(pProps, name) ? 'became required' : 'new required field', join(path, name));
  for (const name of pRequired)
    if (!cRequired.includes(name) && Object.hasOwn(cProps, name))
      report('no longer required', join(path, name));

  const [pExtra, cExtra] = [published.additionalProperties, current.additionalProperties];
  if (cExtra === false && pExtra !== false)
    report('closed to fields it does not list (additionalProperties: false)', path);
  else if (isSchema(pExtra) || isSchema(cExtra))
    compare(isSchema(pExtra) ? pExtra : {}, isSchema(cExtra) ? cExtra : {}, join(path, '*'), report);
  if (isSchema(published.items) || isSchema(current.items))
    compare(
      isSchema(published.items) ? published.items : {},
      isSchema(current.items) ? current.items : {},
      `${path}[]`,
      report,
    );
}

/**
 * What in `current` breaks readers of `published` at `path`. A reader is code written against the
 * published schema, and topics keep every event ever published, so new readers meet old data too.
 * A published version only ever gains optional fields and enum values; so, breaking:
 * - a field removed, retyped (also integer → number), newly required or no longer required;
 * - an enum value removed, or the enum dropped;
 * - `additionalProperties` closed;
 * - any change to any other keyword that decides validity (`format`, `pattern`, `const`, bounds,
 *   `multipleOf`, `patternProperties`, `anyOf`, ...), tightened or relaxed: a reader may rely on it.
 * Compatible (the snapshot is updated): an optional field added, an enum value added, annotations
 * (`description`, `title`, `examples`, ...) changed, a new version, a new event type.
 */
function compare(published: JsonSchema, current: JsonSchema, path: string, report: Report) {
  compareStructure(published, current, path, report);
  if (Array.isArray(published.enum)) {
    if (!Array.isArray(current.enum)) report(`no longer restricted to ${json(published.enum)}`, path);
    else
      for (const value of published.enum)
        if (!current.enum.some((v) => json(v) === json(value)))
          report(`enum value ${json(value)} removed`, path);
  } else if (Array.isArray(current.enum)) report(`restricted to ${json(current.enum)}`, path);
  for (const keyword of new Set([...Object.keys(published), ...Object.keys(current)]))
    if (
      !ANNOTATIONS.has(keyword) &&
      !STRUCTURAL.has(keyword) &&
      json(published[keyword]) !== json(current[keyword])
    )
      report(`${keyword} changed from ${json(published[keyword])} to ${json(current[keyword])}`, path);
}

/**
 * Every breaking change from the `published` snapshot to the `current` schemas, in snapshot order.
 * A published version that is gone is breaking too; new versions and new types are additions.
 */
export function breakingChanges(published: PublishedSchemas, current: PublishedSchemas): BreakingChange[] {
  const changes: BreakingChange[] = [];
  for (const [type, versions] of Object.entries(published)) {
    for (const [version, schema] of Object.entries(versions)) {
      const now = current[type]?.[version];
      if (!now) {
        changes.push({ type, version, path: '/', change: 'published version removed from the contracts' });
        continue;
      }
      compare(schema, now, '/', (change, path) => changes.push({ type, version, path, change }));
    }
  }
  return changes;
}
