import type { Pool } from 'pg';
import type { EventStore } from './event-store.port';
import { EventStoreDbEventStore } from './eventstoredb/eventstoredb-event-store';
import { PostgresEventStore } from './postgres/postgres-event-store';

/** Which event store a service runs on, from its configuration. */
export type EventStoreConfig =
  | { kind: 'postgres'; pool: Pool; schema: string; pollIntervalMs?: number }
  | { kind: 'eventstoredb'; connectionString: string };

/** Builds the configured adapter. Call migrate() on the result before use. */
export function createEventStore(config: EventStoreConfig): EventStore {
  switch (config.kind) {
    case 'postgres':
      return new PostgresEventStore({
        pool: config.pool,
        schema: config.schema,
        pollIntervalMs: config.pollIntervalMs,
      });
    case 'eventstoredb':
      return new EventStoreDbEventStore({ connectionString: config.connectionString });
  }
}
