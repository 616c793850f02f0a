import type { ConnectionOptions } from 'node:tls';
import {
  Kafka,
  Partitioners,
  logLevel as KafkaLogLevel,
  type Admin,
  type logCreator,
  type Producer,
  type SASLOptions,
} from 'kafkajs';
import { JsonLogger, type LogLevel, type MessagingLogger } from '../log/json-logger';
import type {
  ConsumerGroupAdmin,
  GroupOffsets,
  MessagePublisher,
  MessageSubscriber,
  MessageSubscription,
  OutgoingRecord,
  SubscribeOptions,
  TopicAdmin,
  TopicConfigWarning,
  TopicOffsets,
  TopicSpec,
} from '../message-bus.port';
import { GroupMember, type GroupMemberTuning } from './group-member';
import { kafkajsIdleTimerFix } from './kafkajs-idle-timer';
import { ensureTopicsWith, expandTopicSpecs } from './kafka-topics';

export { decodeHeaders } from './kafka-messages';

/** Connection and tuning of the Kafka adapter. */
export interface KafkaBusConfig {
  /** Bootstrap brokers, `host:port`. */
  brokers: string[];
  clientId: string;
  /** TLS to the brokers: `true` (Node's CAs) or Node TLS options (e.g. `ca`). Default: plaintext. */
  ssl?: true | ConnectionOptions;
  /** SASL authentication (PLAIN, SCRAM-SHA-256/512). Default: none. */
  sasl?: SASLOptions;
  /** Least severe kafkajs log written (default `warn`). */
  logLevel?: LogLevel;
  /** Where logs go (default: JSON lines on stdout). */
  logger?: MessagingLogger;
  /** Consumer group tuning (kafkajs defaults otherwise). */
  consumer?: GroupMemberTuning;
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

/**
 * The Kafka adapter of the messaging port (kafkajs).
 *
 * - Producer: idempotent, one request in flight, `acks=-1`: per-partition order is kept and
 *   broker-side retries do not duplicate. After a failed send the producer is recreated.
 * - Consumers: `eachBatch` without auto-resolve; the last offset is resolved and committed only
 *   after `handleBatch` resolved (no interval-based commits), with heartbeats while it runs. A
 *   consumer that crashes is started again (see {@link GroupMember}).
 * - Admin: one connection, shared by readiness probes, lag metrics and topic creation. Topics are
 *   created with their settings (events kept for ever by default); existing topics that differ
 *   are reported, never changed.
 */
export class KafkaBus implements MessagePublisher, MessageSubscriber, TopicAdmin, ConsumerGroupAdmin {
  private readonly kafka: Kafka;
  private readonly logger: MessagingLogger;
  private producerReady: Promise<Producer> | undefined;
  private adminReady: Promise<Admin> | undefined;
  private readonly members = new Set<GroupMember>();
  private warnings: TopicConfigWarning[] = [];

  constructor(private readonly config: KafkaBusConfig) {
    this.logger = config.logger ?? new JsonLogger('messaging.kafka', config.logLevel ?? 'warn');
    if (!kafkajsIdleTimerFix())
      this.logger.log('warn', 'kafkajs is not the version its idle-timer fix was written for', {
        component: 'kafkajs',
      });
    this.kafka = new Kafka({
      clientId: config.clientId,
      brokers: config.brokers,
      ...(config.ssl ? { ssl: config.ssl } : {}),
      ...(config.sasl ? { sasl: config.sasl } : {}),
      logLevel: KAFKA_LEVELS[config.logLevel ?? 'warn'],
      logCreator: kafkaLogCreator(this.logger),
    });
  }

  /** Connects the producer now rather than on the first publish (optional). */
  async connect(): Promise<void> {
    await this.producer();
  }

  async publish(topic: string, records: OutgoingRecord[]): Promise<void> {
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
    return this.subscribeTuned(options, {});
  }

  /**
   * A subscriber on this bus whose consumers take `tuning` over the bus's consumer tuning (e.g.
   * larger fetches for a consumer that reads whole topics from offset 0).
   */
  withConsumerTuning(tuning: GroupMemberTuning): MessageSubscriber {
    return { subscribe: (options) => this.subscribeTuned(options, tuning) };
  }

  private async subscribeTuned(
    options: SubscribeOptions,
    tuning: GroupMemberTuning,
  ): Promise<MessageSubscription> {
    const member = new GroupMember(this.kafka, options, { ...this.config.consumer, ...tuning }, this.logger);
    await member.start();
    this.members.add(member);
    return {
      stop: async () => {
        this.members.delete(member);
        await member.stop();
      },
    };
  }

