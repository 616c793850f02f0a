import type { Static, TSchema } from '@sinclair/typebox';
import { parseCloudEventType } from '../cloudevents';
import { assertFits, contractViolation } from './contract-violation';

/** The schema of each version of one event type: `{ 1: LeadConvertedV1, 2: LeadConvertedV2 }`. */
export type SchemaVersions = { readonly [version: number]: TSchema };

/** Event types, each with the schemas of its versions. */
export type EventContractSet = { readonly [type: string]: SchemaVersions };

type SchemaData<S> = S extends TSchema ? Static<S> : never;

/** `NextVersion[n]` is n + 1 (versions up to 20). */
type NextVersion = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21];

/** The newest version of an event type: the version whose next one the contracts do not have. */
export type LatestVersion<V> = {
  [N in keyof V]: N extends keyof NextVersion ? (NextVersion[N] extends keyof V ? never : N) : never;
}[keyof V];

/**
 * Functions that turn the data of one version of an event type into the data of the next version
 * the contracts know: `{ LeadConverted: { 1: (v1) => v2 } }`. Pure: they return new data and never
 * change their argument (they are given a copy all the same).
 */
export type Upcasters<C extends EventContractSet> = {
  readonly [K in keyof C]?: { readonly [V in keyof C[K]]?: (data: SchemaData<C[K][V]>) => unknown };
};

/** An event whose data passed its contract, in the newest version of its type the reader knows. */
export type ParsedEventOf<C extends EventContractSet> = {
  [K in keyof C & string]: {
    /** The context of the CloudEvent type (`crm.<context>.<Type>.v<n>`). */
    context: string;
    type: K;
    schemaVersion: LatestVersion<C[K]>;
    data: SchemaData<C[K][LatestVersion<C[K]>]>;
  };
}[keyof C & string];

export interface EventParserOptions<C extends EventContractSet> {
  contracts: C;
  /** The contexts that publish each event type; an event from any other context is not read. */
  publishers: Readonly<Record<string, readonly string[]>>;
  upcasters?: Upcasters<C>;
}

/** The versions of a type, oldest first. */
function versionsOf(versions: SchemaVersions): number[] {
  return Object.keys(versions)
    .map(Number)
    .sort((a, b) => a - b);
}

type Step = (data: unknown) => unknown;

/** Per type, its versions oldest first, each with the step to the next (none for the newest). */
function upcastPaths<C extends EventContractSet>(
  options: Pick<EventParserOptions<C>, 'contracts' | 'upcasters'>,
) {
  const paths = new Map<string, { version: number; step?: Step }[]>();
  for (const [type, versions] of Object.entries(options.contracts)) {
    const registered = (options.upcasters?.[type] ?? {}) as Readonly<Record<number, Step | undefined>>;
    const known = versionsOf(versions);
    paths.set(
      type,
      known.map((version, i) => {
        if (i === known.length - 1) return { version };
        const step = registered[version];
        if (!step) throw new Error(`${type} v${version} has no upcaster to v${known[i + 1]}`);
        return { version, step };
      }),
    );
  }
  return paths;
}

/**
 * Turns the data of any known version of an event type into the data of its newest version, step by
 * step (a copy: the argument is never changed). Data of the newest version, and of a type outside
 * the contracts, is answered as it is. For events a service reads back from its own store, which
 * were checked against their version's schema when they were appended; readers of a topic use the
 * parser below, which checks before and after.
 */
export function createUpcaster<C extends EventContractSet>(
  options: Pick<EventParserOptions<C>, 'contracts' | 'upcasters'>,
): (type: string, schemaVersion: number, data: unknown) => unknown {
  const paths = upcastPaths(options);
  return (type, schemaVersion, data) => {
    const path = paths.get(type);
    if (!path) return data;
    const from = path.findIndex((p) => p.version === schemaVersion);
    if (from === -1 || from === path.length - 1) return data;
    let upcast = structuredClone(data);
    for (const { step } of path.slice(from, -1)) upcast = step!(upcast);
    return upcast;
  };
}

/**
 * A reader of events (CloudEvents, or anything with `type` and `data`) through `contracts`. It
 * answers the typed event in the newest version of its type: data of an older version is checked
 * against the schema of its own version, upcast step by step, and the result checked against the
 * newest schema. `undefined` for a type outside the contracts (unknown, foreign, or from a context
 * that does not publish it). Throws a `ContractViolationError` for a version the contracts do not
 * know (e.g. newer than the reader) and for data that does not fit: an event a consumer cannot read
 * is never silently skipped. Throws at once when an older version has no upcaster.
 */
export function createEventParser<C extends EventContractSet>(
  options: EventParserOptions<C>,
): (event: { type: string; data: unknown }) => ParsedEventOf<C> | undefined {
  const paths = upcastPaths(options);
  const upcast = createUpcaster(options);
  const { contracts, publishers } = options;
  return (event) => {
    const parsed = parseCloudEventType(event.type);
    if (!parsed) return undefined;
    const { context, eventType: type, schemaVersion } = parsed;
    if (!Object.hasOwn(contracts, type) || !publishers[type]?.includes(context)) return undefined;
    const versions = contracts[type];
    if (!Object.hasOwn(versions, schemaVersion))
      throw contractViolation(`${type} has no schema version ${schemaVersion}`);
    assertFits(versions[schemaVersion], `${type} v${schemaVersion}`, event.data);
    const path = paths.get(type)!;
    const latest = path[path.length - 1].version;
    const data = upcast(type, schemaVersion, event.data);
    if (schemaVersion !== latest)
      assertFits(versions[latest], `${type} v${schemaVersion} upcast to v${latest}`, data);
    // Checked against the schema of the newest version of exactly this type just above.
    return { context, type, schemaVersion: latest, data } as ParsedEventOf<C>;
  };
}
