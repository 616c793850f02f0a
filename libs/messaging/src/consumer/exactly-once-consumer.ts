import type { EntityManager } from 'typeorm';
import {
  cloudEventFromKafka,
  isContractViolation,
  parseEvent,
  type CloudEvent,
  type ParsedEvent,
} from '@crm/contracts';
import { JsonLogger, type MessagingLogger } from '../log/json-logger';
import {
  deadLetterTopic,
  type BatchControl,
  type IncomingMessage,
  type MessageSubscription,
} from '../message-bus.port';
import { quoteIdent } from '../sql';
import { inConsumerSpan } from '../tracing/consumer-span';
import { inBatchSpan } from './batch-span';
import type {
  DeliveredEvent,
  ExactlyOnceConsumerOptions,
  ExactlyOnceConsumerStats,
  ReplayOutcome,
} from './consumer.types';
import {
  DeadLetterStore,
  deadLetterRecord,
  messageOf,
  type DeadLetterReason,
  type Parking,
} from './dead-letters';
import { DEFAULT_RETRY_POLICY, describeError, isTransient, pause, type RetryPolicy } from './failures';

interface Item {
  message: IncomingMessage;
  event?: CloudEvent;
  /** What the contracts made of the event (undefined for a type outside them). */
  parsed?: ParsedEvent;
  rejected?: { reason: DeadLetterReason; error: string };
}

/** What one transaction did; counted once it committed. */
interface Tally {
  processed: number;
  duplicates: number;
  ignored: number;
  parked: Parking[];
  lastEventTime?: string;
}

const newTally = (): Tally => ({ processed: 0, duplicates: 0, ignored: 0, parked: [] });

/**
 * Applies CloudEvents from Kafka to a PostgreSQL database exactly once, and lets no record stop it.
 *
 * Per batch, one transaction: for each event a dedupe row is inserted into
 * `<schema>.processed_events` and the handler runs only if that row is new, in the same
 * transaction. Offsets are committed after the transaction, so a crash in between redelivers
 * events whose dedupe rows make them no-ops. Each handler call runs in a CONSUMER span whose
 * parent is the producer's trace context from the message headers.
 *
 * Records that are not CloudEvents, or whose data fails its contract, are dead-lettered at once.
 * A batch whose transaction fails is retried with backoff (`retry.attempts` times); then it is
 * applied event by event (a SAVEPOINT each) and the events that still fail are dead-lettered,
 * unless the failure is transient (database unreachable, deadlock), which is retried for as long
 * as it lasts. Dead-lettering publishes the record on `<topic>.dlq` and keeps it in
 * `<schema>.dead_letters`, in the transaction that moves on past it and without a dedupe row, so
 * that {@link replay} can apply it later, exactly once.
 *
 * Batch mode (option `handleSet` instead of `handle`): the batch's dedupe rows are inserted with
 * one statement and the new events handed to `handleSet` at once, in order, in one CONSUMER span
 * linking the producers' trace contexts. Isolation applies them one at a time (`handleSet` with
 * one item under a SAVEPOINT), and a replay too.
 */
export class ExactlyOnceConsumer {
  private readonly table: string;
  private readonly logger: MessagingLogger;
  private readonly retry: RetryPolicy;
  readonly deadLetters: DeadLetterStore;
  private subscription: MessageSubscription | undefined;
  private counters: ExactlyOnceConsumerStats = {
    running: false,
    processed: 0,
    skippedDuplicates: 0,
    ignored: 0,
    failedBatches: 0,
    retries: 0,
    restarts: 0,
    deadLettered: { 'invalid-cloudevent': 0, 'contract-violation': 0, 'handler-failed': 0 },
    replays: { replayed: 0, failed: 0 },
  };

  constructor(private readonly options: ExactlyOnceConsumerOptions) {
    this.table = `${quoteIdent(options.schema)}.processed_events`;
    this.logger = options.logger ?? new JsonLogger('messaging.consumer');
    this.retry = { ...DEFAULT_RETRY_POLICY, ...options.retry };
    this.deadLetters = new DeadLetterStore(options.dataSource, options.schema);
    if (!options.handle === !options.handleSet)
      throw new Error(`consumer ${options.consumerName}: give either handle or handleSet`);
  }

