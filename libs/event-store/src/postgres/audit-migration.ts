/**
 * Migration 2 of the PostgreSQL event store: the tamper-evident audit trail.
 *
 * - Every event row gets `prev_hash` and `hash`: hash = sha256(prev_hash || encoding of the event),
 *   prev_hash = the hash of the stream's previous revision, or 32 zero bytes for revision 0. The
 *   encoding (identical in `src/audit/audit-chain.ts`, which recomputes it outside the database):
 *   field(stream_id) || int8(revision) || uuid(event_id) || field(type) || field(data::text) ||
 *   field(metadata::text) || timestamptz_send(recorded_at), where field(t) is the 4-byte length of
 *   t in UTF-8 followed by those bytes. `jsonb::text` is canonical (keys sorted, one spacing), and
 *   every part is binary or length-prefixed, so no two events share an encoding.
 * - A BEFORE INSERT trigger computes both, so es_append (migration 1) stays as it is: still one
 *   round trip, its per-stream advisory lock serialises the writers of a stream, and the trigger
 *   reads the predecessor's hash through the (stream_id, revision) index. Rows inserted earlier by
 *   the same statement are visible to a row trigger, so a multi-event append chains in order. An
 *   insert that skips a revision is refused (ES002): a chain has no holes.
 * - Existing rows are hashed stream by stream, in revision order.
 * - Seals (`es_audit_seals`, `es_audit_sealed_heads`): what `audit:verify --seal` records, the head
 *   (revision, hash) of every stream that moved since the previous seal, and a digest chained to
 *   the previous seal's. A seal detects what a per-stream chain cannot: a deleted last event or a
 *   deleted whole stream. `unique (prev_digest)`: the seals form one chain, never a fork.
 * - The audit trail's indexes: per customer and per actor, in recording order.
 */
const GENESIS = `decode(repeat('00', 32), 'hex')`;

const hashing = (s: string): string => `
create function ${s}.es_hash_field(p text) returns bytea
  language sql stable strict parallel safe
  as $$ select int4send(octet_length(convert_to(p, 'UTF8'))) || convert_to(p, 'UTF8') $$;

create function ${s}.es_event_hash(
  p_prev bytea, p_stream_id text, p_revision bigint, p_event_id uuid, p_type text,
  p_data jsonb, p_metadata jsonb, p_recorded_at timestamptz
) returns bytea language sql stable strict parallel safe as $$
  select sha256(p_prev || ${s}.es_hash_field(p_stream_id) || int8send(p_revision) || uuid_send(p_event_id)
    || ${s}.es_hash_field(p_type) || ${s}.es_hash_field(p_data::text) || ${s}.es_hash_field(p_metadata::text)
    || timestamptz_send(p_recorded_at))
$$;
`;

const chain = (s: string): string => `
alter table ${s}.es_events add column prev_hash bytea, add column hash bytea;

do $backfill$
declare
  r record;
  v_stream text;
  v_prev bytea;
  v_hash bytea;
begin
  for r in select e.global_position, e.stream_id, e.revision, e.event_id, e.type, e.data, e.metadata, e.recorded_at
             from ${s}.es_events e order by e.stream_id, e.revision loop
    if v_stream is distinct from r.stream_id then
      v_stream := r.stream_id;
      v_prev := ${GENESIS};
    end if;
    v_hash := ${s}.es_event_hash(v_prev, r.stream_id, r.revision, r.event_id, r.type, r.data, r.metadata, r.recorded_at);
    update ${s}.es_events set prev_hash = v_prev, hash = v_hash where global_position = r.global_position;
    v_prev := v_hash;
  end loop;
end
$backfill$;

alter table ${s}.es_events alter column prev_hash set not null, alter column hash set not null;

create function ${s}.es_chain_event() returns trigger language plpgsql as $fn$
begin
  if new.revision = 0 then
    new.prev_hash := ${GENESIS};
  else
    select e.hash into new.prev_hash from ${s}.es_events e
      where e.stream_id = new.stream_id and e.revision = new.revision - 1;
    if not found then
      raise exception 'stream % has no revision % to chain event % to', new.stream_id, new.revision - 1, new.event_id
        using errcode = 'ES002';
    end if;
  end if;
  new.hash := ${s}.es_event_hash(new.prev_hash, new.stream_id, new.revision, new.event_id, new.type, new.data,
    new.metadata, new.recorded_at);
  return new;
end
$fn$;

create trigger es_events_chain before insert on ${s}.es_events
  for each row execute function ${s}.es_chain_event();
`;

const seals = (s: string): string => `
create table ${s}.es_audit_seals (
  seal_id bigint primary key,
  sealed_at timestamptz not null default now(),
  events bigint not null,
  streams bigint not null,
  prev_digest bytea not null unique,
  digest bytea not null
);

create table ${s}.es_audit_sealed_heads (
  seal_id bigint not null references ${s}.es_audit_seals,
  stream_id text not null,
  revision bigint not null,
  hash bytea not null,
  primary key (seal_id, stream_id)
);
`;

// Newest first per customer or actor: an equality on the key, then a backward range scan.
const auditIndexes = (s: string): string => `
create index es_events_audit_customer on ${s}.es_events ((metadata->>'customerId'), recorded_at, global_position);
create index es_events_audit_actor on ${s}.es_events ((metadata->>'actor'), recorded_at, global_position)
  where metadata->>'actor' is not null;
`;

export const auditMigration = (s: string): string => hashing(s) + chain(s) + seals(s) + auditIndexes(s);
