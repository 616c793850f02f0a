import { Kafka, logLevel, type Admin } from 'kafkajs';
import { kafkaSecurity, type ServiceConfig } from '@crm/service-kit';

/** A partition's watermarks: the first offset it still holds and the offset its next record gets. */
export interface PartitionOffsets {
  partition: number;
  low: number;
  high: number;
}

/** Per topic, its partitions' watermarks (a topic that does not exist: none). */
export type TopicOffsets = Record<string, PartitionOffsets[]>;

/** Per topic and partition, the group's committed offset (-1: none committed yet). */
export type GroupOffsets = Record<string, Record<number, number>>;

/**
 * Reads watermarks and consumer group offsets from the brokers (progress and lag of the
 * generations), and deletes a group's stale offsets. Its own admin connection, with the service's
 * TLS and SASL settings.
 */
export class KafkaOffsets {
  private readonly kafka: Kafka;
  private adminReady: Promise<Admin> | undefined;

  constructor(config: ServiceConfig) {
    this.kafka = new Kafka({
      clientId: 'crm-analytics-offsets',
      brokers: config.kafkaBrokers,
      ...kafkaSecurity(config),
      logLevel: logLevel.NOTHING,
    });
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

  /**
   * Forgets the group's committed offsets, so that it starts from the beginning of its topics: a
   * generation's group is claimed once, when its consumer first starts (a database created afresh
   * numbers its generations from 1 again, while the brokers still hold the old groups' offsets).
   * Refused while the group has members: another deployment uses it (set KAFKA_GROUP_PREFIX).
   */
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

  async close(): Promise<void> {
    const ready = this.adminReady;
    this.adminReady = undefined;
    if (ready) await (await ready.catch(() => undefined))?.disconnect();
  }

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
}
