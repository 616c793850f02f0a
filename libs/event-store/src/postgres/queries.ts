import type { EventMetadata } from '@crm/contracts';
import type { RecordedEvent } from '../event-store.port';

/** A named (server-side prepared) statement; the name carries the schema so two stores can share a pool. */
export interface Statement {
  name: string;
  text: string;
}

export interface Statements {
  append: Statement;
  readStreamForwards: Statement;
  readStreamBackwards: Statement;
  readAll: Statement;
  fence: Statement;
}

// Output names must differ from the table's column names: ORDER BY binds a bare name to an output
// column first, so aliasing `transaction_id::text as transaction_id` once made readAll sort xids as
// text ('10000' < '9622') and skip every event of a batch that spanned a power of ten.
const columns = `e.global_position, e.transaction_id::text as commit_text, e.stream_id, e.revision, e.event_id, e.type, e.data, e.metadata, e.recorded_at`;

/** SQL of the store for one schema. `schema` is the raw name (validated); `quoted` its quoted identifier. */
export function statements(schema: string, quoted: string): Statements {
  const name = (what: string): string => `es:${schema}:${what}`;
  return {
    append: {
      name: name('append'),
      text: `select o_status, o_revision, o_commit, o_prepare from ${quoted}.es_append($1, $2, $3::uuid[], $4::text[], $5::jsonb[], $6::jsonb[], $7)`,
    },
    readStreamForwards: {
      name: name('stream-fwd'),
      text: `select ${columns} from ${quoted}.es_events e where e.stream_id = $1 and e.revision >= $2 order by e.revision limit $3`,
    },
    readStreamBackwards: {
      name: name('stream-bwd'),
      text: `select ${columns} from ${quoted}.es_events e where e.stream_id = $1 and e.revision <= $2 order by e.revision desc limit $3`,
    },
    // The fence: only transactions below the oldest one still running (pg_snapshot_xmin) are read, and
    // in (transaction id, sequence) order. Everything below the fence has committed or aborted, so no
    // event can later appear behind a position a reader has already passed, which a plain sequence
    // order cannot promise (sequence numbers are taken at insert time, not at commit time).
    readAll: {
      name: name('all'),
      text: `select ${columns} from ${quoted}.es_events e
        where (e.transaction_id, e.global_position) > ($1::xid8, $2::bigint)
          and e.transaction_id < pg_snapshot_xmin(pg_current_snapshot())
        order by e.transaction_id, e.global_position limit $3`,
    },
    // What the fence holds back and who holds it: the running transaction whose id is the fence.
    fence: {
      name: name('fence'),
      text: `with f as (select pg_snapshot_xmin(pg_current_snapshot()) as fence)
        select (select count(*) from ${quoted}.es_events e where e.transaction_id >= f.fence)::int as held,
               a.pid, a.datname, a.application_name, a.state, f.fence::text as fence,
               extract(epoch from now() - a.xact_start)::float8 as age
          from f left join pg_stat_activity a on a.backend_xid = xid(f.fence)`,
    },
  };
}

export interface EventRow {
  global_position: string | number;
  commit_text: string;
  stream_id: string;
  revision: string | number;
  event_id: string;
  type: string;
  data: unknown;
  metadata: EventMetadata;
  recorded_at: Date | string;
}

export function toRecordedEvent(row: EventRow): RecordedEvent {
  return {
    id: row.event_id,
    type: row.type,
    streamId: row.stream_id,
    revision: Number(row.revision),
    position: { commit: BigInt(row.commit_text), prepare: BigInt(row.global_position) },
    data: row.data,
    metadata: row.metadata,
    recordedAt: row.recorded_at instanceof Date ? row.recorded_at : new Date(row.recorded_at),
  };
}
