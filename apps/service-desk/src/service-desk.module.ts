import { Module, type DynamicModule } from '@nestjs/common';
import { hasContract } from '@crm/contracts';
import type { RecordedEvent } from '@crm/event-store';
import { PlatformModule } from '@crm/service-kit';
import { CaseController } from './case/case.controller';
import { CaseService } from './case/case.service';
import { CustomerHealthReaction } from './customer/customer-health.reaction';
import { ServiceDeskConfig } from './service-desk.config';
import { SlaTimerProjection } from './sla/sla-timer.projection';
import { SlaTimers } from './sla/sla-timers.service';

/** Cases are public; of a customer's health stream only the lifecycle stages (the notes stay inside). */
export const isPublicServiceEvent = (event: RecordedEvent) =>
  event.streamId.startsWith('case-') ||
  (event.streamId.startsWith('customerHealth-') && hasContract(event.type));

@Module({})
export class ServiceDeskModule {
  static forRoot(config: ServiceDeskConfig): DynamicModule {
    return {
      module: ServiceDeskModule,
      imports: [
        PlatformModule.forRoot({
          context: 'service',
          config,
          schema: 'service',
          entities: [],
          migrations: [],
          publishes: isPublicServiceEvent,
        }),
      ],
      // Projections and reactions: @EventPattern handlers, one consumer group each.
      controllers: [CaseController, SlaTimerProjection, CustomerHealthReaction],
      providers: [{ provide: ServiceDeskConfig, useValue: config }, CaseService, SlaTimers],
    };
  }
}
