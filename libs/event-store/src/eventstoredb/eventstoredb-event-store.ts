import {
  BACKWARDS,
  END,
  EventStoreDBClient,
  FORWARDS,
  START,
  StreamNotFoundError,
  WrongExpectedVersionError,
  excludeSystemEvents,
} from '@eventstore/db-client';
import {
  WrongExpectedRevisionError,
  comparePositions,
  type AppendResult,
  type EventStore,
  type ExpectedRevision,
  type NewEvent,
  type ReadAllOptions,
  type ReadStreamOptions,
  type RecordedEvent,
  type Subscription,
  type SubscriptionOptions,
} from '../event-store.port';
import { assertValidAppend } from '../internal/validate-append';
import { EventStoreDbSubscription } from './eventstoredb-subscription';
import { toEventData, toExpectedRevision, toRecordedEvent } from './mapping';

export interface EventStoreDbEventStoreOptions {
  /** e.g. `esdb://localhost:2113?tls=false`. */
  connectionString: string;
}

/**
 * Event store on EventStoreDB / KurrentDB. Positions are the server's commit/prepare positions;
 * system events ($-prefixed types or streams) are never returned.
 *
 * Idempotency: EventStoreDB itself drops a retried append whose ids are already in the stream. To
 * report `idempotentReplay` each append first reads the stream's last revision (one extra round
 * trip): a successful append that did not move the stream past it wrote nothing. When the server
 * rejects an append on the expected revision, the stream's ids are read to apply the port's rule
 * (every id present: replay; some present: append only the others).
 *
 * Audit: EventStoreDB's append-only log is the audit basis here. A written event is never changed
 * in place; deleting or truncating a stream writes a record of its own (a soft delete or `$tb`
 * truncation is a stream metadata event, a hard delete a `$streamDeleted` tombstone), and events
 * leave the disk only when a scavenge runs. There is no hash chain: `npm run audit:verify` covers
 * PostgreSQL stores only, and this adapter has no `auditTrail` (no index by customer or actor), so
 * `GET /audit/events` answers 501 on it.
 */
export class EventStoreDbEventStore implements EventStore {
  private readonly client: EventStoreDBClient;
  private readonly subscriptions = new Set<EventStoreDbSubscription>();

  constructor(options: EventStoreDbEventStoreOptions) {
    this.client = EventStoreDBClient.connectionString(options.connectionString);
  }

  /** Nothing to create: EventStoreDB needs no schema. */
  async migrate(): Promise<void> {}

  async append(
    streamId: string,
    events: NewEvent[],
    expectedRevision: ExpectedRevision,
  ): Promise<AppendResult> {
    assertValidAppend(streamId, events, expectedRevision);
    const before = await this.lastRevision(streamId);
    try {
      const result = await this.write(streamId, events, expectedRevision);
      if (result <= before) return { nextExpectedRevision: before, idempotentReplay: true };
      return { nextExpectedRevision: result, idempotentReplay: false };
    } catch (error) {
      if (!(error instanceof WrongExpectedVersionError)) throw error;
      return this.afterConflict(streamId, events, expectedRevision, actualRevision(error));
    }
  }

  async readStream(streamId: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    if (options.maxCount === 0) return [];
    const backwards = options.direction === 'backwards';
    const events: RecordedEvent[] = [];
    try {
      const read = this.client.readStream(streamId, {
        direction: backwards ? BACKWARDS : FORWARDS,
        fromRevision:
          options.fromRevision === undefined ? (backwards ? END : START) : BigInt(options.fromRevision),
        ...(options.maxCount === undefined ? {} : { maxCount: options.maxCount }),
      });
      for await (const resolved of read) {
        const event = toRecordedEvent(resolved);
        if (event) events.push(event);
      }
    } catch (error) {
      if (error instanceof StreamNotFoundError) return [];
      throw error;
    }
    return events;
  }

  async readAll(options: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    const { after, maxCount = Number.POSITIVE_INFINITY } = options;
    const events: RecordedEvent[] = [];
    if (maxCount <= 0) return events;
    // The server's fromPosition is inclusive and it cannot filter a read; both are done here.
    for await (const resolved of this.client.readAll({ fromPosition: after ?? START, direction: FORWARDS })) {
      const event = toRecordedEvent(resolved);
      if (event === undefined || (after && comparePositions(event.position, after) <= 0)) continue;
      events.push(event);
      if (events.length >= maxCount) break;
    }
    return events;
  }

  subscribeToAll(options: SubscriptionOptions): Subscription {
    const batchSize = options.batchSize ?? 100;
    if (!Number.isSafeInteger(batchSize) || batchSize < 1)
      throw new Error('batchSize must be a positive integer');
    const stream = this.client.subscribeToAll({
      fromPosition: options.after ?? START,
      filter: excludeSystemEvents(),
    });
    const subscription: EventStoreDbSubscription = new EventStoreDbSubscription(stream, options, () =>
      this.subscriptions.delete(subscription),
    );
    this.subscriptions.add(subscription);
    return subscription;
  }

  async ping(): Promise<void> {
    for await (const _ of this.client.readAll({ direction: BACKWARDS, fromPosition: END, maxCount: 1 }))
      break;
  }

  /** Stops every subscription, then disposes of the client. */
  async close(): Promise<void> {
    await Promise.all([...this.subscriptions].map((s) => s.stop()));
    await this.client.dispose();
  }

  private async write(streamId: string, events: NewEvent[], expected: ExpectedRevision): Promise<number> {
    const result = await this.client.appendToStream(streamId, events.map(toEventData), {
      expectedRevision: toExpectedRevision(expected),
    });
    return Number(result.nextExpectedRevision);
  }

  /** Last revision of the stream, -1 when it does not exist. */
  private async lastRevision(streamId: string): Promise<number> {
    const [last] = await this.readStream(streamId, { direction: 'backwards', maxCount: 1 });
    return last === undefined ? -1 : last.revision;
  }

  private async afterConflict(
    streamId: string,
    events: NewEvent[],
    expected: ExpectedRevision,
    actual: number,
  ): Promise<AppendResult> {
    if (actual === -1) throw new WrongExpectedRevisionError(streamId, expected, -1);
    const recorded = await this.readStream(streamId);
    const present = new Set(recorded.map((e) => e.id));
    const fresh = events.filter((e) => !present.has(e.id));
    const current = recorded.length === 0 ? -1 : recorded[recorded.length - 1].revision;
    if (fresh.length === 0) return { nextExpectedRevision: current, idempotentReplay: true };
    if (fresh.length < events.length) {
      try {
        return { nextExpectedRevision: await this.write(streamId, fresh, expected), idempotentReplay: false };
      } catch (error) {
        if (error instanceof WrongExpectedVersionError) {
          throw new WrongExpectedRevisionError(streamId, expected, actualRevision(error));
        }
        throw error;
      }
    }
    throw new WrongExpectedRevisionError(streamId, expected, actual);
  }
}

function actualRevision(error: WrongExpectedVersionError): number {
  return error.actualVersion === 'no_stream' ? -1 : Number(error.actualVersion);
}
