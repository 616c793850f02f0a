import type { ContractEventType, EventData } from '@crm/contracts';

/**
 * The contract between the generation runner (src/consumption) and the read models (src/projection):
 * a projector owns some tables of a generation schema `analytics_g<N>` and applies events to them.
 * The runner calls the projectors of every event in the batch's transaction, in topic order.
 */

/** Anything that runs SQL: the batch's transaction (a TypeORM EntityManager), or a pool. */
export interface Sql {
  query(sql: string, parameters?: unknown[]): Promise<unknown>;
}

/** One consumed event, checked against its contract and upcast to its newest version. */
export interface AnalyticsEvent<K extends ContractEventType = ContractEventType> {
  /** The CloudEvent id (unique; the dedupe key). */
  id: string;
  type: K;
  /** The publishing context: leads, pipeline, service, marketing. */
  context: string;
  /** The customer the event is about (the CloudEvent's `customerid` extension). */
  customerId: string;
  /** When it happened (the CloudEvent `time`, ISO 8601). */
  time: string;
  /** The aggregate it is about (the CloudEvent `subject`). */
  subject: string;
  data: EventData<K>;
}

/** Per event type, what a projector does with it (types it does not list: nothing). */
export type ProjectorHandlers = {
  [K in ContractEventType]?: (event: AnalyticsEvent<K>, db: Sql, schema: string) => Promise<void>;
};

export interface Projector {
  /** Names it in logs and metrics. */
  readonly name: string;
  /** DDL creating its tables and indexes in `schema` (a generation): idempotent (`if not exists`). */
  tables(schema: string): string[];
  /** Stable views for analysts: `create or replace view analytics.<name> as select ... from <schema>.<table>`. */
  views(schema: string): string[];
  readonly handlers: ProjectorHandlers;
  /** Erasure of a customer (`CustomerErased`): mask or delete their personal values in `schema`. */
  erase(customerId: string, db: Sql, schema: string): Promise<void>;
}
