import { auditMigration } from './audit-migration';

/**
 * Versioned schema migrations of the PostgreSQL event store, kept in code so that every service
 * carries exactly the schema it was built against. Never edit a released migration: add a new one.
 * `schema` is an already quoted identifier.
 */
export interface Migration {
  version: number;
  name: string;
  sql: (schema: string) => string;
}

const tables = (s: string): string => `
create table ${s}.es_events (
  global_position bigserial primary key,
  transaction_id xid8 not null default pg_current_xact_id(),
  stream_id text not null,
  revision bigint not null,
  event_id uuid not null unique,
  type text not null,
  data jsonb not null,
  metadata jsonb not null,
  recorded_at timestamptz not null default now(),
  unique (stream_id, revision)
);

-- The global read order: transaction id first, so that a reader fenced below the oldest running
-- transaction never passes an event that commits later (see PostgresEventStore.readAll).
create index es_events_transaction_order on ${s}.es_events (transaction_id, global_position);
`;

/**
 * es_append: the whole append in one call (one round trip).
 *
 * Returns (status, revision, commit, prepare): 'ok' with the stream's new last revision and the
 * position (transaction id, sequence) of the last event written, 'idempotent' with the stream's
 * current revision when every id was already in the stream (nothing written, expected revision not
 * checked), or 'conflict' with the actual revision (-1: no stream). Ids already in the stream are
 * dropped and only the rest appended. Raises SQLSTATE ES001 when an id is recorded in another stream,
 * and 40001 if the previous event of the stream has a larger transaction id than this one (committing
 * would put this event before its predecessor in the global order; the caller retries in a new
 * transaction). Writers of a stream are serialised by a transaction-scoped advisory lock taken before
 * the first write, so the 40001 path is a safety net for callers running es_append inside their own
 * transaction.
 */
const appendFunction = (s: string): string => `
create or replace function ${s}.es_append(
  p_stream_id text,
  p_expected text,
  p_ids uuid[],
  p_types text[],
  p_data jsonb[],
  p_metadata jsonb[],
  p_check_ids boolean default false,
  out o_status text,
  out o_revision bigint,
  out o_commit text,
  out o_prepare bigint
) language plpgsql as $fn$
declare
  v_all_ids uuid[] := p_ids;
  v_total int := cardinality(p_ids);
  v_present int;
  v_elsewhere text;
  v_count int;
  v_last bigint;
  v_current bigint;
  v_prev_tx xid8;
begin
  -- Which ids are already recorded. An exact or no-stream append of new ids skips this lookup: a
  -- retry of one that succeeded finds the stream moved on and is recognised below, and an id
  -- recorded anywhere else fails the insert (unique event_id), whereupon the caller retries with
  -- p_check_ids to get the full answer.
  v_present := 0;
  if p_check_ids or p_expected in ('any', 'stream_exists') then
    select count(*) filter (where e.stream_id = p_stream_id), min(e.stream_id) filter (where e.stream_id <> p_stream_id)
      into v_present, v_elsewhere
      from ${s}.es_events e where e.event_id = any (p_ids);
    if v_elsewhere is not null then
      raise exception 'event id already recorded in stream %', v_elsewhere using errcode = 'ES001';
    end if;
    if v_present = v_total then
      o_status := 'idempotent';
      select max(e.revision) into o_revision from ${s}.es_events e where e.stream_id = p_stream_id;
      return;
    end if;
    if v_present > 0 then
      select array_agg(u.id order by u.ord), array_agg(u.type order by u.ord),
             array_agg(u.data order by u.ord), array_agg(u.metadata order by u.ord)
        into p_ids, p_types, p_data, p_metadata
        from unnest(p_ids, p_types, p_data, p_metadata) with ordinality as u(id, type, data, metadata, ord)
        where not exists (select 1 from ${s}.es_events e where e.event_id = u.id);
    end if;
  end if;
  v_count := cardinality(p_ids);

  -- Writers of one stream queue here, before any of them has a transaction id (a transaction takes
  -- one at its first write, and a row-lock waiter may already hold one). So a writer's id is larger
  -- than that of every writer before it in the stream, and the global order follows stream order.
  perform pg_advisory_xact_lock(hashtextextended('${s}/' || p_stream_id, 0));

  -- Optimistic concurrency, under that lock: the stream's last event is its revision.
  select e.revision, e.transaction_id into v_current, v_prev_tx from ${s}.es_events e
    where e.stream_id = p_stream_id order by e.revision desc limit 1;
  v_current := coalesce(v_current, -1);
  if (p_expected = 'no_stream' and v_current <> -1)
     or (p_expected = 'stream_exists' and v_current = -1)
     or (p_expected not in ('no_stream', 'stream_exists', 'any') and v_current <> p_expected::bigint) then
    -- The winner of the race may have been a twin of this very append (a retry): then it is a replay.
    select count(*) into v_present from ${s}.es_events e
      where e.event_id = any (v_all_ids) and e.stream_id = p_stream_id;
    o_revision := v_current;
    o_status := case when v_present = v_total then 'idempotent' else 'conflict' end;
    return;
  end if;
  v_last := v_current + v_count;

  -- Safety net for what the lock above cannot order (a caller's transaction that took its id before
  -- calling): never commit an event behind its predecessor in the global order.
  if v_prev_tx > pg_current_xact_id() then
    raise exception 'stream % was appended to by a later transaction', p_stream_id using errcode = '40001';
  end if;

  with inserted as (
    insert into ${s}.es_events (stream_id, revision, event_id, type, data, metadata)
      select p_stream_id, v_last - v_count + u.ord, u.id, u.type, u.data, u.metadata
        from unnest(p_ids, p_types, p_data, p_metadata) with ordinality as u(id, type, data, metadata, ord)
        order by u.ord
      returning global_position
  )
  select max(global_position) into o_prepare from inserted;
  o_status := 'ok';
  o_revision := v_last;
  o_commit := pg_current_xact_id()::text;
end
$fn$;
`;

export const migrations: readonly Migration[] = [
  { version: 1, name: 'streams, events and es_append', sql: (s) => tables(s) + appendFunction(s) },
  { version: 2, name: 'audit: hash chain, seals, audit indexes', sql: auditMigration },
];
