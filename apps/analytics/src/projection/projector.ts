import type { ContractEventType, EventData } from '@crm/contracts';
import type { Change, VersionedTable } from './versioned';

/**
 * The contract between the generation runner (src/consumption) and the read models (src/projection):
 * a projector owns some tables of a generation schema `analytics_g<N>` and applies events to them.
 * The runner hands each batch to `applyBatch` (apply-batch.ts) in the batch's transaction: the
 * events grouped by type, set-based, erasures last.
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

/**
 * Rows derived per key (e.g. per customer) from other tables of the generation, kept in a table
 * because deriving them at query time is too slow. Handlers name the keys an event may change
 * (`batch.touched`); once the batch's every write is done (handlers, versioned changes, erasures),
 * `derive` is called once per derivation with the keys touched, sorted, and replaces their rows by
 * those derived from the tables as they now are. As the rows are a function of the tables, they
 * are the same whatever the batching and in a rebuild.
 */
export interface Derivation {
  /** Names it in errors. */
  readonly name: string;
  derive(keys: readonly string[], db: Sql, schema: string): Promise<void>;
}

/** A handler that touches, for `derivation`, the customer each event is about (its data's `customerId`). */
export const touchingCustomers =
  (derivation: Derivation) =>
  async (
    events: readonly { data: { customerId: string } }[],
    _db: Sql,
    _schema: string,
    batch: ProjectionBatch,
  ) => {
    for (const e of events) batch.touched(derivation, e.data.customerId);
  };

/**
 * What a batch offers its handlers besides the events:
 * - `erasedBefore`: whether the customer's `CustomerErased` comes before this event in the batch
 *   (erasures are applied after every other event of the batch, so a handler writing personal
 *   values refuses those of a customer erased earlier in the batch, as it would across batches);
 * - `change`: records a change of a versioned table; the batch's changes are written with one
 *   statement per table after every handler ran, and their keys' versions derived again once;
 * - `touched`: a key whose rows of a {@link Derivation} must be derived again after the batch.
 */
export interface ProjectionBatch {
  erasedBefore(customerId: string, event: AnalyticsEvent): boolean;
  change(spec: VersionedTable, change: Change): void;
  touched(derivation: Derivation, key: string): void;
}

/**
 * Per event type, what a projector does with the batch's events of that type, set-based (types
 * it does not list: nothing). Called once per batch and type, with the events in topic order;
 * a projector's types in the order it lists them (e.g. cases opened before their breaches).
 */
export type ProjectorHandlers = {
  [K in ContractEventType]?: (
    events: AnalyticsEvent<K>[],
    db: Sql,
    schema: string,
    batch: ProjectionBatch,
  ) => Promise<void>;
};

export interface Projector {
  /** Names it in logs and metrics. */
  readonly name: string;
  /** DDL creating its tables and indexes in `schema` (a generation): idempotent (`if not exists`). */
  tables(schema: string): string[];
  /** Stable views for analysts: `create or replace view analytics.<name> as select ... from <schema>.<table>`. */
  views(schema: string): string[];
  readonly handlers: ProjectorHandlers;
  /** Erasure of a customer (`CustomerErased`), after the batch's other events: mask or delete their personal values in `schema`. */
  erase(customerId: string, db: Sql, schema: string): Promise<void>;
}
