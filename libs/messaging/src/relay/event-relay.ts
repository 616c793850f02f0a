import { createHash } from 'node:crypto';
import { SpanKind, SpanStatusCode, type Span } from '@opentelemetry/api';
import type { Pool, PoolClient } from 'pg';
import {
  positionFromString,
  positionToString,
  type EventStore,
  type Position,
  type RecordedEvent,
  type Subscription,
} from '@crm/event-store';
import { JsonLogger, errorFields, type MessagingLogger } from '../log/json-logger';
import type { MessagePublisher } from '../message-bus.port';
import { quoteIdent } from '../sql';
import { extractTraceContext, injectSpanContext, messagingTracer } from '../tracing/trace-context';
import { contextTopic, defaultSubjectOf, toRelayRecord, type SubjectOf } from './relay-records';

/** Configuration of an {@link EventRelay}. */
export interface EventRelayOptions {
  /** Identifies the relay: its checkpoint row and its leadership lock. One per service and topic. */
  name: string;
  /** Bounded context whose events are relayed (CloudEvent `source`/`type`, default topic). */
  context: string;
  store: EventStore;
  publisher: MessagePublisher;
  /** PostgreSQL pool for the checkpoint table and the advisory lock (one connection held while leading). */
  pool: Pool;
  /** Schema of the `relay_checkpoints` table. */
  schema: string;
  /** Defaults to `crm.<context>.events`. */
  topic?: string;
  /** Aggregate id of an event (CloudEvent subject, Kafka key). Default: stream id after the first `-`. */
  subjectOf?: SubjectOf;
  /**
   * Which events are public. The others (a service's internal streams) are not published, but the
   * checkpoint moves past them. Default: every event.
   */
  publishes?: (event: RecordedEvent) => boolean;
  /**
   * Most events published per Kafka request and per checkpoint write (default 100). Keep
   * `batchSize × event size` per partition below the broker's `message.max.bytes` (1 MiB).
   */
  batchSize?: number;
  /** How long a standby waits before trying to take over again, and the back-off after a failure (default 5000). */
  retryMs?: number;
  logger?: MessagingLogger;
}

/** `leader` publishes; `standby` waits for the lock; `stopped` before start() and after stop(). */
export type EventRelayRole = 'stopped' | 'standby' | 'leader';

/** Health and metrics of a relay. */
export interface EventRelayStatus {
  name: string;
  topic: string;
  role: EventRelayRole;
  /** When this instance last tried to take the lock (a live standby keeps updating it). */
  lastLockAttemptAt?: Date;
  /** Global position of the last event the broker acknowledged (and the checkpoint now holds). */
  lastPublishedPosition?: string;
  lastPublishedAt?: Date;
  /** When the last published event was recorded in the store. */
  lastPublishedEventRecordedAt?: Date;
  /** Store-to-broker delay of the last published event, in ms. */
  lastPublishDelayMs?: number;
  /** Events / batches published by this instance since start. */
  publishedEvents: number;
  publishedBatches: number;
  lastError?: string;
}

/**
 * Relays the events of an event store to the context's Kafka topic as CloudEvents, in order,
 * at least once. The checkpoint (last acknowledged global position) is stored in PostgreSQL
 * only after the broker acknowledged the batch, so a crash resends a batch but never loses one.
 *
 * Only the holder of a session-level advisory lock publishes; other instances with the same
 * name are hot standbys that retry every `retryMs`.
 */
export class EventRelay {
  private readonly topic: string;
  private readonly subjectOf: SubjectOf;
  private readonly logger: MessagingLogger;
  private readonly table: string;
  private readonly lockKey: string;
  private running = false;
  private loop: Promise<void> | undefined;
  private subscription: Subscription | undefined;
  private wake: (() => void) | undefined;
  private current: EventRelayStatus;

  constructor(private readonly options: EventRelayOptions) {
    this.topic = options.topic ?? contextTopic(options.context);
    this.subjectOf = options.subjectOf ?? defaultSubjectOf;
    this.logger = options.logger ?? new JsonLogger('messaging.relay');
    this.table = `${quoteIdent(options.schema)}.relay_checkpoints`;
    this.lockKey = relayLockKey(options.schema, options.name);
    this.current = {
      name: options.name,
      topic: this.topic,
      role: 'stopped',
      publishedEvents: 0,
      publishedBatches: 0,
    };
  }