  /** Resolves when a broker answers a metadata request (for readiness probes). */
  async ping(): Promise<void> {
    await this.withAdmin((admin) => admin.describeCluster());
  }

  async ensureTopics(topics: TopicSpec[]): Promise<TopicConfigWarning[]> {
    const found = await this.withAdmin((admin) => ensureTopicsWith(admin, topics));
    const checked = new Set(expandTopicSpecs(topics).map((t) => t.topic));
    this.warnings = [...this.warnings.filter((w) => !checked.has(w.topic)), ...found];
    for (const warning of found) {
      this.logger.log('warn', 'existing topic differs from the configuration; left unchanged', {
        ...warning,
      });
    }
    return found;
  }

  /** How existing topics differ from what {@link ensureTopics} asked for (for metrics and readiness). */
  topicConfigWarnings(): TopicConfigWarning[] {
    return [...this.warnings];
  }

  /** Stops every consumer (after their batch in flight) and disconnects the producer and admin. */
  async disconnect(): Promise<void> {
    const members = [...this.members];
    this.members.clear();
    await Promise.allSettled(members.map((member) => member.stop()));
    const producer = this.producerReady;
    this.producerReady = undefined;
    if (producer) await (await producer.catch(() => undefined))?.disconnect();
    const admin = this.adminReady;
    this.adminReady = undefined;
    if (admin) await (await admin.catch(() => undefined))?.disconnect();
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

  /** Runs `use` on the shared admin client; after a failure the next call connects afresh. */
  private async withAdmin<T>(use: (admin: Admin) => Promise<T>): Promise<T> {
    if (!this.adminReady) {
      const admin = this.kafka.admin();
      const connecting = admin.connect().then(() => admin);
      connecting.catch(() => {
        if (this.adminReady === connecting) this.adminReady = undefined;
      });
      this.adminReady = connecting;
    }
    const ready = this.adminReady;
    const admin = await ready;
    try {
      return await use(admin);
    } catch (error) {
      if (this.adminReady === ready) {
        this.adminReady = undefined;
        await admin.disconnect().catch(() => undefined);
      }
      throw error;
    }
  }

  /**
   * How many messages the group has yet to consume, per topic (end offsets minus committed
   * offsets, summed over partitions; a partition the group never committed counts from its start).
   */
  async consumerLag(groupId: string, topics: string[]): Promise<Record<string, number>> {
    const [ends, committed] = [await this.topicOffsets(topics), await this.groupOffsets(groupId, topics)];
    return Object.fromEntries(
      topics.map((topic) => [
        topic,
        ends[topic].reduce((sum, p) => {
          const done = committed[topic]?.[p.partition] ?? -1;
          return sum + p.high - (done >= 0 ? done : p.low);
        }, 0),
      ]),
    );
  }

  async topicOffsets(topics: string[]): Promise<TopicOffsets> {
    return this.withAdmin(async (admin) => {
      const existing = new Set(await admin.listTopics());
      const out: TopicOffsets = {};
      for (const topic of topics)
        out[topic] = existing.has(topic)
          ? (await admin.fetchTopicOffsets(topic)).map((p) => ({
              partition: p.partition,
              low: Number(p.low),
              high: Number(p.high),
            }))
          : [];
      return out;
    });
  }

  async groupOffsets(groupId: string, topics: string[]): Promise<GroupOffsets> {
    return this.withAdmin(async (admin) => {
      const fetched = await admin.fetchOffsets({ groupId, topics });
      return Object.fromEntries(
        fetched.map(({ topic, partitions }) => [
          topic,
          Object.fromEntries(partitions.map((p) => [p.partition, Number(p.offset)])),
        ]),
      );
    });
  }

  async forgetGroup(groupId: string): Promise<void> {
    await this.withAdmin(async (admin) => {
      try {
        await admin.deleteGroups([groupId]);
      } catch (error) {
        const groups = (error as { groups?: { error?: { type?: string } }[] }).groups ?? [];
        const onlyMissing = groups.length > 0 && groups.every((g) => g.error?.type === 'GROUP_ID_NOT_FOUND');
        if (!onlyMissing)
          throw new Error(
            `cannot reset the consumer group ${groupId} (in use by another deployment? give each its own KAFKA_GROUP_PREFIX): ${String(error)}`,
            { cause: error },
          );
      }
    });
  }
}
