import { escapeIdentifier, type Pool } from 'pg';
import {
  WrongExpectedRevisionError,
  type AppendResult,
  type AuditTrailPage,
  type AuditTrailQuery,
  type EventStore,
  type ExpectedRevision,
  type FenceStatus,
  type NewEvent,
  type Position,
  type ReadAllOptions,
  type ReadStreamOptions,
  type RecordedEvent,
  type Subscription,
  type SubscriptionOptions,
} from '../event-store.port';
import { assertValidAppend } from '../internal/validate-append';
import { auditTrailStatement, toAuditTrailPage, type AuditRow } from './audit-trail';
import { runMigrations } from './migrate';
import { PollingSubscription } from './polling-subscription';
import { statements, toRecordedEvent, type EventRow, type Statements } from './queries';
import { Wakeup } from './wakeup';

export interface PostgresEventStoreOptions {
  /** The pool to use. The store never ends it: whoever created it does, after close(). */
  pool: Pool;
  /** Schema holding the store's tables; created by migrate(). Lowercase letters, digits and `_`. */
  schema: string;
  /** How often a caught-up subscription looks for appends made by other processes. Default 100 ms. */
  pollIntervalMs?: number;
}

interface AppendRow {
  o_status: 'ok' | 'idempotent' | 'conflict';
  o_revision: string | number | null;
  o_commit: string | null;
  o_prepare: string | number | null;
}

interface FenceRow {
  held: number;
  pid: number | null;
  datname: string | null;
  application_name: string | null;
  state: string | null;
  fence: string;
  age: number | null;
}

const MAX_REVISION = '9223372036854775807';
/** Attempts for appends that lost a race the database could not settle in one go (see es_append). */
const MAX_ATTEMPTS = 10;

/**
 * Event store on PostgreSQL with plain `pg`. One round trip per append (the `es_append` function).
 *
 * The global order is (transaction id, sequence), read only below the oldest running transaction,
 * so readers never skip an event that commits late. The price: a long-running transaction anywhere
 * in the cluster holds readAll and subscriptions back until it ends.
 */
export class PostgresEventStore implements EventStore {
  private readonly pool: Pool;
  private readonly schema: string;
  private readonly quoted: string;
  private readonly sql: Statements;
  private readonly pollIntervalMs: number;
  private readonly wakeup = new Wakeup();
  private readonly subscriptions = new Set<PollingSubscription>();
  private closed = false;

  constructor(options: PostgresEventStoreOptions) {
    if (!/^[a-z_][a-z0-9_]{0,62}$/.test(options.schema))
      throw new Error(`invalid schema name ${options.schema}`);
    this.pool = options.pool;
    this.schema = options.schema;
    this.quoted = escapeIdentifier(options.schema);
    this.sql = statements(this.schema, this.quoted);
    this.pollIntervalMs = options.pollIntervalMs ?? 100;
  }

  /** Creates the schema and applies pending migrations; safe to run concurrently from many processes. */
  async migrate(): Promise<void> {
    await runMigrations(this.pool, this.schema, this.quoted);
  }

  async append(
    streamId: string,
    events: NewEvent[],
    expectedRevision: ExpectedRevision,
  ): Promise<AppendResult> {
    assertValidAppend(streamId, events, expectedRevision);
    const values = [
      streamId,
      String(expectedRevision),
      events.map((e) => e.id),
      events.map((e) => e.type),
      events.map((e) => JSON.stringify(e.data) ?? 'null'),
      events.map((e) => JSON.stringify(e.metadata)),
    ];
    let checkIds = false;
    for (let attempt = 1; ; attempt++) {
      let row: AppendRow;
      try {
        row = (await this.pool.query<AppendRow>({ ...this.sql.append, values: [...values, checkIds] }))
          .rows[0];
      } catch (error) {
        const code = sqlState(error);
        const retry = code === '40001' || code === '23505';
        // A duplicate id skipped the fast path's lookup: ask again with the ids checked.
        if (code === '23505') checkIds = true;
        if (retry && attempt < MAX_ATTEMPTS) continue;
        if (code === '23505') throw new WrongExpectedRevisionError(streamId, expectedRevision, undefined);
        if (code === 'ES001')
          throw new Error(`append to ${streamId}: ${(error as Error).message}`, { cause: error });
        throw error;
      }
      const revision = row.o_revision === null ? -1 : Number(row.o_revision);
      if (row.o_status === 'conflict')
        throw new WrongExpectedRevisionError(streamId, expectedRevision, revision);
      if (row.o_status === 'ok' && row.o_commit !== null && row.o_prepare !== null) {
        this.wakeup.notify({ commit: BigInt(row.o_commit), prepare: BigInt(row.o_prepare) });
      }
      return { nextExpectedRevision: revision, idempotentReplay: row.o_status === 'idempotent' };
    }
  }

  async readStream(streamId: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    const backwards = options.direction === 'backwards';
    const from = options.fromRevision ?? (backwards ? MAX_REVISION : 0);
    const statement = backwards ? this.sql.readStreamBackwards : this.sql.readStreamForwards;
    const { rows } = await this.pool.query<EventRow>({
      ...statement,
      values: [streamId, String(from), limit(options.maxCount)],
    });
    return rows.map(toRecordedEvent);
  }

  async readAll(options: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    return this.readAllAfter(options.after, limit(options.maxCount));
  }

  subscribeToAll(options: SubscriptionOptions): Subscription {
    if (this.closed) throw new Error('event store is closed');
    const subscription: PollingSubscription = new PollingSubscription(options, {
      read: (after, maxCount) => this.readAllAfter(after, maxCount),
      wakeup: this.wakeup,
      pollIntervalMs: this.pollIntervalMs,
      onEnd: () => this.subscriptions.delete(subscription),
    });
    this.subscriptions.add(subscription);
    return subscription;
  }

  async ping(): Promise<void> {
    await this.pool.query('select 1');
  }

  async fenceStatus(): Promise<FenceStatus> {
    const { rows } = await this.pool.query<FenceRow>({ ...this.sql.fence, values: [] });
    const row = rows[0];
    if (row.held === 0 || row.pid === null) return { heldEvents: row.held };
    return {
      heldEvents: row.held,
      holder: {
        pid: row.pid,
        database: row.datname,
        application: row.application_name,
        state: row.state,
        transactionId: row.fence,
        ageSeconds: row.age ?? 0,
      },
    };
  }

  /** Who did what and when, from the events' metadata (see `AuditTrailQuery`); no event data. */
  async auditTrail(query: AuditTrailQuery): Promise<AuditTrailPage> {
    const statement = auditTrailStatement(this.schema, this.quoted, query);
    const { rows } = await this.pool.query<AuditRow>(statement);
    return toAuditTrailPage(rows, query.limit);
  }

  /** Stops every subscription (waiting for batches in flight). Does not end the pool it was given. */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.subscriptions].map((s) => s.stop()));
  }

  private async readAllAfter(after: Position | undefined, maxCount: number | null): Promise<RecordedEvent[]> {
    const { rows } = await this.pool.query<EventRow>({
      ...this.sql.readAll,
      values: [String(after?.commit ?? 0n), String(after?.prepare ?? 0n), maxCount],
    });
    return rows.map(toRecordedEvent);
  }
}

function limit(maxCount: number | undefined): number | null {
  if (maxCount === undefined) return null;
  if (!Number.isSafeInteger(maxCount) || maxCount < 0)
    throw new Error(`maxCount must be a non-negative integer`);
  return maxCount;
}

function sqlState(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null || !('code' in error)) return undefined;
  return typeof error.code === 'string' ? error.code : undefined;
}
