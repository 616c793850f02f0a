import { Module, type DynamicModule } from '@nestjs/common';
import { PlatformModule } from '@crm/service-kit';
import { AttributionProjection } from './attribution/attribution.projection';
import { CampaignController } from './campaign/campaign.controller';
import { CampaignService } from './campaign/campaign.service';
import { ConsentController } from './consent/consent.controller';
import { ConsentProjection } from './consent/consent.projection';
import { ConsentService } from './consent/consent.service';
import { SuppressionController } from './consent/suppression.controller';
import { SuppressionQueries } from './consent/suppression.queries';
import { FeedbackController } from './feedback/feedback.controller';
import { FeedbackService } from './feedback/feedback.service';
import { MarketingConfig } from './marketing.config';
import { MARKETING_MIGRATIONS } from './migrations';
import { ListController } from './list/list.controller';
import { ListProjection } from './list/list.projection';
import { ListService } from './list/list.service';
import { ProfileErasureProjection } from './profile/profile-erasure.projection';
import { ProfileProjection } from './profile/profile.projection';
import { ResponseController } from './response/response.controller';
import { ResponseService } from './response/response.service';
import { SegmentEvaluation } from './segment/segment-evaluation';
import { SegmentEvaluationTimers } from './segment/segment-evaluation.timers';
import { SegmentMembershipService } from './segment/segment-membership.service';
import { SegmentController } from './segment/segment.controller';
import { SegmentProjection } from './segment/segment.projection';
import { SegmentService } from './segment/segment.service';
import { SegmentTimeReevaluation } from './segment/segment-time.reevaluation';
import { SegmentTimeTimers } from './segment/segment-time.timers';

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
          migrations: MARKETING_MIGRATIONS,
        }),
      ],
      // Projections and reactions: @EventPattern handlers, one consumer group each.
      controllers: [
        ConsentController,
        SuppressionController,
        FeedbackController,
        ConsentProjection,
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
        SuppressionQueries,
        FeedbackService,
        SegmentService,
        SegmentMembershipService,
        SegmentTimeTimers,
        SegmentTimeReevaluation,
        SegmentEvaluationTimers,
        SegmentEvaluation,
        CampaignService,
        ResponseService,
        ListService,
      ],
    };
  }
}
