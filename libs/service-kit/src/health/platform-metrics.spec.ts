import type { ExactlyOnceConsumerStats } from '@crm/messaging';
import type { FenceStatus } from '@crm/event-store';
import { platformMetrics, type MetricsSource } from './platform-metrics';

function stats(overrides: Partial<ExactlyOnceConsumerStats> = {}): ExactlyOnceConsumerStats {
  return {
    running: true,
    processed: 5,
    skippedDuplicates: 1,
    ignored: 0,
    failedBatches: 0,
    retries: 0,
    restarts: 0,
    deadLettered: { 'invalid-cloudevent': 0, 'contract-violation': 1, 'handler-failed': 0 },
    replays: { replayed: 2, failed: 0 },
    ...overrides,
  };
}

/** A runtime as the metrics see it: one relay, the given consumers, a bus, dead letters, a store. */
function runtime(
  options: {
    consumers?: string[];
    fence?: () => Promise<FenceStatus>;
    failing?: boolean;
  } = {},
): MetricsSource {
  const failure = () => Promise.reject(new Error('connection refused'));
  const source = {
    relay: { status: () => ({ name: 'leads-events', role: 'leader', publishedEvents: 7 }) },
    bus: {
      topicConfigWarnings: () => [{ topic: 'crm.leads.events', setting: 'partitions' }],
      consumerLag: options.failing
        ? failure
        : async (_group: string, topics: string[]) => ({ [topics[0]]: 3 }),
    },
    deadLetters: {
      parkedCounts: options.failing
        ? failure
        : async () => [{ consumer: 'lead-summary', reason: 'handler-failed', count: 2 }],
    },
    store: { fenceStatus: options.fence },
    projectionConsumers: () =>
      (options.consumers ?? ['lead-summary']).map((name) => ({
        name,
        groupId: `crm-leads-${name}`,
        topics: ['crm.leads.events'],
        consumer: { stats: () => stats() },
      })),
  };
  return source as unknown as MetricsSource;
}

const scrape = (source: MetricsSource) => platformMetrics(source).metrics();
const lines = (text: string, prefix: string) => text.split('\n').filter((line) => line.startsWith(prefix));

describe('platform metrics (GET /metrics)', () => {
  it('escapes a label value with a quote, a backslash and a newline as the exposition format says', async () => {
    const text = await scrape(runtime({ consumers: ['say "hi"\\now\nplease'] }));
    expect(lines(text, 'crm_consumer_running{')).toEqual([
      'crm_consumer_running{consumer="say \\"hi\\"\\\\now\\nplease"} 1',
    ]);
    // Every sample stays on one line: nothing but comments, samples and blank lines in the text.
    for (const line of text.split('\n').filter(Boolean))
      expect(line).toMatch(/^(# (HELP|TYPE) \w+ .+|\w+(\{.*\})? \S+)$/);
  });

  it('keeps the metric names, types and labels dashboards and tests read', async () => {
    const text = await scrape(runtime());
    expect(text).toContain('# TYPE crm_consumer_processed_total counter');
    expect(text).toContain('# TYPE crm_consumer_running gauge');
    for (const sample of [
      'crm_relay_leader{relay="leads-events"} 1',
      'crm_relay_published_events_total{relay="leads-events"} 7',
      'crm_consumer_processed_total{consumer="lead-summary"} 5',
      'crm_consumer_skipped_duplicates_total{consumer="lead-summary"} 1',
      'crm_consumer_failed_batches_total{consumer="lead-summary"} 0',
      'crm_consumer_retries_total{consumer="lead-summary"} 0',
      'crm_consumer_restarts_total{consumer="lead-summary"} 0',
      'crm_consumer_retrying{consumer="lead-summary"} 0',
      'crm_consumer_replays_total{consumer="lead-summary",outcome="replayed"} 2',
      'crm_consumer_replays_total{consumer="lead-summary",outcome="failed"} 0',
      'crm_consumer_dead_letters_total{consumer="lead-summary",reason="contract-violation"} 1',
      'crm_consumer_parked_dead_letters{consumer="lead-summary",reason="handler-failed"} 2',
      'crm_consumer_lag_messages{consumer="lead-summary",topic="crm.leads.events"} 3',
      'crm_kafka_topic_config_mismatch{topic="crm.leads.events",setting="partitions"} 1',
    ])
      expect(text).toContain(`\n${sample}\n`);
    // Not published anything yet: no delay to show.
    expect(lines(text, 'crm_relay_publish_delay_ms')).toEqual([]);
    // Node's process metrics come along.
    expect(lines(text, 'process_cpu_user_seconds_total ')).toHaveLength(1);
    expect(lines(text, 'nodejs_heap_size_used_bytes ')).toHaveLength(1);
  });

  it('shows the event store fence, and who holds it only while events are held', async () => {
    let status: FenceStatus = {
      heldEvents: 4,
      holder: {
        pid: 4242,
        database: 'billing',
        application: 'nightly-batch',
        state: 'idle in transaction',
        transactionId: '991',
        ageSeconds: 75.5,
      },
    };
    const registry = platformMetrics(runtime({ fence: async () => status }));
    const held = await registry.metrics();
    expect(lines(held, 'crm_event_store_fence_held_events ')).toEqual([
      'crm_event_store_fence_held_events 4',
    ]);
    expect(lines(held, 'crm_event_store_fence_holder_age_seconds{')).toEqual([
      'crm_event_store_fence_holder_age_seconds{pid="4242",database="billing",application="nightly-batch"} 75.5',
    ]);

    status = { heldEvents: 0 };
    const released = await registry.metrics();
    expect(lines(released, 'crm_event_store_fence_held_events ')).toEqual([
      'crm_event_store_fence_held_events 0',
    ]);
    expect(lines(released, 'crm_event_store_fence_holder_age_seconds{')).toEqual([]);
  });

  it('still answers when the database and the broker do not, without inventing values', async () => {
    const text = await scrape(
      runtime({ failing: true, fence: () => Promise.reject(new Error('connection refused')) }),
    );
    expect(text).toContain('\ncrm_consumer_processed_total{consumer="lead-summary"} 5\n');
    expect(lines(text, 'crm_consumer_parked_dead_letters{')).toEqual([]);
    expect(lines(text, 'crm_consumer_lag_messages{')).toEqual([]);
    expect(lines(text, 'crm_event_store_fence_held_events ')).toEqual([]);
  });

  it('gives each service its own registry, so two services in one process do not collide', async () => {
    const leads = platformMetrics(runtime({ consumers: ['lead-summary'] }));
    const pipeline = platformMetrics(runtime({ consumers: ['pipeline-read-model'] }));
    const [a, b] = await Promise.all([leads.metrics(), pipeline.metrics()]);
    expect(lines(a, 'crm_consumer_running{')).toEqual(['crm_consumer_running{consumer="lead-summary"} 1']);
    expect(lines(b, 'crm_consumer_running{')).toEqual([
      'crm_consumer_running{consumer="pipeline-read-model"} 1',
    ]);
  });
});
