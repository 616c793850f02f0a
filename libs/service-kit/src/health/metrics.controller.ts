import { Controller, Get, Header, Inject } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Registry } from 'prom-client';
import { PublicIf } from '../auth/access';
import { PLATFORM_RUNTIME } from '../platform/tokens';
import type { PlatformRuntime } from '../platform/platform-runtime';
import { platformMetrics } from './platform-metrics';

/**
 * Prometheus metrics for SREs: relay state; per projection or reaction, progress, lag, retries and
 * dead letters; topics whose configuration differs from the service's; the event store fence;
 * Node's process metrics. Read from the runtime at each scrape, into this service's own registry.
 */
/** Scraped without a token while METRICS_PUBLIC (the default); otherwise for admins. */
@PublicIf('METRICS_PUBLIC', 'admin')
@ApiTags('health')
@Controller('metrics')
export class MetricsController {
  private readonly registry: Registry;

  constructor(@Inject(PLATFORM_RUNTIME) runtime: PlatformRuntime) {
    this.registry = platformMetrics(runtime);
  }

  @Get()
  @Header('content-type', Registry.PROMETHEUS_CONTENT_TYPE)
  @ApiOperation({
    summary: 'Prometheus metrics: relay, consumers, dead letters, topic settings, event store fence',
  })
  metrics(): Promise<string> {
    return this.registry.metrics();
  }
}
