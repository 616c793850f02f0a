import type { DataSource, EntityManager } from 'typeorm';
import type { CloudEvent, ParsedEvent } from '@crm/contracts';
import type { MessagingLogger } from '../log/json-logger';
import type { IncomingMessage, MessagePublisher, MessageSubscriber } from '../message-bus.port';
import type { DeadLetter, DeadLetterReason } from './dead-letters';
import type { RetryPolicy } from './failures';

/** How an event reached its handler: the Kafka record, and what its contract made of its data. */
export interface Delivery {
  message: IncomingMessage;
  /** The data checked against its contract and upcast to the newest version; undefined for a type outside the contracts. */
  parsed: ParsedEvent | undefined;
}

/** Applies one event; every write must go through `manager` (the batch's transaction). */
export type CloudEventHandler = (
  event: CloudEvent,
  manager: EntityManager,
  delivery: Delivery,
) => Promise<void>;

/** One new event of a batch, as a set handler receives it (in the order of the partition). */
export interface DeliveredEvent extends Delivery {
  event: CloudEvent;
}

/**
 * Applies the new events of a batch at once (set-based); every write must go through `manager`
 * (the batch's transaction). Events already applied are not in `items`.
 */
export type CloudEventSetHandler = (items: DeliveredEvent[], manager: EntityManager) => Promise<void>;

/** Configuration of an `ExactlyOnceConsumer`. */
export interface ExactlyOnceConsumerOptions {
  subscriber: MessageSubscriber;
  /** The database the handler writes to; also holds `processed_events` and `dead_letters`. */
  dataSource: DataSource;
  /** Dedupe scope: events are applied once per consumer name (e.g. the projection's name). */
  consumerName: string;
  groupId: string;
  topics: string[];
  /** Schema of the `processed_events` and `dead_letters` tables. */
  schema: string;
  /** Per-event mode (the default): applies one event at a time, each in a CONSUMER span of its own. */
  handle?: CloudEventHandler;
  /**
   * Batch mode, instead of `handle`: the batch's events are deduplicated with one statement and
   * the new ones handed over at once, in one CONSUMER span per batch linking the producers' trace
   * contexts. A batch that keeps failing is applied one event at a time (`handleSet` with one item
   * under a SAVEPOINT) and the failing events are parked, as in per-event mode.
   */
  handleSet?: CloudEventSetHandler;
  /**
   * Whether `handle` does anything with this (valid) event. Events it does not want are
   * acknowledged without a transaction or a dedupe row: applying nothing twice is harmless. Default:
   * every event is wanted.
   */
  wants?: (event: CloudEvent) => boolean;
  /** Where a new consumer group starts (default: the beginning of the topics). */
  fromBeginning?: boolean;
  /** Retries of a failing batch before it is applied event by event (small defaults). */
  retry?: Partial<RetryPolicy>;
  /** Publishes dead letters on `<topic>.dlq`; without it they are only kept in the table. */
  deadLetterPublisher?: MessagePublisher;
  logger?: MessagingLogger;
}

/** A batch that keeps failing, while it is retried. */
export interface RetryingBatch {
  since: string;
  /** Failed attempts so far. */
  attempts: number;
  error: string;
  topic: string;
  partition: number;
  firstOffset: string;
}

/** Counters for metrics and health checks. */
export interface ExactlyOnceConsumerStats {
  running: boolean;
  /** Events applied (committed) by this instance, replays included. */
  processed: number;
  /** Redeliveries skipped because the event had already been applied. */
  skippedDuplicates: number;
  /** Valid events this consumer has no handler for: acknowledged, nothing written. */
  ignored: number;
  /** Batch transactions that failed and were rolled back. */
  failedBatches: number;
  /** Attempts made again after a failure (after a backoff). */
  retries: number;
  /** Times the Kafka consumer was started again after a crash. */
  restarts: number;
  /** Records parked by this instance, per reason. */
  deadLettered: Record<DeadLetterReason, number>;
  /** Replays of dead letters run by this instance. */
  replays: { replayed: number; failed: number };
  /** Set while a batch is being retried. */
  retrying?: RetryingBatch;
  /** CloudEvent `time` of the last applied event. */
  lastEventTime?: string;
  /** When the last batch that applied something committed. */
  lastProcessedAt?: Date;
}

/** What a replay did. */
export interface ReplayOutcome {
  status: 'replayed' | 'already-replayed' | 'failed';
  /** For `replayed`: false when the event had been applied already (nothing is applied twice). */
  applied?: boolean;
  deadLetter: DeadLetter;
}
