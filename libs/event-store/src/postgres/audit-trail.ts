import {
  InvalidAuditQueryError,
  type AuditTrailEntry,
  type AuditTrailPage,
  type AuditTrailQuery,
} from '../event-store.port';
import type { Statement } from './queries';

const DEFAULT_LIMIT = 100;
const MAX_LIMIT = 1000;
/** The global position of the last entry of the previous page (within bigint's range). */
const CURSOR = /^\d{1,18}$/;

export interface AuditRow {
  position: string;
  event_id: string;
  type: string;
  stream_id: string;
  revision: string;
  recorded_at: Date;
  occurred_at: string | null;
  customer_id: string | null;
  actor: string | null;
  correlation_id: string | null;
  causation_id: string | null;
}

/**
 * The audit trail query of one store: newest first by (recorded_at, global_position), through the
 * per-customer or per-actor index of migration 2 (the other filter, when both are given, is
 * checked on the rows). Keyset paging: a page starts strictly before the cursor.
 */
export function auditTrailStatement(
  schema: string,
  quoted: string,
  query: AuditTrailQuery,
): Statement & { values: unknown[] } {
  const limit = query.limit ?? DEFAULT_LIMIT;
  if (!Number.isSafeInteger(limit) || limit < 1 || limit > MAX_LIMIT)
    throw new InvalidAuditQueryError('limit', `limit must be an integer from 1 to ${MAX_LIMIT}`);
  if (query.cursor !== undefined && !CURSOR.test(query.cursor))
    throw new InvalidAuditQueryError('cursor', 'cursor must be the `next` of a page');
  const filters: string[] = [];
  const values: unknown[] = [];
  const by: string[] = [];
  for (const [key, value] of [
    ['customerId', query.customerId],
    ['actor', query.actor],
  ] as const) {
    if (value === undefined) continue;
    values.push(value);
    filters.push(`e.metadata->>'${key}' = $${values.length}`);
    by.push(key);
  }
  if (filters.length === 0)
    throw new InvalidAuditQueryError('customerId', 'the audit trail is read per customerId and/or actor');
  const at = (value: unknown) => `$${values.push(value)}`;
  const from = at(query.from?.toISOString() ?? null);
  const to = at(query.to?.toISOString() ?? null);
  const cursor = at(query.cursor ?? null);
  // The cursor's own row gives the recording time to continue below; a cursor whose row is gone
  // compares with null and ends the trail.
  const text = `select e.global_position::text as position, e.event_id, e.type, e.stream_id, e.revision::text as revision, e.recorded_at,
      e.metadata->>'occurredAt' as occurred_at, e.metadata->>'customerId' as customer_id,
      e.metadata->>'actor' as actor, e.metadata->>'correlationId' as correlation_id,
      e.metadata->>'causationId' as causation_id
    from ${quoted}.es_events e
    where ${filters.join(' and ')}
      and e.recorded_at >= coalesce(${from}::timestamptz, '-infinity')
      and e.recorded_at < coalesce(${to}::timestamptz, 'infinity')
      and (e.recorded_at, e.global_position) < (
        case when ${cursor}::bigint is null then 'infinity'::timestamptz
             else (select c.recorded_at from ${quoted}.es_events c where c.global_position = ${cursor}::bigint) end,
        coalesce(${cursor}::bigint, 9223372036854775807))
    order by e.recorded_at desc, e.global_position desc
    limit ${at(limit)}`;
  return { name: `es:${schema}:audit:${by.join('+')}`, text, values };
}

export function toAuditTrailPage(rows: AuditRow[], limit: number | undefined): AuditTrailPage {
  const items = rows.map((r): AuditTrailEntry => ({
    id: r.event_id,
    type: r.type,
    streamId: r.stream_id,
    revision: Number(r.revision),
    recordedAt: r.recorded_at,
    occurredAt: r.occurred_at ?? '',
    customerId: r.customer_id ?? '',
    actor: r.actor,
    correlationId: r.correlation_id ?? '',
    causationId: r.causation_id ?? '',
  }));
  const last = rows[rows.length - 1];
  const full = rows.length === (limit ?? DEFAULT_LIMIT);
  return full && last ? { items, next: last.position } : { items };
}
