import { ConfigResourceTypes, type Admin } from 'kafkajs';
import { deadLetterTopic, type TopicConfigWarning, type TopicSpec } from '../message-bus.port';

/** Events are the system of record: topics keep them for ever unless a spec says otherwise. */
export const KEEP_FOREVER: Readonly<Record<string, string>> = {
  'retention.ms': '-1',
  'retention.bytes': '-1',
};

/** A spec with every setting it asks for. */
type FullTopicSpec = TopicSpec & { config: Record<string, string> };

/** The specs with their dead-letter topics added and their settings completed. */
export function expandTopicSpecs(specs: TopicSpec[]): FullTopicSpec[] {
  const out = new Map<string, FullTopicSpec>();
  for (const spec of specs) {
    const full = { ...spec, config: { ...KEEP_FOREVER, ...spec.config }, deadLetterTopic: false };
    out.set(spec.topic, full);
    if (spec.deadLetterTopic) {
      const dlq = deadLetterTopic(spec.topic);
      out.set(dlq, { ...full, topic: dlq });
    }
  }
  return [...out.values()];
}

async function missingTopics<T extends TopicSpec>(admin: Admin, topics: T[]): Promise<T[]> {
  const existing = new Set(await admin.listTopics());
  return topics.filter((t) => !existing.has(t.topic));
}

/** Waits until every partition of `topics` has a leader (a client that comes earlier is refused). */
export async function waitForLeaders(admin: Admin, topics: string[], timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ready = await admin
      .fetchTopicMetadata({ topics })
      .then((m) => m.topics.every((t) => t.partitions.length > 0 && t.partitions.every((p) => p.leader >= 0)))
      .catch(() => false);
    if (ready) return;
    if (Date.now() > deadline)
      throw new Error(`topics ${topics.join(', ')} have no leaders after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Differences between existing topics and their specs: partition count and the settings asked for. */
export async function topicConfigWarnings(
  admin: Admin,
  specs: FullTopicSpec[],
): Promise<TopicConfigWarning[]> {
  if (specs.length === 0) return [];
  const warnings: TopicConfigWarning[] = [];
  const metadata = await admin.fetchTopicMetadata({ topics: specs.map((s) => s.topic) });
  const described = await admin.describeConfigs({
    includeSynonyms: false,
    resources: specs.map((s) => ({
      type: ConfigResourceTypes.TOPIC,
      name: s.topic,
      configNames: Object.keys(s.config),
    })),
  });
  for (const spec of specs) {
    const partitions = metadata.topics.find((t) => t.name === spec.topic)?.partitions.length;
    if (partitions !== undefined && partitions !== spec.partitions)
      warnings.push({
        topic: spec.topic,
        setting: 'partitions',
        expected: String(spec.partitions),
        actual: String(partitions),
      });
    const entries = described.resources.find((r) => r.resourceName === spec.topic)?.configEntries ?? [];
    for (const [setting, expected] of Object.entries(spec.config)) {
      const actual = entries.find((e) => e.configName === setting)?.configValue;
      if (actual !== undefined && actual !== expected)
        warnings.push({ topic: spec.topic, setting, expected, actual });
    }
  }
  return warnings;
}

/**
 * Creates the missing topics (with their settings) and waits for their leaders; answers how the
 * topics that already existed differ from their specs (they are not changed).
 */
export async function ensureTopicsWith(admin: Admin, specs: TopicSpec[]): Promise<TopicConfigWarning[]> {
  const topics = expandTopicSpecs(specs);
  if (topics.length === 0) return [];
  const missing = await missingTopics(admin, topics);
  const existing = topics.filter((t) => !missing.includes(t));
  const names = topics.map((t) => t.topic);
  if (missing.length > 0) {
    try {
      // Not kafkajs' waitForLeaders: it retries only LEADER_NOT_AVAILABLE, while a broker whose
      // metadata has not caught up with a topic just created answers "does not host this
      // topic-partition" (UNKNOWN_TOPIC_OR_PARTITION); waitForLeaders below tolerates both.
      await admin.createTopics({
        waitForLeaders: false,
        topics: missing.map((t) => ({
          topic: t.topic,
          numPartitions: t.partitions,
          ...(t.replicationFactor !== undefined ? { replicationFactor: t.replicationFactor } : {}),
          configEntries: Object.entries(t.config).map(([name, value]) => ({ name, value })),
        })),
      });
    } catch (error) {
      // A concurrent creator won some of them (TOPIC_ALREADY_EXISTS mixed with successes): fine
      // once they all have leaders; if they never appear, the creation's own error is the reason.
      await waitForLeaders(admin, names).catch(() => {
        throw error;
      });
    }
  }
  // Whoever created them, wait until every partition has a leader: a consumer or producer that
  // comes earlier is told "this server does not host this topic-partition".
  await waitForLeaders(admin, names);
  // The comparison is advisory (health shows it): a broker that cannot yet describe a topic another
  // service has just created ("does not host this topic-partition" while its metadata catches up)
  // is reported as a warning, not a reason to refuse to start.
  return topicConfigWarnings(admin, existing).catch((error: unknown) =>
    existing.map((t) => ({
      topic: t.topic,
      setting: 'metadata',
      expected: 'described by the broker',
      actual: error instanceof Error ? error.message : String(error),
    })),
  );
}
