import { Controller, Get, Header, type DynamicModule, type Provider, type Type } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Registry } from 'prom-client';
import {
  MetricsController,
  PLATFORM_RUNTIME,
  PublicIf,
  READINESS_CHECKS,
  platformMetrics,
  type PlatformRuntime,
  type ReadinessCheck,
} from '@crm/service-kit';
import type { AnalyticsConsumption } from './consumption';
import { consumptionMetrics } from './consumption-metrics';

/** The platform runtime PlatformModule.forRoot made (its PLATFORM_RUNTIME provider's value). */
export function runtimeOf(platform: DynamicModule): PlatformRuntime {
  const provider = (platform.providers ?? []).find(
    (p): p is Provider & { useValue: PlatformRuntime } =>
      typeof p === 'object' && 'provide' in p && p.provide === PLATFORM_RUNTIME && 'useValue' in p,
  );
  if (!provider) throw new Error('PlatformModule.forRoot gave no PLATFORM_RUNTIME value');
  return provider.useValue;
}

/** `GET /metrics`: the platform's metrics and the analytics ones, in one scrape. */
function metricsController(registry: Registry): Type<unknown> {
  @PublicIf('METRICS_PUBLIC', 'admin')
  @ApiTags('health')
  @Controller('metrics')
  class AnalyticsMetricsController {
    @Get()
    @Header('content-type', Registry.PROMETHEUS_CONTENT_TYPE)
    @ApiOperation({
      operationId: 'metrics',
      summary:
        'Prometheus metrics: generations (lag, events applied, unknown events, rebuild progress) and the platform',
    })
    metrics(): Promise<string> {
      return registry.metrics();
    }
  }
  return AnalyticsMetricsController;
}

/**
 * PlatformModule with the analytics consumption in its health and metrics: the readiness check
 * `consumption` (running and caught up) beside the platform's, and `/metrics` with the analytics
 * metrics beside the platform's (whose checks and metrics read only the Nest events transport's
 * consumers, e.g. the platform's own key-erasure, not the generations' runners).
 */
export function withAnalyticsConsumption(
  platform: DynamicModule,
  consumption: AnalyticsConsumption,
): DynamicModule {
  const runtime = runtimeOf(platform);
  const checks: ReadinessCheck[] = [
    ...runtime.readinessChecks(),
    { name: 'consumption', check: () => consumption.readiness() },
  ];
  const registry = Registry.merge([platformMetrics(runtime), consumptionMetrics(consumption)]);
  return {
    ...platform,
    controllers: [
      ...(platform.controllers ?? []).filter((c) => c !== MetricsController),
      metricsController(registry),
    ],
    providers: [
      ...(platform.providers ?? []).filter(
        (p) => !(typeof p === 'object' && 'provide' in p && p.provide === READINESS_CHECKS),
      ),
      { provide: READINESS_CHECKS, useValue: checks },
    ],
  };
}
