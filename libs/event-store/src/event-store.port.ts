import type { EventMetadata } from '@crm/contracts';

/**
 * The event store port. Every service writes its aggregates through this and nothing else, so
 * PostgreSQL (the default) and EventStoreDB (production option) are interchangeable adapters.
 */

/** What the writer believes about the stream before appending. */
export type ExpectedRevision =
  | 'any'
  | 'no_stream'
  | 'stream_exists'
  /** The revision of the last event in the stream (0-based), as read by the writer. */
  | number;

export interface NewEvent<Data = unknown> {
  /** Event id (UUID). Appending an id already in the stream is a no-op. */
  id: string;
  type: string;
  data: Data;
  metadata: EventMetadata;
}

/**
 * A position in the global log: totally ordered, and a reader that resumes from one never skips
 * an event that commits later. For PostgreSQL `commit` is the writing transaction id and
 * `prepare` the event's sequence number; for EventStoreDB they are its commit/prepare positions.
 */
export interface Position {
  commit: bigint;
  prepare: bigint;
}

export interface RecordedEvent<Data = unknown> {
  id: string;
  type: string;
  streamId: string;
  /** 0-based position of the event within its stream. */
  revision: number;
  position: Position;
  data: Data;
  metadata: EventMetadata;
  recordedAt: Date;
}

export interface AppendResult {
  /** Revision of the last event now in the stream; pass it as the next expected revision. */
  nextExpectedRevision: number;
  /** True when every event id was already in the stream and nothing was written. */
  idempotentReplay: boolean;
}

export interface ReadStreamOptions {
  direction?: 'forwards' | 'backwards';
  /** Inclusive. Defaults to the start (forwards) or the end (backwards). */
  fromRevision?: number;
  maxCount?: number;
}

export interface ReadAllOptions {
  /** Exclusive: events strictly after this position. Omitted: from the very start. */
  after?: Position;
  maxCount?: number;
}

export interface SubscriptionOptions {
  /** Exclusive checkpoint: deliver events strictly after it. Omitted: from the very start. */
  after?: Position;
  /** Most events handed to the handler at once. */
  batchSize?: number;
  /** Called with every batch, in global order; the next batch waits for it to resolve. */
  handler: (events: RecordedEvent[]) => Promise<void>;
  /** Called when the handler or the store fails; the subscription stops. */
  onError?: (error: unknown) => void;
}

export interface Subscription {
  /** Resolves after the batch in flight, if any, has been handled. */
  stop(): Promise<void>;
  /** Resolves when the subscription has stopped, by stop() or by an error. */
  readonly done: Promise<void>;
}

/**
 * What holds a PostgreSQL store's global reads back. Readers only see events below the oldest
 * transaction still running anywhere in the cluster (the fence), so one long transaction, in any
 * database of the cluster, delays every subscriber and the relay until it ends.
 */
export interface FenceStatus {
  /** Committed events of this store that readers cannot see yet because of the fence. */
  heldEvents: number;
  /** The transaction at the fence, when events are held back by it. */
  holder?: {
    pid: number;
    database: string | null;
    application: string | null;
    state: string | null;
    transactionId: string;
    /** Seconds since that transaction began: an upper bound of how long reads have been held. */
    ageSeconds: number;
  };
}

/**
 * Who did what and when: events by the customer they are about and/or the actor who issued the
 * command, newest (by recording time) first. At least one of `customerId` and `actor`.
 */
export interface AuditTrailQuery {
  customerId?: string;
  actor?: string;
  /** Recorded at or after this instant. */
  from?: Date;
  /** Recorded before this instant. */
  to?: Date;
  /** Most entries in the page (1 to 1000); default 100. */
  limit?: number;
  /** `next` of the previous page: the entries recorded before its last one. */
  cursor?: string;
}

/** One event of the audit trail: its metadata, never its data (which may hold personal data). */
export interface AuditTrailEntry {
  id: string;
  type: string;
  streamId: string;
  revision: number;
  /** When the store recorded it (the database's clock; part of the event's hash). */
  recordedAt: Date;
  /** When the fact happened, as its metadata says. */
  occurredAt: string;
  customerId: string;
  actor: string | null;
  correlationId: string;
  causationId: string;
}

export interface AuditTrailPage {
  items: AuditTrailEntry[];
  /** Cursor of the next (older) page; absent on the last page. */
  next?: string;
}

/** An audit trail query the store cannot answer as asked; `field` names the culprit. */
export class InvalidAuditQueryError extends Error {
  constructor(
    readonly field: keyof AuditTrailQuery,
    message: string,
  ) {
    super(message);
    this.name = 'InvalidAuditQueryError';
  }
}

export interface EventStore {
  append(streamId: string, events: NewEvent[], expectedRevision: ExpectedRevision): Promise<AppendResult>;
  /** Events of one stream; an empty array when the stream does not exist. */
  readStream(streamId: string, options?: ReadStreamOptions): Promise<RecordedEvent[]>;
  /** The global log, in order. */
  readAll(options?: ReadAllOptions): Promise<RecordedEvent[]>;
  /** Catch-up subscription to the global log: history first, then live events. */
  subscribeToAll(options: SubscriptionOptions): Subscription;
  /** Creates what the adapter needs (schema, tables); safe to run on every start and concurrently. */
  migrate(): Promise<void>;
  /** Liveness of the underlying store, for readiness probes. */
  ping(): Promise<void>;
  /** What holds global reads back (PostgreSQL adapter; EventStoreDB has no fence). */
  fenceStatus?(): Promise<FenceStatus>;
  /**
   * The audit trail (PostgreSQL adapter, from the events' metadata and its audit indexes). The
   * EventStoreDB adapter has none: its $all log can be read, but not by customer or actor.
   */
  auditTrail?(query: AuditTrailQuery): Promise<AuditTrailPage>;
  close(): Promise<void>;
}

export class WrongExpectedRevisionError extends Error {
  constructor(
    readonly streamId: string,
    readonly expected: ExpectedRevision,
    /** The stream's actual last revision, or -1 when the stream does not exist (when known). */
    readonly actual: number | undefined,
  ) {
    super(
      `stream ${streamId}: expected revision ${String(expected)}, actual ${actual === undefined ? 'unknown' : actual === -1 ? 'no stream' : actual}`,
    );
    this.name = 'WrongExpectedRevisionError';
  }
}

export function comparePositions(a: Position, b: Position): number {
  if (a.commit !== b.commit) return a.commit < b.commit ? -1 : 1;
  if (a.prepare !== b.prepare) return a.prepare < b.prepare ? -1 : 1;
  return 0;
}

export function positionToString(p: Position): string {
  return `${p.commit}/${p.prepare}`;
}

export function positionFromString(s: string): Position {
  const [commit, prepare] = s.split('/');
  if (commit === undefined || prepare === undefined) throw new Error(`bad position ${s}`);
  return { commit: BigInt(commit), prepare: BigInt(prepare) };
}
