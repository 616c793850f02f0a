import {
  Module,
  type DynamicModule,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
  Inject,
} from '@nestjs/common';
import { HealthController, READINESS_CHECKS } from '../health/health.controller';
import { MetricsController } from '../health/metrics.controller';
import { ModuleRef } from '@nestjs/core';
import { PlatformRuntime, type PlatformOptions, type ProjectionSpec } from './platform-runtime';
import { EVENT_STORE, PLATFORM_RUNTIME, READ_MODEL_DB } from './tokens';

class PlatformLifecycle implements OnApplicationBootstrap, OnApplicationShutdown {
  constructor(
    @Inject(PLATFORM_RUNTIME) private readonly runtime: PlatformRuntime,
    private readonly modules: ModuleRef,
  ) {}
  onApplicationBootstrap() {
    return this.runtime.start((spec: ProjectionSpec) => {
      if (spec.handle) return spec.handle;
      const instance = this.modules.get(spec.handler, { strict: false });
      return (event, manager) => instance.handle(event, manager);
    });
  }
  onApplicationShutdown() {
    return this.runtime.stop();
  }
}

/** Gives a service its event store, read model database, relay, projections and health endpoints. */
@Module({})
export class PlatformModule {
  static forRoot(options: PlatformOptions): DynamicModule {
    const runtime = new PlatformRuntime(options);
    return {
      module: PlatformModule,
      global: true,
      controllers: [HealthController, MetricsController],
      providers: [
        { provide: PLATFORM_RUNTIME, useValue: runtime },
        { provide: EVENT_STORE, useValue: runtime.store },
        { provide: READ_MODEL_DB, useValue: runtime.db },
        { provide: READINESS_CHECKS, useValue: runtime.readinessChecks() },
        PlatformLifecycle,
      ],
      exports: [EVENT_STORE, READ_MODEL_DB, PLATFORM_RUNTIME],
    };
  }
}
