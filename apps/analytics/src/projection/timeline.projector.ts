import type { ContractEventType } from '@crm/contracts';
import type { AnalyticsEvent, Projector, ProjectorHandlers, Sql } from './projector';
import { qualified, viewOf } from './sql';
import { TIMELINE_EVENT_TYPES, timelineEntry } from './timeline-entries';

/**
 * `timeline`: one row per interaction of a customer on any channel, in any context (see
 * timeline-entries.ts for what each event shows). Keyed by the event id; read newest first.
 */
async function record(event: AnalyticsEvent, db: Sql, schema: string): Promise<void> {
  const entry = timelineEntry(event.type, event.data, event.time);
  if (!entry) return;
  await db.query(
    `insert into ${qualified(schema, 'timeline')}
       (event_id, customer_id, occurred_at, context, channel, kind, title, detail)
     values ($1, $2, $3, $4, $5, $6, $7, $8) on conflict do nothing`,
    [
      event.id,
      event.customerId,
      entry.occurredAt,
      event.context,
      entry.channel,
      entry.kind,
      entry.title,
      JSON.stringify(entry.detail),
    ],
  );
}

const handlers = Object.fromEntries(
  TIMELINE_EVENT_TYPES.map((type) => [type, record]),
) as ProjectorHandlers satisfies Partial<Record<ContractEventType, unknown>>;

export const timelineProjector: Projector = {
  name: 'timeline',
  tables: (schema) => [
    `create table if not exists ${qualified(schema, 'timeline')} (
       event_id text primary key,
       customer_id uuid not null,
       occurred_at timestamptz not null,
       context text not null,
       channel text not null,
       kind text not null,
       title text not null,
       detail jsonb not null)`,
    `create index if not exists timeline_customer on ${qualified(schema, 'timeline')} (customer_id, occurred_at desc, event_id desc)`,
  ],
  views: (schema) => [viewOf(schema, 'timeline')],
  handlers,
  // Titles and details hold no personal values (timeline-entries.ts): nothing to mask.
  erase: async () => undefined,
};
