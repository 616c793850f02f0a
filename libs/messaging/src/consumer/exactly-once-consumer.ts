import { SpanKind, SpanStatusCode, context, trace } from '@opentelemetry/api';
import type { DataSource, EntityManager } from 'typeorm';
import { cloudEventFromKafka, type CloudEvent } from '@crm/contracts';
import { JsonLogger, errorFields, type MessagingLogger } from '../log/json-logger';
import type { IncomingMessage, MessageSubscriber, MessageSubscription } from '../message-bus.port';
import { quoteIdent } from '../sql';
import { extractTraceContext, messagingTracer } from '../tracing/trace-context';

/** Applies one event; every write must go through `manager` (the batch's transaction). */
export type CloudEventHandler = (event: CloudEvent, manager: EntityManager) => Promise<void>;

/** Configuration of an {@link ExactlyOnceConsumer}. */
export interface ExactlyOnceConsumerOptions {
  subscriber: MessageSubscriber;
  /** The database the handler writes to; also holds the `processed_events` table. */
  dataSource: DataSource;
  /** Dedupe scope: events are applied once per consumer name (e.g. the projection's name). */
  consumerName: string;
  groupId: string;
  topics: string[];
  /** Schema of the `processed_events` table. */
  schema: string;
  handle: CloudEventHandler;
  /** Where a new consumer group starts (default: the beginning of the topics). */
  fromBeginning?: boolean;
  logger?: MessagingLogger;
}

/** Counters for metrics and health checks. */
export interface ExactlyOnceConsumerStats {
  running: boolean;
  /** Events applied (committed) by this instance. */
  processed: number;
  /** Redeliveries skipped because the event had already been applied. */
  skippedDuplicates: number;
  /** Messages that are not CloudEvents, logged and skipped. */
  skippedInvalid: number;
  /** Batches whose transaction failed (they are redelivered). */
  failedBatches: number;
  /** CloudEvent `time` of the last applied event. */
  lastEventTime?: string;
  /** When the last batch that applied something committed. */
  lastProcessedAt?: Date;
}

interface Parsed {
  message: IncomingMessage;
  event: CloudEvent;
}

/**
 * Applies CloudEvents from Kafka to a PostgreSQL database exactly once.
 *
 * Per batch, one transaction: for each event a dedupe row is inserted into
 * `<schema>.processed_events` and the handler runs only if that row is new, in the same
 * transaction. Offsets are committed after the transaction, so a crash in between redelivers
 * events whose dedupe rows make them no-ops. Each handler call runs in a CONSUMER span whose
 * parent is the producer's trace context from the message headers.
 *
 * A handler error rolls the whole batch back and it is redelivered (a poison event blocks its
 * partition; handlers should turn permanent business failures into recorded outcomes).
 */
export class ExactlyOnceConsumer {
  private readonly table: string;
  private readonly logger: MessagingLogger;
  private subscription: MessageSubscription | undefined;
  private counters: ExactlyOnceConsumerStats = {
    running: false,
    processed: 0,
    skippedDuplicates: 0,
    skippedInvalid: 0,
    failedBatches: 0,
  };

  constructor(private readonly options: ExactlyOnceConsumerOptions) {
    this.table = `${quoteIdent(options.schema)}.processed_events`;
    this.logger = options.logger ?? new JsonLogger('messaging.consumer');
  }

  /** Creates the schema and the `processed_events` table if missing (safe concurrently). */
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
    });
  }

  /** Joins the consumer group. */
  async start(): Promise<void> {
    if (this.subscription) return;
    this.subscription = await this.options.subscriber.subscribe({
      groupId: this.options.groupId,
      topics: this.options.topics,
      fromBeginning: this.options.fromBeginning ?? true,
      handleBatch: (messages) => this.handleBatch(messages),
      onError: (error) => {
        this.counters = { ...this.counters, running: false };
        this.logger.log('error', 'consumer stopped', {
          consumer: this.options.consumerName,
          ...errorFields(error),
        });
      },
    });
    this.counters = { ...this.counters, running: true };
  }

  /** Leaves the group after the batch in flight. */
  async stop(): Promise<void> {
    const subscription = this.subscription;
    this.subscription = undefined;
    await subscription?.stop();
    this.counters = { ...this.counters, running: false };
  }

  stats(): ExactlyOnceConsumerStats {
    return { ...this.counters };
  }

  /** Applies a batch (exposed for tests and custom subscribers). */
  async handleBatch(messages: IncomingMessage[]): Promise<void> {
    const parsed: Parsed[] = [];
    for (const message of messages) {
      try {
        parsed.push({ message, event: cloudEventFromKafka(message.headers, message.value) });
      } catch (error) {
        this.counters = { ...this.counters, skippedInvalid: this.counters.skippedInvalid + 1 };
        this.logger.log('warn', 'skipping a message that is not a valid CloudEvent', {
          consumer: this.options.consumerName,
          topic: message.topic,
          partition: message.partition,
          offset: message.offset,
          ...errorFields(error),
        });
      }
    }
    if (parsed.length === 0) return;

    let processed = 0;
    let duplicates = 0;
    let lastEventTime: string | undefined;
    try {
      await this.options.dataSource.transaction(async (manager) => {
        for (const item of parsed) {
          const inserted: unknown[] = await manager.query(
            `INSERT INTO ${this.table} (consumer, event_id) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING 1`,
            [this.options.consumerName, item.event.id],
          );
          if (inserted.length === 0) {
            duplicates++;
            continue;
          }
          await this.traced(item, () => this.options.handle(item.event, manager));
          processed++;
          lastEventTime = item.event.time;
        }
      });
    } catch (error) {
      this.counters = { ...this.counters, failedBatches: this.counters.failedBatches + 1 };
      this.logger.log('error', 'batch failed; it will be redelivered', {
        consumer: this.options.consumerName,
        topic: parsed[0].message.topic,
        partition: parsed[0].message.partition,
        firstOffset: parsed[0].message.offset,
        ...errorFields(error),
      });
      throw error;
    }
    this.counters = {
      ...this.counters,
      processed: this.counters.processed + processed,
      skippedDuplicates: this.counters.skippedDuplicates + duplicates,
      ...(lastEventTime !== undefined ? { lastEventTime, lastProcessedAt: new Date() } : {}),
    };
  }

  private async traced(item: Parsed, run: () => Promise<void>): Promise<void> {
    const { message, event } = item;
    const parent = extractTraceContext(message.headers);
    const span = messagingTracer().startSpan(
      `${message.topic} process`,
      {
        kind: SpanKind.CONSUMER,
        attributes: {
          'messaging.system': 'kafka',
          'messaging.operation.type': 'process',
          'messaging.destination.name': message.topic,
          'messaging.consumer.group.name': this.options.groupId,
          'messaging.destination.partition.id': String(message.partition),
          'messaging.kafka.offset': Number(message.offset),
          'messaging.message.id': event.id,
          'cloudevents.event_id': event.id,
          'cloudevents.event_type': event.type,
        },
      },
      parent,
    );
    try {
      await context.with(trace.setSpan(parent, span), run);
    } catch (error) {
      span.recordException(error instanceof Error ? error : String(error));
      span.setStatus({ code: SpanStatusCode.ERROR });
      throw error;
    } finally {
      span.end();
    }
  }
}
