import {
  Kafka,
  Partitioners,
  logLevel as KafkaLogLevel,
  type Admin,
  type Consumer,
  type EachBatchPayload,
  type IHeaders,
  type KafkaMessage,
  type logCreator,
  type Producer,
} from 'kafkajs';
import type { KafkaRecord } from '@crm/contracts';
import { JsonLogger, errorFields, type LogLevel, type MessagingLogger } from '../log/json-logger';
import type {
  IncomingMessage,
  MessagePublisher,
  MessageSubscriber,
  MessageSubscription,
  SubscribeOptions,
  TopicAdmin,
  TopicSpec,
} from '../message-bus.port';

/** Connection and tuning of the Kafka adapter. */
export interface KafkaBusConfig {
  /** Bootstrap brokers, `host:port`. */
  brokers: string[];
  clientId: string;
  /** Least severe kafkajs log written (default `warn`). */
  logLevel?: LogLevel;
  /** Where logs go (default: JSON lines on stdout). */
  logger?: MessagingLogger;
  /** Consumer group tuning (kafkajs defaults otherwise). */
  consumer?: {
    sessionTimeoutMs?: number;
    heartbeatIntervalMs?: number;
    /** Longest a fetch waits for new data; lower means faster stop() and lower latency on idle topics. */
    maxWaitTimeMs?: number;
  };
}

const KAFKA_LEVELS: Record<LogLevel, KafkaLogLevel> = {
  debug: KafkaLogLevel.DEBUG,
  info: KafkaLogLevel.INFO,
  warn: KafkaLogLevel.WARN,
  error: KafkaLogLevel.ERROR,
};

function fromKafkaLevel(level: KafkaLogLevel): LogLevel {
  if (level <= KafkaLogLevel.ERROR) return 'error';
  if (level === KafkaLogLevel.WARN) return 'warn';
  if (level === KafkaLogLevel.INFO) return 'info';
  return 'debug';
}

/** A kafkajs logCreator forwarding to a {@link MessagingLogger}, one line per entry. */
export function kafkaLogCreator(logger: MessagingLogger): logCreator {
  return () =>
    ({ namespace, level, log }) => {
      const { message, timestamp: _timestamp, ...extra } = log;
      logger.log(fromKafkaLevel(level), String(message), { component: 'kafkajs', namespace, ...extra });
    };
}

/** Decodes kafkajs headers to strings (the last value wins for a repeated header). */
export function decodeHeaders(headers: IHeaders | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, raw] of Object.entries(headers ?? {})) {
    const value = Array.isArray(raw) ? raw[raw.length - 1] : raw;
    if (value !== undefined) out[name] = value.toString();
  }
  return out;
}

function toIncoming(topic: string, partition: number, m: KafkaMessage): IncomingMessage {
  return {
    topic,
    partition,
    offset: m.offset,
    key: m.key === null ? null : m.key.toString(),
    headers: decodeHeaders(m.headers),
    value: m.value,
    timestamp: m.timestamp,
  };
}

/**
 * The Kafka adapter of the messaging port (kafkajs).
 *
 * - Producer: idempotent, one request in flight, `acks=-1`: per-partition order is kept and
 *   broker-side retries do not duplicate. After a failed send the producer is recreated.
 * - Consumers: `eachBatch` without auto-resolve; the last offset is resolved and committed only
 *   after `handleBatch` resolved (no interval-based commits), with heartbeats while it runs.
 * - Admin: creates missing topics.
 */
export class KafkaBus implements MessagePublisher, MessageSubscriber, TopicAdmin {
  private readonly kafka: Kafka;
  private readonly logger: MessagingLogger;
  private producerReady: Promise<Producer> | undefined;
  private readonly consumers = new Set<Consumer>();

  constructor(private readonly config: KafkaBusConfig) {
    this.logger = config.logger ?? new JsonLogger('messaging.kafka', config.logLevel ?? 'warn');
    this.kafka = new Kafka({
      clientId: config.clientId,
      brokers: config.brokers,
      logLevel: KAFKA_LEVELS[config.logLevel ?? 'warn'],
      logCreator: kafkaLogCreator(this.logger),
    });
  }

  /** Connects the producer now rather than on the first publish (optional). */
  async connect(): Promise<void> {
    await this.producer();
  }

  async publish(topic: string, records: KafkaRecord[]): Promise<void> {
    if (records.length === 0) return;
    const ready = this.producer();
    const producer = await ready;
    try {
      await producer.send({
        topic,
        acks: -1,
        messages: records.map((r) => ({ key: r.key, value: r.value, headers: r.headers })),
      });
    } catch (error) {
      // An idempotent producer whose send failed may have a stale sequence; start afresh.
      if (this.producerReady === ready) {
        this.producerReady = undefined;
        await producer.disconnect().catch(() => undefined);
      }
      throw error;
    }
  }

