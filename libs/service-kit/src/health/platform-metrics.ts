import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import type { ExactlyOnceConsumerStats } from '@crm/messaging';
import type { PlatformRuntime } from '../platform/platform-runtime';

/** What the metrics read from the platform runtime, at each scrape. */
export type MetricsSource = Pick<
  PlatformRuntime,
  'relay' | 'bus' | 'deadLetters' | 'store' | 'projectionConsumers' | 'auditSealer'
>;

type Sample = [labels: Record<string, string>, value: number];

interface MetricSpec {
  type: 'counter' | 'gauge';
  name: string;
  help: string;
  labelNames: string[];
  read: () => Sample[] | Promise<Sample[]>;
}

/**
 * Registers a metric whose samples are read when Prometheus scrapes: the relay and the consumers
 * keep their own totals, nothing is counted here. A read that fails (database or broker
 * unreachable) leaves the metric without samples for this scrape instead of failing the scrape.
 */
function register(registry: Registry, { type, name, help, labelNames, read }: MetricSpec): void {
  async function collect(this: Counter | Gauge) {
    const samples = await Promise.resolve()
      .then(read)
      .catch((): Sample[] => []);
    this.reset();
    // Without labels, prom-client would show the 0 reset() sets, a value nobody read.
    if (samples.length === 0) this.remove({});
    for (const [labels, value] of samples) this.inc(labels, value);
  }
  const configuration = { name, help, labelNames, registers: [registry], collect };
  if (type === 'counter') new Counter(configuration);
  else new Gauge(configuration);
}

/** Per-consumer numbers from the consumers' own stats, labelled `consumer`. */
const CONSUMER_STATS: [MetricSpec['type'], string, string, (s: ExactlyOnceConsumerStats) => number][] = [
  [
    'counter',
    'crm_consumer_processed_total',
    'Events applied exactly once by this consumer',
    (s) => s.processed,
  ],
  [
    'counter',
    'crm_consumer_skipped_duplicates_total',
    'Redelivered events skipped because they were already applied',
    (s) => s.skippedDuplicates,
  ],
  [
    'counter',
    'crm_consumer_ignored_total',
    'Valid events this consumer has no handler for: acknowledged without a transaction',
    (s) => s.ignored,
  ],
  [
    'counter',
    'crm_consumer_failed_batches_total',
    'Batch transactions that failed and were rolled back',
    (s) => s.failedBatches,
  ],
  [
    'counter',
    'crm_consumer_retries_total',
    'Batches attempted again after a failure and a backoff',
    (s) => s.retries,
  ],
  [
    'counter',
    'crm_consumer_restarts_total',
    'Times the Kafka consumer was started again after a crash',
    (s) => s.restarts,
  ],
  [
    'gauge',
    'crm_consumer_running',
    '1 while the consumer is in its group, 0 when stopped',
    (s) => Number(s.running),
  ],
  [
    'gauge',
    'crm_consumer_retrying',
    '1 while the consumer retries a batch that keeps failing',
    (s) => Number(Boolean(s.retrying)),
  ],
];

/**
 * A Prometheus registry of its own for one service (two services in one process do not share
 * one): Node's process metrics; relay state; per projection or reaction, progress, lag, retries
 * and dead letters; topics whose configuration differs from the service's; the event store fence.
 */