  /** Creates the schema and the checkpoint table if missing (safe concurrently). */
  async migrate(): Promise<void> {
    const client = await this.options.pool.connect();
    try {
      await client.query('BEGIN');
      await client.query('SELECT pg_advisory_xact_lock($1::bigint)', [
        relayLockKey('migrate', 'relay_checkpoints'),
      ]);
      await client.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(this.options.schema)}`);
      await client.query(
        `CREATE TABLE IF NOT EXISTS ${this.table} (
           relay_name text PRIMARY KEY,
           position text NOT NULL,
           updated_at timestamptz NOT NULL DEFAULT now()
         )`,
      );
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  /** Starts competing for leadership in the background; resolves at once. */
  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    this.current = { ...this.current, role: 'standby' };
    this.loop = this.run();
  }

  /** Stops publishing after the batch in flight and releases the lock. */
  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.subscription?.stop();
    await this.loop;
    this.loop = undefined;
    this.current = { ...this.current, role: 'stopped' };
  }

  status(): EventRelayStatus {
    return { ...this.current };
  }

  /** The stored checkpoint, if any. */
  async checkpoint(): Promise<Position | undefined> {
    const { rows } = await this.options.pool.query<{ position: string }>(
      `SELECT position FROM ${this.table} WHERE relay_name = $1`,
      [this.options.name],
    );
    return rows[0] ? positionFromString(rows[0].position) : undefined;
  }

  private async run(): Promise<void> {
    while (this.running) {
      try {
        await this.leadOnce();
      } catch (error) {
        this.fail('relay cycle failed', error);
      }
      if (this.running) await this.sleep(this.options.retryMs ?? 5000);
    }
  }

  /** One attempt: take the lock, then relay until stopped or failed. */
  private async leadOnce(): Promise<void> {
    const client = await this.options.pool.connect();
    const onConnectionError = (error: Error): void => {
      this.fail('lock connection lost', error);
      void this.subscription?.stop();
    };
    client.on('error', onConnectionError);
    try {
      const { rows } = await client.query<{ locked: boolean }>(
        'SELECT pg_try_advisory_lock($1::bigint) AS locked',
        [this.lockKey],
      );
      this.current = { ...this.current, lastLockAttemptAt: new Date() };
      if (!rows[0]?.locked || !this.running) {
        this.current = { ...this.current, role: this.running ? 'standby' : 'stopped' };
        return;
      }
      this.current = { ...this.current, role: 'leader' };
      this.logger.log('info', 'relay leading', { relay: this.options.name, topic: this.topic });
      const { rows: cp } = await client.query<{ position: string }>(
        `SELECT position FROM ${this.table} WHERE relay_name = $1`,
        [this.options.name],
      );
      const after = cp[0] ? positionFromString(cp[0].position) : undefined;
      const subscription = this.options.store.subscribeToAll({
        ...(after ? { after } : {}),
        batchSize: this.options.batchSize ?? 100,
        handler: (events) => this.publishBatch(client, events),
        onError: (error) => this.fail('relay subscription failed', error),
      });
      this.subscription = subscription;
      if (!this.running) await subscription.stop(); // stop() raced with the take-over
      await subscription.done;
    } finally {
      this.subscription = undefined;
      this.current = { ...this.current, role: this.running ? 'standby' : 'stopped' };
      client.off('error', onConnectionError);
      // Destroying the session releases the advisory lock, whatever state the connection is in.
      client.release(true);
    }
  }

  private async publishBatch(client: PoolClient, events: RecordedEvent[]): Promise<void> {
    if (events.length === 0) return;
    const tracer = messagingTracer();
    const spans: Span[] = [];
    const publishes = this.options.publishes ?? (() => true);
    const records = events.filter(publishes).map((event) => {
      const record = toRelayRecord(this.options.context, event, this.subjectOf);
      const parent = extractTraceContext({
        traceparent: event.metadata.traceparent,
        tracestate: event.metadata.tracestate,
      });
      const span = tracer.startSpan(
        `${this.topic} publish`,
        {
          kind: SpanKind.PRODUCER,
          attributes: {
            'messaging.system': 'kafka',
            'messaging.operation.type': 'send',
            'messaging.destination.name': this.topic,
            'messaging.message.id': event.id,
            'messaging.kafka.message.key': record.key,
            'cloudevents.event_id': event.id,
            'cloudevents.event_type': record.headers.ce_type,
          },
        },
        parent,
      );
      injectSpanContext(span, record.headers); // consumers continue the trace from this span
      spans.push(span);
      return record;
    });
    try {
      await this.options.publisher.publish(this.topic, records);
    } catch (error) {
      for (const span of spans) {
        span.recordException(error instanceof Error ? error : String(error));
        span.setStatus({ code: SpanStatusCode.ERROR });
        span.end();
      }
      throw error;
    }
    for (const span of spans) span.end();
    const last = events[events.length - 1];
    const position = positionToString(last.position);
    await client.query(
      `INSERT INTO ${this.table} (relay_name, position, updated_at) VALUES ($1, $2, now())
       ON CONFLICT (relay_name) DO UPDATE SET position = EXCLUDED.position, updated_at = now()`,
      [this.options.name, position],
    );
    const now = new Date();
    this.current = {
      ...this.current,
      lastPublishedPosition: position,
      lastPublishedAt: now,
      lastPublishedEventRecordedAt: last.recordedAt,
      lastPublishDelayMs: now.getTime() - last.recordedAt.getTime(),
      publishedEvents: this.current.publishedEvents + records.length,
      publishedBatches: this.current.publishedBatches + 1,
    };
  }

  private fail(message: string, error: unknown): void {
    this.current = { ...this.current, lastError: error instanceof Error ? error.message : String(error) };
    this.logger.log('error', message, { relay: this.options.name, topic: this.topic, ...errorFields(error) });
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    });
  }
}

/** Advisory lock key (signed 64-bit, as text) of a relay: stable across processes and versions. */
export function relayLockKey(schema: string, name: string): string {
  return createHash('sha256').update(`crm-relay:${schema}:${name}`).digest().readBigInt64BE(0).toString();
}