  get name(): string {
    return this.options.consumerName;
  }

  /** Creates the schema, `processed_events` and `dead_letters` if missing (safe concurrently). */
  async migrate(): Promise<void> {
    await this.options.dataSource.transaction(async (manager) => {
      await manager.query(`SELECT pg_advisory_xact_lock(hashtext('crm-messaging:processed_events'))`);
      await manager.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(this.options.schema)}`);
      await manager.query(
        `CREATE TABLE IF NOT EXISTS ${this.table} (
           consumer text NOT NULL,
           event_id text NOT NULL,
           processed_at timestamptz NOT NULL DEFAULT now(),
           PRIMARY KEY (consumer, event_id)
         )`,
      );
      await this.deadLetters.migrate(manager);
    });
  }

  /** Joins the consumer group. */
  async start(): Promise<void> {
    if (this.subscription) return;
    const consumer = this.options.consumerName;
    this.subscription = await this.options.subscriber.subscribe({
      groupId: this.options.groupId,
      topics: this.options.topics,
      fromBeginning: this.options.fromBeginning ?? true,
      handleBatch: (messages, control) => this.handleBatch(messages, control),
      onError: (error) => {
        this.counters = { ...this.counters, running: false };
        this.logger.log('error', 'consumer stopped; restarting it', {
          consumer,
          error: describeError(error),
        });
      },
      onRestart: () => {
        this.counters = { ...this.counters, running: true, restarts: this.counters.restarts + 1 };
      },
    });
    this.counters = { ...this.counters, running: true };
  }

  /** Leaves the group after the batch in flight. */
  async stop(): Promise<void> {
    const subscription = this.subscription;
    this.subscription = undefined;
    await subscription?.stop();
    this.counters = { ...this.counters, running: false, retrying: undefined };
  }

  stats(): ExactlyOnceConsumerStats {
    return { ...this.counters };
  }

  /** Applies a batch (exposed for tests and custom subscribers); resolves once every record is applied or parked. */
  async handleBatch(messages: IncomingMessage[], control: BatchControl = { isRunning: () => true }) {
    const items = messages.map((message) => this.classify(message));
    let delay = this.retry.backoffMs;
    for (let failures = 0; ;) {
      const isolate = failures >= this.retry.attempts;
      try {
        this.settled(await this.attempt(items, isolate));
        return;
      } catch (error) {
        failures++;
        this.failed(items[0].message, error, failures, isolate, delay);
        if (!(await pause(delay, control))) throw error;
        delay = Math.min(delay * 2, this.retry.maxBackoffMs);
        this.counters = { ...this.counters, retries: this.counters.retries + 1 };
      }
    }
  }

  /**
   * Applies a dead letter of this consumer now, with the same checks and handler as a delivery,
   * in one transaction with its dedupe row: exactly once. A replay that fails leaves it parked
   * with the new error. Undefined when this consumer has no dead letter with this id.
   */
  async replay(id: string): Promise<ReplayOutcome | undefined> {
    const outcome = await this.options.dataSource.transaction(async (manager) => {
      const found = await this.deadLetters.lock(manager, id);
      if (!found || found.letter.consumer !== this.name) return undefined;
      const { letter, raw } = found;
      if (letter.replayedAt) return { status: 'already-replayed' as const, tally: newTally(), letter };
      const item = this.classify(messageOf(letter, raw));
      const tally = newTally();
      let error = item.rejected?.error;
      if (error === undefined) {
        const failure = await this.applyAlone(manager, item, tally);
        if (failure) error = describeError(failure.error);
      }
      if (error !== undefined) await this.deadLetters.recordFailedReplay(manager, id, error);
      else await this.deadLetters.markReplayed(manager, id);
      return { status: error === undefined ? ('replayed' as const) : ('failed' as const), tally, letter };
    });
    if (!outcome) return undefined;
    const deadLetter = (await this.deadLetters.get(id)) ?? outcome.letter;
    if (outcome.status === 'already-replayed') return { status: outcome.status, deadLetter };
    const ok = outcome.status === 'replayed';
    this.settled(outcome.tally, false);
    const { replayed, failed } = this.counters.replays;
    this.counters = {
      ...this.counters,
      replays: { replayed: replayed + (ok ? 1 : 0), failed: failed + (ok ? 0 : 1) },
    };
    this.logger.log(ok ? 'info' : 'warn', ok ? 'dead letter replayed' : 'dead letter replay failed', {
      consumer: this.name,
      id,
      eventId: deadLetter.eventId,
      ...(ok ? {} : { error: deadLetter.error }),
    });
    return ok
      ? { status: 'replayed', applied: outcome.tally.processed > 0, deadLetter }
      : { status: 'failed', deadLetter };
  }

  /** Parses the record and checks its data against its contract; what fails is to be parked. */
  private classify(message: IncomingMessage): Item {
    let event: CloudEvent;
    try {
      event = cloudEventFromKafka(message.headers, message.value);
    } catch (error) {
      return { message, rejected: { reason: 'invalid-cloudevent', error: describeError(error) } };
    }
    try {
      return { message, event, parsed: parseEvent(event) };
    } catch (error) {
      if (!isContractViolation(error)) throw error;
      return { message, event, rejected: { reason: 'contract-violation', error: error.message } };
    }
  }

  /** One transaction over the batch; `isolate` gives each event a SAVEPOINT and parks the ones that fail. */
  private async attempt(batch: Item[], isolate: boolean): Promise<Tally> {
    const tally = newTally();
    const wants = this.options.wants;
    // What this consumer has no handler for needs neither a transaction nor a dedupe row.
    const items = wants ? batch.filter((item) => item.rejected || wants(item.event!)) : batch;
    tally.ignored = batch.length - items.length;
    if (items.length === 0) return tally;
    await this.options.dataSource.transaction(async (manager) => {
      if (this.options.handleSet && !isolate) {
        for (const item of items)
          if (item.rejected) await this.park(manager, tally, item, item.rejected.reason, item.rejected.error);
        await this.applySet(
          manager,
          items.filter((item) => !item.rejected),
          tally,
        );
        await this.publishDeadLetters(tally.parked);
        return;
      }
      for (const item of items) {
        if (item.rejected) {
          await this.park(manager, tally, item, item.rejected.reason, item.rejected.error);
        } else if (!isolate) {
          await this.apply(manager, item, tally);
        } else {
          const failure = await this.applyAlone(manager, item, tally);
          if (failure) {
            const reason = isContractViolation(failure.error) ? 'contract-violation' : 'handler-failed';
            await this.park(manager, tally, item, reason, describeError(failure.error));
          }
        }
      }
      await this.publishDeadLetters(tally.parked);
    });
    return tally;
  }

  /**
   * Applies one event under a SAVEPOINT. When it fails, its writes are rolled back to the
   * savepoint and the failure is answered; a transient failure is thrown (the event is not at fault).
   */
  private async applyAlone(
    manager: EntityManager,
    item: Item,
    tally: Tally,
  ): Promise<{ error: unknown } | undefined> {
    await manager.query('SAVEPOINT crm_event');
    try {
      await this.apply(manager, item, tally);
      await manager.query('RELEASE SAVEPOINT crm_event');
      return undefined;
    } catch (error) {
      if (isTransient(error)) throw error;
      await manager.query('ROLLBACK TO SAVEPOINT crm_event');
      return { error };
    }
  }

  private async apply(manager: EntityManager, item: Item, tally: Tally): Promise<void> {
    if (this.options.handleSet) return this.applySet(manager, [item], tally);
    const event = item.event!;
    const inserted: unknown[] = await manager.query(
      `INSERT INTO ${this.table} (consumer, event_id) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING 1`,
      [this.name, event.id],
    );
    if (inserted.length === 0) {
      tally.duplicates++;
      return;
    }
    const handle = this.options.handle!;
    await inConsumerSpan(item.message, event, this.options.groupId, () =>
      handle(event, manager, { message: item.message, parsed: item.parsed }),
    );
    tally.processed++;
    tally.lastEventTime = event.time;
  }

  /**
   * Batch mode: one dedupe statement for the valid events, then `handleSet` with the new ones (an
   * event id twice in the batch, e.g. a relay's duplicate, counts once: its first record).
   */
  private async applySet(manager: EntityManager, items: Item[], tally: Tally): Promise<void> {
    if (items.length === 0) return;
    const inserted: { event_id: string }[] = await manager.query(
      `INSERT INTO ${this.table} (consumer, event_id) SELECT $1, unnest($2::text[])
       ON CONFLICT DO NOTHING RETURNING event_id`,
      [this.name, items.map((item) => item.event!.id)],
    );
    const fresh = new Set(inserted.map((row) => row.event_id));
    const delivered: DeliveredEvent[] = [];
    for (const item of items)
      if (fresh.delete(item.event!.id))
        delivered.push({ event: item.event!, parsed: item.parsed, message: item.message });
    tally.duplicates += items.length - delivered.length;
    if (delivered.length === 0) return;
    const handleSet = this.options.handleSet!;
    await inBatchSpan(delivered, this.options.groupId, () => handleSet(delivered, manager));
    tally.processed += delivered.length;
    tally.lastEventTime = delivered[delivered.length - 1].event.time;
  }

  private async park(
    manager: EntityManager,
    tally: Tally,
    item: Item,
    reason: DeadLetterReason,
    error: string,
  ): Promise<void> {
    const parking: Parking = {
      consumer: this.name,
      message: item.message,
      ...(item.event ? { eventId: item.event.id, eventType: item.event.type } : {}),
      reason,
      error,
    };
    if (await this.deadLetters.park(manager, parking)) tally.parked.push(parking);
  }

  /** Before the commit: a failed publish rolls the parking back (the batch is tried again). */
  private async publishDeadLetters(parked: Parking[]): Promise<void> {
    const publisher = this.options.deadLetterPublisher;
    if (!publisher || parked.length === 0) return;
    const now = new Date();
    const byTopic = new Map<string, Parking[]>();
    for (const p of parked) byTopic.set(p.message.topic, [...(byTopic.get(p.message.topic) ?? []), p]);
    for (const [topic, records] of byTopic)
      await publisher.publish(
        deadLetterTopic(topic),
        records.map((p) => deadLetterRecord(p, now)),
      );
  }

  private settled(tally: Tally, batch = true): void {
    const c = this.counters;
    const deadLettered = { ...c.deadLettered };
    for (const p of tally.parked) {
      deadLettered[p.reason]++;
      this.logger.log(p.reason === 'handler-failed' ? 'error' : 'warn', 'record dead-lettered', {
        consumer: this.name,
        reason: p.reason,
        topic: p.message.topic,
        partition: p.message.partition,
        offset: p.message.offset,
        eventId: p.eventId,
        eventType: p.eventType,
        error: p.error,
      });
    }
    this.counters = {
      ...c,
      processed: c.processed + tally.processed,
      skippedDuplicates: c.skippedDuplicates + tally.duplicates,
      ignored: c.ignored + tally.ignored,
      deadLettered,
      ...(batch ? { retrying: undefined } : {}),
      ...(tally.lastEventTime !== undefined
        ? { lastEventTime: tally.lastEventTime, lastProcessedAt: new Date() }
        : {}),
    };
  }

  private failed(
    first: IncomingMessage,
    error: unknown,
    attempts: number,
    isolated: boolean,
    nextMs: number,
  ) {
    const described = describeError(error);
    const since = this.counters.retrying?.since ?? new Date().toISOString();
    const retrying = { since, attempts, error: described, ...position(first) };
    this.counters = { ...this.counters, failedBatches: this.counters.failedBatches + 1, retrying };
    const next = attempts < this.retry.attempts ? 'retrying the batch' : 'applying the batch event by event';
    this.logger.log('error', `batch failed; ${isolated ? 'retrying event by event' : next}`, {
      consumer: this.name,
      ...position(first),
      attempt: attempts,
      nextAttemptInMs: nextMs,
      transient: isTransient(error),
      error: described,
    });
  }
}

const position = (m: IncomingMessage) => ({ topic: m.topic, partition: m.partition, firstOffset: m.offset });
