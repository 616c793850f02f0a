import type { Projector } from './projector';
import { insertRows, qualified, viewOf } from './sql';

/**
 * `lifecycle_stage`: every stage a customer reached (`CustomerLifecycleStageReached` of any
 * context), valid from when it was reached until the customer's next stage. Stages come from
 * several topics, so one may arrive after a later one: the intervals of the batch's customers are
 * derived again from the reach times (then event ids, for stages reached at the same instant) after
 * the batch's stages are inserted.
 */
export const lifecycleProjector: Projector = {
  name: 'lifecycle',
  tables: (schema) => [
    `create table if not exists ${qualified(schema, 'lifecycle_stage')} (
       customer_id uuid not null,
       stage text not null,
       previous_stage text,
       context text not null,
       reason_type text not null,
       reason_id text not null,
       valid_from timestamptz not null,
       valid_to timestamptz,
       event_id text not null,
       primary key (customer_id, valid_from, event_id))`,
    `create index if not exists lifecycle_stage_validity on ${qualified(schema, 'lifecycle_stage')} (stage, valid_from, valid_to)`,
  ],
  views: (schema) => [viewOf(schema, 'lifecycle_stage')],
  handlers: {
    CustomerLifecycleStageReached: async (events, db, schema) => {
      const table = qualified(schema, 'lifecycle_stage');
      await insertRows(
        db,
        table,
        {
          customer_id: 'uuid',
          stage: 'text',
          previous_stage: 'text',
          context: 'text',
          reason_type: 'text',
          reason_id: 'text',
          valid_from: 'timestamptz',
          event_id: 'text',
        },
        events.map(({ id, context, data: d }) => ({
          customer_id: d.customerId,
          stage: d.stage,
          previous_stage: d.previousStage ?? null,
          context,
          reason_type: d.reason.aggregateType,
          reason_id: d.reason.aggregateId,
          valid_from: d.reachedAt,
          event_id: id,
        })),
      );
      await db.query(
        `update ${table} s set valid_to = n.next
           from (select customer_id, event_id, valid_from,
                        lead(valid_from) over (partition by customer_id order by valid_from, event_id) as next
                   from ${table} where customer_id = any($1::uuid[])) n
          where s.customer_id = n.customer_id and s.valid_from = n.valid_from and s.event_id = n.event_id
            and s.valid_to is distinct from n.next`,
        [[...new Set(events.map((e) => e.data.customerId))]],
      );
    },
  },
  // Stages are no personal data.
  erase: async () => undefined,
};
