import type { Projector } from './projector';
import { qualified, viewOf } from './sql';

/**
 * `lifecycle_stage`: every stage a customer reached (`CustomerLifecycleStageReached` of any
 * context), valid from when it was reached until the customer's next stage. Stages come from
 * several topics, so one may arrive after a later one: the customer's intervals are derived again
 * from the reach times (then event ids, for stages reached at the same instant) after each insert.
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
    CustomerLifecycleStageReached: async (e, db, schema) => {
      const d = e.data;
      const table = qualified(schema, 'lifecycle_stage');
      await db.query(
        `insert into ${table}
           (customer_id, stage, previous_stage, context, reason_type, reason_id, valid_from, event_id)
         values ($1, $2, $3, $4, $5, $6, $7, $8) on conflict do nothing`,
        [
          d.customerId,
          d.stage,
          d.previousStage ?? null,
          e.context,
          d.reason.aggregateType,
          d.reason.aggregateId,
          d.reachedAt,
          e.id,
        ],
      );
      await db.query(
        `update ${table} s set valid_to = n.next
           from (select event_id, valid_from,
                        lead(valid_from) over (order by valid_from, event_id) as next
                   from ${table} where customer_id = $1) n
          where s.customer_id = $1 and s.valid_from = n.valid_from and s.event_id = n.event_id
            and s.valid_to is distinct from n.next`,
        [d.customerId],
      );
    },
  },
  // Stages are no personal data.
  erase: async () => undefined,
};
