import { qualified, rowsOf } from './sql';
import type { Sql } from './projector';

/**
 * Versioned tables (SCD type 2) whose versions are valid over [valid_from, valid_to), built from
 * partial changes that may arrive in any order (events of one customer come in order per topic,
 * not across topics).
 *
 * Every change is kept in `<table>_change (key, at, event_id, changes jsonb)`; after each batch of
 * changes the versions of the keys they changed are derived again from all of their changes, in SQL:
 * - changes are folded in time order (`at`, then `event_id` for equal instants, so the result does
 *   not depend on the order they arrived in): a column takes its latest value (`keep: 'last'`) or
 *   its first one (`keep: 'first'`, e.g. a cohort);
 * - one version per instant (changes at the same instant merge);
 * - a version whose values equal the previous version's is no version (no-op changes are dropped);
 * - each version is valid until the next one starts; the last one is open (valid_to null).
 * An event arriving late (earlier than the open version) thus splits the interval it falls into,
 * and later versions that did not set a column themselves inherit its new value.
 */
export interface VersionedColumn {
  readonly name: string;
  /** PostgreSQL type the JSON value is cast to (text, numeric, uuid, timestamptz, integer, ...). */
  readonly type: string;
  readonly keep?: 'last' | 'first';
}

export interface VersionedTable {
  readonly table: string;
  /** The key column (one entity). */
  readonly key: string;
  readonly keyType: string;
  readonly columns: readonly VersionedColumn[];
}

/** Values of a change: only the columns it sets (null sets a column to null). */
export type Changes = Record<string, string | number | boolean | null>;

/** The aggregate that merges jsonb objects (later keys win), used by the fold. */
const merge = (schema: string) => qualified(schema, 'jsonb_merge');

export function versionedTableDdl(schema: string, spec: VersionedTable): string[] {
  const { table, key, keyType, columns } = spec;
  const names = columns.map((c) => c.name);
  const unknown = names.filter((n) => !/^[a-z_]+$/.test(n));
  if (unknown.length > 0) throw new Error(`versioned ${table}: bad column names ${unknown.join(', ')}`);
  return [
    `create or replace aggregate ${merge(schema)}(jsonb) (sfunc = jsonb_concat, stype = jsonb, initcond = '{}')`,
    `create table if not exists ${qualified(schema, `${table}_change`)} (
       ${key} ${keyType} not null,
       at timestamptz not null,
       event_id text not null,
       changes jsonb not null,
       primary key (${key}, at, event_id))`,
    `create table if not exists ${qualified(schema, table)} (
       ${key} ${keyType} not null,
       valid_from timestamptz not null,
       valid_to timestamptz,
       ${columns.map((c) => `${c.name} ${c.type}`).join(',\n       ')},
       primary key (${key}, valid_from),
       check (valid_to is null or valid_to > valid_from))`,
    `create index if not exists ${table}_validity on ${qualified(schema, table)} (valid_from, valid_to)`,
  ];
}

/** One change of a key at an instant, by an event. */
export interface Change {
  key: string;
  at: string;
  eventId: string;
  changes: Changes;
}

/**
 * Records changes of a table (a batch's, any keys) and derives the versions of the keys that got a
 * new change again (module comment): one statement records them and drops those keys' versions,
 * one derives the versions of all of them. A redelivered change is no new change: its key's
 * versions stay as they are.
 */
export async function recordChanges(
  db: Sql,
  schema: string,
  spec: VersionedTable,
  changes: readonly Change[],
): Promise<void> {
  if (changes.length === 0) return;
  const { table, columns, keyType } = spec;
  const k = spec.key;
  const changeTable = qualified(schema, `${table}_change`);
  const target = qualified(schema, table);
  const rows = changes.map((c) => ({ key: c.key, at: c.at, event_id: c.eventId, changes: c.changes }));
  const keys = rowsOf<{ key: string }>(
    await db.query(
      `with recorded as (
         insert into ${changeTable} (${k}, at, event_id, changes)
         select key, at, event_id, changes
           from jsonb_to_recordset($1::jsonb) as x(key ${keyType}, at timestamptz, event_id text, changes jsonb)
         on conflict do nothing returning ${k} as key),
       dropped as (delete from ${target} where ${k} in (select key from recorded))
       select distinct key from recorded`,
      [JSON.stringify(rows)],
    ),
  ).map((r) => r.key);
  if (keys.length === 0) return;
  const firsts = columns.filter((c) => c.keep === 'first');
  const firstValues = firsts.map(
    (c) => `'${c.name}', (array_agg(changes -> '${c.name}') filter (where changes ? '${c.name}') over w)[1]`,
  );
  const folded =
    firsts.length > 0
      ? `${merge(schema)}(changes) over w || jsonb_build_object(${firstValues.join(', ')})`
      : `${merge(schema)}(changes) over w`;
  const typed = columns.map((c) => `(v ->> '${c.name}')::${c.type}`);
  await db.query(
    `insert into ${target} (${k}, valid_from, valid_to, ${columns.map((c) => c.name).join(', ')})
     select key, at, lead(at) over (partition by key order by at), ${typed.join(', ')}
       from (select key, at, v, v is distinct from lag(v) over (partition by key order by at) as changed
               from (select distinct on (key, at) key, at, v
                       from (select ${k} as key, at, event_id, ${folded} as v
                               from ${changeTable} where ${k} = any($1::${keyType}[])
                             window w as (partition by ${k} order by at, event_id)) folded
                      order by key, at, event_id desc) per_instant) versions
      where changed`,
    [keys],
  );
}
