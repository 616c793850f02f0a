import { Counter, Gauge, Registry } from 'prom-client';
import type { AnalyticsConsumption } from './consumption';

type Sample = [labels: Record<string, string>, value: number];

/**
 * The analytics metrics, read from the consumption at each scrape (nothing counted here): lag per
 * generation and topic (records and seconds), events applied per generation (a counter: the rate
 * is Prometheus' `rate()`), records of unknown types, dead letters, rebuild progress.
 */
export function consumptionMetrics(consumption: AnalyticsConsumption): Registry {
  const registry = new Registry();
  const add = (
    type: 'counter' | 'gauge',
    name: string,
    help: string,
    labelNames: string[],
    read: () => Sample[],
  ) => {
    async function collect(this: Counter | Gauge) {
      let samples: Sample[] = [];
      try {
        samples = read();
      } catch {
        samples = [];
      }
      this.reset();
      if (samples.length === 0) this.remove({});
      for (const [labels, value] of samples) this.inc(labels, value);
    }
    const configuration = { name, help, labelNames, registers: [registry], collect };
    if (type === 'counter') new Counter(configuration);
    else new Gauge(configuration);
  };
  const samples = () => consumption.lastSamples();
  const runners = () =>
    consumption.running().map((r) => ({ generation: String(r.n), stats: r.consumer.stats() }));

  add('gauge', 'analytics_generation_current', 'The generation the views of `analytics` read', [], () =>
    samples()
      .filter((s) => s.state === 'current')
      .map((s): Sample => [{}, s.n]),
  );
  add(
    'gauge',
    'analytics_consumer_lag_messages',
    'Records on the topic the generation has not applied yet',
    ['generation', 'state', 'topic'],
    () =>
      samples().flatMap((s) =>
        s.lag.map((l): Sample => [{ generation: String(s.n), state: s.state, topic: l.topic }, l.messages]),
      ),
  );
  add(
    'gauge',
    'analytics_consumer_lag_seconds',
    'Age of the oldest record on the topic the generation has not applied (first seen on the broker; 0 when none)',
    ['generation', 'state', 'topic'],
    () =>
      samples().flatMap((s) =>
        s.lag.map((l): Sample => [{ generation: String(s.n), state: s.state, topic: l.topic }, l.seconds]),
      ),
  );
  add(
    'counter',
    'analytics_events_applied_total',
    'Events applied exactly once by this instance, per generation',
    ['generation'],
    () => runners().map(({ generation, stats }): Sample => [{ generation }, stats.processed]),
  );
  add(
    'counter',
    'analytics_events_ignored_total',
    'Events of known types no projector reads: acknowledged, nothing written',
    ['generation'],
    () => runners().map(({ generation, stats }): Sample => [{ generation }, stats.ignored]),
  );
  add(
    'counter',
    'analytics_unknown_events_total',
    'Records of event types outside the contracts: acknowledged, nothing written',
    ['type'],
    () => consumption.unknownEvents().map(([type, count]): Sample => [{ type }, count]),
  );
  add(
    'counter',
    'analytics_dead_letters_total',
    'Records this instance parked, per generation and reason (invalid-cloudevent, contract-violation, handler-failed)',
    ['generation', 'reason'],
    () =>
      runners().flatMap(({ generation, stats }) =>
        Object.entries(stats.deadLettered).map(([reason, count]): Sample => [{ generation, reason }, count]),
      ),
  );
  add(
    'gauge',
    'analytics_rebuild_done_events',
    'Records the building generation has applied',
    ['generation'],
    () =>
      samples()
        .filter((s) => s.state === 'building')
        .map((s): Sample => [{ generation: String(s.n) }, s.done]),
  );
  add(
    'gauge',
    'analytics_rebuild_total_events',
    'Records the topics hold, for the building generation',
    ['generation'],
    () =>
      samples()
        .filter((s) => s.state === 'building')
        .map((s): Sample => [{ generation: String(s.n) }, s.total]),
  );
  return registry;
}
