import { Module, type DynamicModule } from '@nestjs/common';
import { PlatformModule } from '@crm/service-kit';
import { AttributionProjection } from './attribution/attribution.projection';
import { CampaignController } from './campaign/campaign.controller';
import { CampaignService } from './campaign/campaign.service';
import { ConsentController } from './consent/consent.controller';
import { ConsentService } from './consent/consent.service';
import { MarketingConfig } from './marketing.config';
import { CampaignDelivery1764500000000 } from './migrations/1764500000000-campaign-delivery';
import { CustomerProfile1764400000000 } from './migrations/1764400000000-customer-profile';
import { CampaignResponses1764600000000 } from './migrations/1764600000000-campaign-responses';
import { StaticLists1764700000000 } from './migrations/1764700000000-static-lists';
import { ListController } from './list/list.controller';
import { ListProjection } from './list/list.projection';
import { ListService } from './list/list.service';
import { ProfileErasureProjection } from './profile/profile-erasure.projection';
import { ProfileProjection } from './profile/profile.projection';
import { ResponseController } from './response/response.controller';
import { ResponseService } from './response/response.service';
import { SegmentMembershipService } from './segment/segment-membership.service';
import { SegmentController } from './segment/segment.controller';
import { SegmentProjection } from './segment/segment.projection';
import { SegmentService } from './segment/segment.service';

/** The marketing service: the consent ledger, customer profiles and segments (see README.md for what is not built yet). */
@Module({})
export class MarketingModule {
  static forRoot(config: MarketingConfig): DynamicModule {
    return {
      module: MarketingModule,
      imports: [
        PlatformModule.forRoot({
          context: 'marketing',
          config,
          schema: 'marketing',
          entities: [],
          migrations: [
            CustomerProfile1764400000000,
            CampaignDelivery1764500000000,
            CampaignResponses1764600000000,
            StaticLists1764700000000,
          ],
        }),
      ],
      // Projections and reactions: @EventPattern handlers, one consumer group each.
      controllers: [
        ConsentController,
        SegmentController,
        CampaignController,
        ResponseController,
        AttributionProjection,
        ListController,
        ListProjection,
        ProfileProjection,
        ProfileErasureProjection,
        SegmentProjection,
      ],
      providers: [
        { provide: MarketingConfig, useValue: config },
        ConsentService,
        SegmentService,
        SegmentMembershipService,
        CampaignService,
        ResponseService,
        ListService,
      ],
    };
  }
}