export function platformMetrics(runtime: MetricsSource): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const add = (spec: MetricSpec) => register(registry, spec);
  const consumers = () => runtime.projectionConsumers().map((c) => ({ ...c, stats: c.consumer.stats() }));
  const relay = () => runtime.relay.status();
  const fence = async () => runtime.store.fenceStatus?.();

  add({
    type: 'gauge',
    name: 'crm_audit_chain_intact',
    help: 'Last scheduled audit seal of this instance: 1 every hash chain verified and sealed, 0 a broken link (see the error log); absent before the first',
    labelNames: [],
    read: () => {
      const intact = runtime.auditSealer?.status.intact;
      return intact === undefined ? [] : [[{}, intact ? 1 : 0]];
    },
  });
  add({
    type: 'gauge',
    name: 'crm_relay_leader',
    help: '1 while this instance publishes the service events to Kafka, 0 on standby',
    labelNames: ['relay'],
    read: () => {
      const { name, role } = relay();
      return [[{ relay: name }, role === 'leader' ? 1 : 0]];
    },
  });
  add({
    type: 'counter',
    name: 'crm_relay_published_events_total',
    help: 'Events this instance published to Kafka',
    labelNames: ['relay'],
    read: () => {
      const { name, publishedEvents } = relay();
      return [[{ relay: name }, publishedEvents]];
    },
  });
  add({
    type: 'gauge',
    name: 'crm_relay_publish_delay_ms',
    help: 'Store-to-broker delay of the last published event',
    labelNames: ['relay'],
    read: () => {
      const { name, lastPublishDelayMs } = relay();
      return lastPublishDelayMs === undefined ? [] : [[{ relay: name }, lastPublishDelayMs]];
    },
  });
  for (const [type, name, help, value] of CONSUMER_STATS)
    add({
      type,
      name,
      help,
      labelNames: ['consumer'],
      read: () => consumers().map((c) => [{ consumer: c.name }, value(c.stats)]),
    });
  add({
    type: 'counter',
    name: 'crm_consumer_replays_total',
    help: 'Replays of parked records, per outcome (replayed, failed)',
    labelNames: ['consumer', 'outcome'],
    read: () =>
      consumers().flatMap(({ name, stats }) =>
        Object.entries(stats.replays).map(([outcome, count]): Sample => [{ consumer: name, outcome }, count]),
      ),
  });
  add({
    type: 'counter',
    name: 'crm_consumer_dead_letters_total',
    help: 'Records this instance parked (dead-lettered), per reason: invalid-cloudevent, contract-violation, handler-failed',
    labelNames: ['consumer', 'reason'],
    read: () =>
      consumers().flatMap(({ name, stats }) =>
        Object.entries(stats.deadLettered).map(([reason, count]): Sample => [
          { consumer: name, reason },
          count,
        ]),
      ),
  });
  add({
    type: 'gauge',
    name: 'crm_consumer_parked_dead_letters',
    help: 'Parked records not replayed yet, per reason (all instances)',
    labelNames: ['consumer', 'reason'],
    read: async () =>
      (await runtime.deadLetters.parkedCounts()).map(({ consumer, reason, count }) => [
        { consumer, reason },
        count,
      ]),
  });
  add({
    type: 'gauge',
    name: 'crm_consumer_last_event_age_seconds',
    help: 'Age of the last applied event when it was applied',
    labelNames: ['consumer'],
    read: () =>
      consumers().flatMap(({ name, stats: { lastEventTime, lastProcessedAt } }): Sample[] =>
        lastEventTime && lastProcessedAt
          ? [[{ consumer: name }, (lastProcessedAt.getTime() - Date.parse(lastEventTime)) / 1000]]
          : [],
      ),
  });
  add({
    type: 'gauge',
    name: 'crm_consumer_lag_messages',
    help: 'Messages on the topic the consumer group has not consumed yet',
    labelNames: ['consumer', 'topic'],
    read: async () => {
      const samples: Sample[] = [];
      for (const { name, groupId, topics } of runtime.projectionConsumers()) {
        const lag = await runtime.bus.consumerLag(groupId, topics).catch(() => ({}));
        for (const [topic, value] of Object.entries(lag)) samples.push([{ consumer: name, topic }, value]);
      }
      return samples;
    },
  });
  add({
    type: 'gauge',
    name: 'crm_kafka_topic_config_mismatch',
    help: 'Existing topics whose partitions or settings differ from the configuration (left unchanged)',
    labelNames: ['topic', 'setting'],
    read: () => runtime.bus.topicConfigWarnings().map(({ topic, setting }) => [{ topic, setting }, 1]),
  });
  add({
    type: 'gauge',
    name: 'crm_event_store_fence_held_events',
    help: 'Committed events readers cannot see yet: an older transaction still runs on the cluster',
    labelNames: [],
    read: async () => {
      const status = await fence();
      return status ? [[{}, status.heldEvents]] : [];
    },
  });
  add({
    type: 'gauge',
    name: 'crm_event_store_fence_holder_age_seconds',
    help: 'Age of the transaction holding events back, while it does',
    labelNames: ['pid', 'database', 'application'],
    read: async () => {
      const holder = (await fence())?.holder;
      if (!holder) return [];
      const labels = {
        pid: String(holder.pid),
        database: holder.database ?? '',
        application: holder.application ?? '',
      };
      return [[labels, holder.ageSeconds]];
    },
  });
  return registry;
}
