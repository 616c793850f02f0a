import { Module, type DynamicModule } from '@nestjs/common';
import { PlatformModule } from '@crm/service-kit';
import { RebuildController } from './admin/rebuild.controller';
import { AnalyticsConfig } from './analytics.config';
import { ANALYTICS_CONTROLLERS, ANALYTICS_PROVIDERS } from './analytics.features';
import { withAnalyticsConsumption, runtimeOf } from './consumption/analytics-platform';
import { AnalyticsConsumption } from './consumption/consumption';
import { ConsumptionLifecycle } from './consumption/consumption.lifecycle';
import { ANALYTICS_MIGRATIONS } from './migrations';
import type { Projector } from './projection/projector';
import { PROJECTORS } from './projection/projectors';

export interface AnalyticsModuleOptions {
  /** The read models every generation holds (default: PROJECTORS). */
  projectors?: readonly Projector[];
}

/**
 * The analytics service: generations of read models projected from every context's topic
 * (src/consumption), their rebuild (src/admin), and the features of ANALYTICS_CONTROLLERS. Its
 * schema `analytics` holds the pointer table and the views over the current generation.
 */
@Module({})
export class AnalyticsModule {
  static forRoot(config: AnalyticsConfig, options: AnalyticsModuleOptions = {}): DynamicModule {
    // The platform's event store and relay stay (empty: analytics publishes nothing).
    const platform = PlatformModule.forRoot({
      context: 'analytics',
      config,
      schema: 'analytics',
      entities: [],
      migrations: ANALYTICS_MIGRATIONS,
    });
    const consumption = new AnalyticsConsumption(
      runtimeOf(platform),
      config,
      options.projectors ?? PROJECTORS,
    );
    return {
      module: AnalyticsModule,
      imports: [withAnalyticsConsumption(platform, consumption)],
      controllers: [RebuildController, ...ANALYTICS_CONTROLLERS],
      providers: [
        { provide: AnalyticsConfig, useValue: config },
        { provide: AnalyticsConsumption, useValue: consumption },
        ConsumptionLifecycle,
        ...ANALYTICS_PROVIDERS,
      ],
    };
  }
}
