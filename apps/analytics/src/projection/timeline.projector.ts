import type { ContractEventType } from '@crm/contracts';
import type { AnalyticsEvent, Projector, ProjectorHandlers, Sql } from './projector';
import { insertRows, qualified, viewOf } from './sql';
import { TIMELINE_EVENT_TYPES, timelineEntry } from './timeline-entries';

/**
 * `timeline`: one row per interaction of a customer on any channel, in any context (see
 * timeline-entries.ts for what each event shows). Keyed by the event id; read newest first.
 */
async function record(events: AnalyticsEvent[], db: Sql, schema: string): Promise<void> {
  const rows = [];
  for (const event of events) {
    const entry = timelineEntry(event.type, event.data, event.time);
    if (entry)
      rows.push({
        event_id: event.id,
        customer_id: event.customerId,
        occurred_at: entry.occurredAt,
        context: event.context,
        channel: entry.channel,
        kind: entry.kind,
        title: entry.title,
        detail: entry.detail,
      });
  }
  await insertRows(
    db,
    qualified(schema, 'timeline'),
    {
      event_id: 'text',
      customer_id: 'uuid',
      occurred_at: 'timestamptz',
      context: 'text',
      channel: 'text',
      kind: 'text',
      title: 'text',
      detail: 'jsonb',
    },
    rows,
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
