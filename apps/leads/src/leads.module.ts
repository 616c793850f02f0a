import { Module, type DynamicModule } from '@nestjs/common';
import { PlatformModule } from '@crm/service-kit';
import { CustomerController } from './customer/customer.controller';
import { CustomerErasureService } from './customer/customer-erasure.service';
import { CampaignResponseReaction } from './lead/campaign-response.reaction';
import { LeadController } from './lead/lead.controller';
import { LeadQueries } from './lead/lead.queries';
import { LeadEngagement, LeadSummary } from './lead/lead.read-model';
import { LeadSummaryProjection } from './lead/lead.projection';
import { LeadService } from './lead/lead.service';
import { LeadsConfig } from './leads.config';
import { LeadReadModel1763900000000 } from './migrations/1763900000000-lead-read-model';

/**
 * Lead streams and customer (erasure) streams are public; e-mail claims and the owner rotation stay
 * inside the service.
 */
export const isPublicLeadEvent = (event: { streamId: string }) =>
  event.streamId.startsWith('lead-') || event.streamId.startsWith('customer-');

@Module({})
export class LeadsModule {
  static forRoot(config: LeadsConfig): DynamicModule {
    return {
      module: LeadsModule,
      imports: [
        PlatformModule.forRoot({
          context: 'leads',
          config,
          schema: 'leads',
          entities: [LeadSummary, LeadEngagement],
          migrations: [LeadReadModel1763900000000],
          publishes: isPublicLeadEvent,
        }),
      ],
      // LeadSummaryProjection: the read model's @EventPattern handlers (consumer lead-summary);
      // CampaignResponseReaction: marketing's prospect responses become leads (lead-from-campaign).
      controllers: [LeadController, LeadSummaryProjection, CustomerController, CampaignResponseReaction],
      providers: [
        { provide: LeadsConfig, useValue: config },
        LeadService,
        LeadQueries,
        CustomerErasureService,
      ],
    };
  }
}
