export * from './event-store.port';
export { createEventStore, type EventStoreConfig } from './create-event-store';
export { PostgresEventStore, type PostgresEventStoreOptions } from './postgres/postgres-event-store';
export {
  EventStoreDbEventStore,
  type EventStoreDbEventStoreOptions,
} from './eventstoredb/eventstoredb-event-store';
export { verifyEventStore, sealEventStore, ConcurrentSealError, type SealReport } from './audit/audit-store';
export {
  NotAuditableError,
  type AuditReport,
  type AuditProblem,
  type BrokenLink,
} from './audit/verify-store';
/** For operators' tools and the store's own tests: the audit command and the migration steps. */
export { runAuditVerify } from './cli/audit-verify';
export { runMigrations } from './postgres/migrate';
export { migrations as postgresMigrations } from './postgres/migrations';
