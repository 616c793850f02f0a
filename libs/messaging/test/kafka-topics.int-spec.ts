import { ConfigResourceTypes, Kafka } from 'kafkajs';
import { KafkaBus, deadLetterTopic } from '@crm/messaging';
import { KAFKA_BROKERS, deleteTopics, plainKafka, quietLogger, uniqueSuffix } from './support';

// The integration project's testTimeout does not reach the tests (jest projects); set it here.
jest.setTimeout(60_000);

/** Partitions and retention settings of topics, read back from the broker. */
async function topicSettings(kafka: Kafka, topics: string[]) {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const metadata = await admin.fetchTopicMetadata({ topics });
    const configs = await admin.describeConfigs({
      includeSynonyms: false,
      resources: topics.map((name) => ({
        type: ConfigResourceTypes.TOPIC,
        name,
        configNames: ['retention.ms', 'retention.bytes'],
      })),
    });
    return topics.map((topic) => {
      const entries = configs.resources.find((r) => r.resourceName === topic)?.configEntries ?? [];
      return {
        topic,
        partitions: metadata.topics.find((t) => t.name === topic)?.partitions.length,
        ...Object.fromEntries(entries.map((e) => [e.configName, e.configValue])),
      };
    });
  } finally {
    await admin.disconnect();
  }
}

describe('KafkaBus topics', () => {
  const kafka = plainKafka();
  const created: string[] = [];
  let bus: KafkaBus;

  beforeEach(() => {
    bus = new KafkaBus({
      brokers: KAFKA_BROKERS,
      clientId: `it-topics-${uniqueSuffix()}`,
      logger: quietLogger,
    });
  });

  afterEach(async () => {
    jest.restoreAllMocks();
    await bus.disconnect();
    await deleteTopics(kafka, created.splice(0));
  });

  it('creates topics and their dead-letter topics that keep events for ever, with the partitions asked for', async () => {
    const topic = `it.topics.${uniqueSuffix()}`;
    created.push(topic, deadLetterTopic(topic));
    expect(await bus.ensureTopics([{ topic, partitions: 2, deadLetterTopic: true }])).toEqual([]);
    expect(await topicSettings(kafka, [topic, deadLetterTopic(topic)])).toEqual([
      { topic, partitions: 2, 'retention.ms': '-1', 'retention.bytes': '-1' },
      { topic: `${topic}.dlq`, partitions: 2, 'retention.ms': '-1', 'retention.bytes': '-1' },
    ]);
    // Idempotent, and what it created matches: no warning.
    expect(await bus.ensureTopics([{ topic, partitions: 2, deadLetterTopic: true }])).toEqual([]);
  });

  it('lets four services create the same new topics at once, as the platform starts (no "does not host this topic-partition")', async () => {
    const topics = [0, 1, 2].map(() => `it.race.${uniqueSuffix()}`);
    created.push(...topics, ...topics.map(deadLetterTopic));
    const specs = topics.map((topic) => ({ topic, partitions: 3, deadLetterTopic: true }));
    const buses = [0, 1, 2, 3].map(
      (i) =>
        new KafkaBus({
          brokers: KAFKA_BROKERS,
          clientId: `it-race-${i}-${uniqueSuffix()}`,
          logger: quietLogger,
        }),
    );
    try {
      const warnings = await Promise.all(buses.map((b) => b.ensureTopics(specs)));
      expect(warnings.flat().filter((w) => w.setting !== 'metadata')).toEqual([]);
      const settings = await topicSettings(kafka, [...topics, ...topics.map(deadLetterTopic)]);
      expect(settings.map((t) => t.partitions)).toEqual([3, 3, 3, 3, 3, 3]);
    } finally {
      await Promise.all(buses.map((b) => b.disconnect()));
    }
  });

  it('reports an existing topic that differs, without changing it or failing', async () => {
    const topic = `it.topics.${uniqueSuffix()}`;
    created.push(topic);
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({
      waitForLeaders: true,
      topics: [{ topic, numPartitions: 1, configEntries: [{ name: 'retention.ms', value: '3600000' }] }],
    });
    await admin.disconnect();

    const warnings = await bus.ensureTopics([{ topic, partitions: 3 }]);
    expect(warnings).toEqual([
      { topic, setting: 'partitions', expected: '3', actual: '1' },
      { topic, setting: 'retention.ms', expected: '-1', actual: '3600000' },
    ]);
    expect(bus.topicConfigWarnings()).toEqual(warnings);
    expect(await topicSettings(kafka, [topic])).toEqual([
      { topic, partitions: 1, 'retention.ms': '3600000', 'retention.bytes': '-1' },
    ]);
  });

  it('shares one admin connection between topic creation, readiness pings and lag queries', async () => {
    const admins = jest.spyOn(Kafka.prototype, 'admin');
    const topic = `it.topics.${uniqueSuffix()}`;
    created.push(topic);
    await bus.ensureTopics([{ topic, partitions: 1 }]);
    for (let i = 0; i < 10; i++) {
      await bus.ping();
      await bus.consumerLag(`it-lag-${uniqueSuffix()}`, [topic]);
    }
    expect(admins).toHaveBeenCalledTimes(1);
  });
});
