import { Controller, Get, Header, Inject } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { PLATFORM_RUNTIME } from '../platform/tokens';
import type { PlatformRuntime } from '../platform/platform-runtime';

type Sample = [name: string, labels: Record<string, string>, value: number | undefined];

const HELP: Record<string, [type: 'counter' | 'gauge', help: string]> = {
  crm_relay_leader: ['gauge', '1 while this instance publishes the service events to Kafka, 0 on standby'],
  crm_relay_published_events_total: ['counter', 'Events this instance published to Kafka'],
  crm_relay_publish_delay_ms: ['gauge', 'Store-to-broker delay of the last published event'],
  crm_consumer_processed_total: ['counter', 'Events applied exactly once by this consumer'],
  crm_consumer_skipped_duplicates_total: [
    'counter',
    'Redelivered events skipped because they were already applied',
  ],
  crm_consumer_failed_batches_total: ['counter', 'Batches rolled back and redelivered'],
  crm_consumer_lag_messages: ['gauge', 'Messages on the topic the consumer group has not consumed yet'],
  crm_consumer_last_event_age_seconds: ['gauge', 'Age of the last applied event when it was applied'],
};

function render(samples: Sample[]): string {
  const lines: string[] = [];
  for (const [metric, [type, help]] of Object.entries(HELP)) {
    const rows = samples.filter(([name, , value]) => name === metric && value !== undefined);
    if (rows.length === 0) continue;
    lines.push(`# HELP ${metric} ${help}`, `# TYPE ${metric} ${type}`);
    for (const [, labels, value] of rows) {
      const l = Object.entries(labels)
        .map(([k, v]) => `${k}="${v.replace(/["\\\n]/g, '_')}"`)
        .join(',');
      lines.push(`${metric}{${l}} ${value}`);
    }
  }
  return lines.join('\n') + '\n';
}

/** Prometheus metrics for SREs: relay state and, per projection or reaction, progress and lag. */
@ApiTags('health')
@Controller('metrics')
export class MetricsController {
  constructor(@Inject(PLATFORM_RUNTIME) private readonly runtime: PlatformRuntime) {}

  @Get()
  @Header('content-type', 'text/plain; version=0.0.4')
  async metrics(): Promise<string> {
    const relay = this.runtime.relay.status();
    const r = { relay: relay.name };
    const samples: Sample[] = [
      ['crm_relay_leader', r, relay.role === 'leader' ? 1 : 0],
      ['crm_relay_published_events_total', r, relay.publishedEvents],
      ['crm_relay_publish_delay_ms', r, relay.lastPublishDelayMs],
    ];
    for (const { name, groupId, topics, consumer } of this.runtime.projectionConsumers()) {
      const stats = consumer.stats();
      const c = { consumer: name };
      samples.push(
        ['crm_consumer_processed_total', c, stats.processed],
        ['crm_consumer_skipped_duplicates_total', c, stats.skippedDuplicates],
        ['crm_consumer_failed_batches_total', c, stats.failedBatches],
      );
      if (stats.lastEventTime && stats.lastProcessedAt) {
        const age = (stats.lastProcessedAt.getTime() - Date.parse(stats.lastEventTime)) / 1000;
        samples.push(['crm_consumer_last_event_age_seconds', c, age]);
      }
      const lag = await this.runtime.bus
        .consumerLag(groupId, topics)
        .catch(() => ({}) as Record<string, number>);
      for (const [topic, value] of Object.entries(lag))
        samples.push(['crm_consumer_lag_messages', { ...c, topic }, value]);
    }
    return render(samples);
  }
}
