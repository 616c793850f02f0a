import {
  Module,
  type DynamicModule,
  type INestApplication,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
  Inject,
} from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { connectCrmEvents } from '@crm/messaging';
import { HealthController, READINESS_CHECKS } from '../health/health.controller';
import { MetricsController } from '../health/metrics.controller';
import { asyncApiController } from '../http/asyncapi.controller';
import { CustomerDataExporters } from '../privacy/customer-data-exporter';
import { PrivacyController } from '../privacy/privacy.controller';
import { AuditController } from './audit.controller';
import { DeadLettersController } from './dead-letters.controller';
import { PlatformRuntime, type PlatformOptions } from './platform-runtime';
import { EVENT_STORE, PLATFORM_RUNTIME, READ_MODEL_DB } from './tokens';

class PlatformLifecycle implements OnApplicationBootstrap, OnApplicationShutdown {
  constructor(@Inject(PLATFORM_RUNTIME) private readonly runtime: PlatformRuntime) {}
  onApplicationBootstrap() {
    return this.runtime.start();
  }
  onApplicationShutdown() {
    return this.runtime.stop();
  }
}

/**
 * Gives a service its event store, read model database, relay, health and metrics endpoints, and
 * the transport of its projections and reactions with their dead-letter operations
 * (`/dead-letters`). Projections and reactions are the service's controllers with
 * `@EventPattern('crm.<context>.<EventType>', { consumer: '<name>' })` handlers (see
 * `CrmEventsTransport` in @crm/messaging); `prepareEventConsumers` connects them.
 */
@Module({})
export class PlatformModule {
  static forRoot(options: PlatformOptions): DynamicModule {
    const runtime = new PlatformRuntime(options);
    return {
      module: PlatformModule,
      global: true,
      imports: [TerminusModule.forRoot({ logger: false })],
      controllers: [
        HealthController,
        MetricsController,
        DeadLettersController,
        AuditController,
        PrivacyController,
        asyncApiController(options),
      ],
      providers: [
        { provide: PLATFORM_RUNTIME, useValue: runtime },
        { provide: EVENT_STORE, useValue: runtime.store },
        { provide: READ_MODEL_DB, useValue: runtime.db },
        { provide: READINESS_CHECKS, useValue: runtime.readinessChecks() },
        // Filled by the service's `customerDataExporters(...)` providers, read by the privacy export.
        { provide: CustomerDataExporters, useValue: new CustomerDataExporters() },
        PlatformLifecycle,
      ],
      exports: [EVENT_STORE, READ_MODEL_DB, PLATFORM_RUNTIME, CustomerDataExporters],
    };
  }
}

/**
 * Initializes a service built on {@link PlatformModule} (migrations, topics, relay) with the
 * platform's transport as the application's microservice; the function it answers starts the
 * projections and reactions.
 */
export async function prepareEventConsumers(app: INestApplication): Promise<() => Promise<void>> {
  const { start } = await connectCrmEvents(app, app.get<PlatformRuntime>(PLATFORM_RUNTIME).events);
  return start;
}