  async subscribe(options: SubscribeOptions): Promise<MessageSubscription> {
    const c = this.config.consumer ?? {};
    const consumer = this.kafka.consumer({
      groupId: options.groupId,
      allowAutoTopicCreation: false,
      ...(c.sessionTimeoutMs !== undefined ? { sessionTimeout: c.sessionTimeoutMs } : {}),
      ...(c.heartbeatIntervalMs !== undefined ? { heartbeatInterval: c.heartbeatIntervalMs } : {}),
      ...(c.maxWaitTimeMs !== undefined ? { maxWaitTimeInMs: c.maxWaitTimeMs } : {}),
    });
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      this.logger.log(payload.restart ? 'warn' : 'error', 'consumer crashed', {
        groupId: options.groupId,
        restart: payload.restart,
        ...errorFields(payload.error),
      });
      if (!payload.restart) options.onError?.(payload.error);
    });
    const heartbeatEveryMs = Math.max(500, Math.floor((c.heartbeatIntervalMs ?? 3000) / 2));
    try {
      await consumer.connect();
      await consumer.subscribe({ topics: options.topics, fromBeginning: options.fromBeginning });
      await consumer.run({
        autoCommit: true,
        autoCommitInterval: null,
        // With a threshold of 1, commitOffsetsIfNecessary() commits whatever was resolved.
        autoCommitThreshold: 1,
        eachBatchAutoResolve: false,
        partitionsConsumedConcurrently: 1,
        eachBatch: (payload) => this.runBatch(payload, options.handleBatch, heartbeatEveryMs),
      });
    } catch (error) {
      await consumer.disconnect().catch(() => undefined);
      throw error;
    }
    this.consumers.add(consumer);
    return {
      stop: async () => {
        this.consumers.delete(consumer);
        await consumer.disconnect();
      },
    };
  }

  /** Resolves when a broker answers a metadata request (for readiness probes). */
  async ping(): Promise<void> {
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      await admin.describeCluster();
    } finally {
      await admin.disconnect();
    }
  }

  async ensureTopics(topics: TopicSpec[]): Promise<void> {
    if (topics.length === 0) return;
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      const missing = await this.missingTopics(admin, topics);
      if (missing.length === 0) return;
      try {
        await admin.createTopics({
          waitForLeaders: true,
          topics: missing.map((t) => ({
            topic: t.topic,
            numPartitions: t.partitions,
            ...(t.replicationFactor !== undefined ? { replicationFactor: t.replicationFactor } : {}),
          })),
        });
      } catch (error) {
        // A concurrent creator won some of them (TOPIC_ALREADY_EXISTS mixed with successes).
        if ((await this.missingTopics(admin, missing)).length > 0) throw error;
      }
      // Whoever created them, wait until every partition has a leader: a consumer or producer that
      // comes earlier is told "this server does not host this topic-partition".
      await this.waitForLeaders(
        admin,
        topics.map((t) => t.topic),
      );
    } finally {
      await admin.disconnect();
    }
  }

  private async waitForLeaders(admin: Admin, topics: string[], timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const ready = await admin
        .fetchTopicMetadata({ topics })
        .then((m) =>
          m.topics.every((t) => t.partitions.length > 0 && t.partitions.every((p) => p.leader >= 0)),
        )
        .catch(() => false);
      if (ready) return;
      if (Date.now() > deadline)
        throw new Error(`topics ${topics.join(', ')} have no leaders after ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  /** Stops every consumer (after their batch in flight) and disconnects the producer. */
  async disconnect(): Promise<void> {
    const consumers = [...this.consumers];
    this.consumers.clear();
    await Promise.allSettled(consumers.map((consumer) => consumer.disconnect()));
    const producer = this.producerReady;
    this.producerReady = undefined;
    if (producer) await (await producer.catch(() => undefined))?.disconnect();
  }

  private producer(): Promise<Producer> {
    if (!this.producerReady) {
      const producer = this.kafka.producer({
        idempotent: true,
        maxInFlightRequests: 1,
        allowAutoTopicCreation: false,
        createPartitioner: Partitioners.DefaultPartitioner,
      });
      const ready = producer.connect().then(() => producer);
      ready.catch(() => {
        if (this.producerReady === ready) this.producerReady = undefined;
      });
      this.producerReady = ready;
    }
    return this.producerReady;
  }

  /**
   * How many messages the group has yet to consume, per topic (end offsets minus committed
   * offsets, summed over partitions; a partition the group never committed counts from its start).
   */
  async consumerLag(groupId: string, topics: string[]): Promise<Record<string, number>> {
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      const committed = await admin.fetchOffsets({ groupId, topics });
      const lag: Record<string, number> = {};
      for (const topic of topics) {
        const ends = await admin.fetchTopicOffsets(topic);
        const group = committed.find((c) => c.topic === topic)?.partitions ?? [];
        lag[topic] = ends.reduce((sum, p) => {
          const done = Number(group.find((g) => g.partition === p.partition)?.offset ?? -1);
          return sum + Number(p.high) - (done >= 0 ? done : Number(p.low));
        }, 0);
      }
      return lag;
    } finally {
      await admin.disconnect();
    }
  }

  private async missingTopics(admin: Admin, topics: TopicSpec[]): Promise<TopicSpec[]> {
    const existing = new Set(await admin.listTopics());
    return topics.filter((t) => !existing.has(t.topic));
  }

  private async runBatch(
    payload: EachBatchPayload,
    handle: (messages: IncomingMessage[]) => Promise<void>,
    heartbeatEveryMs: number,
  ): Promise<void> {
    const { batch } = payload;
    if (batch.messages.length === 0 || !payload.isRunning() || payload.isStale()) return;
    const messages = batch.messages.map((m) => toIncoming(batch.topic, batch.partition, m));
    const timer = setInterval(() => {
      payload.heartbeat().catch(() => undefined); // a rebalance surfaces at commit time
    }, heartbeatEveryMs);
    try {
      await handle(messages);
    } finally {
      clearInterval(timer);
    }
    payload.resolveOffset(messages[messages.length - 1].offset);
    await payload.commitOffsetsIfNecessary();
  }
}
