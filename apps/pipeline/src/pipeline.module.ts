import { Module, type DynamicModule } from '@nestjs/common';
import { PlatformModule } from '@crm/service-kit';
import { AccountController } from './account/account.controller';
import { AccountService } from './account/account.service';
import { PipelineReadModel1763900000000 } from './migrations/1763900000000-pipeline-read-model';
import { OpportunityCampaignSource1765100000000 } from './migrations/1765100000000-opportunity-campaign-source';
import { OpportunityController } from './opportunity/opportunity.controller';
import { OpportunityService } from './opportunity/opportunity.service';
import { PipelineConfig } from './pipeline.config';
import { QuoteController } from './quote/quote.controller';
import { QuoteService } from './quote/quote.service';
import { AccountQueries } from './read-model/account.queries';
import { AccountRow, ContactRow } from './read-model/account.read-model';
import { OpportunityQueries } from './read-model/opportunity.queries';
import { OpportunityRow, QuoteRow, StageHistoryRow } from './read-model/opportunity.read-model';
import { PipelineErasureProjection } from './read-model/pipeline-erasure.projection';
import { PipelineReadModelProjection } from './read-model/pipeline.projection';
import { CampaignExpansionReaction } from './reactions/campaign-expansion.reaction';
import { LeadConversionReaction } from './reactions/lead-conversion.reaction';
import { WinRecordingReaction } from './reactions/win-recording.reaction';
import { ReportController } from './reports/report.controller';
import { ReportQueries } from './reports/report.queries';

@Module({})
export class PipelineModule {
  static forRoot(config: PipelineConfig): DynamicModule {
    return {
      module: PipelineModule,
      imports: [
        PlatformModule.forRoot({
          context: 'pipeline',
          config,
          schema: 'pipeline',
          entities: [AccountRow, ContactRow, OpportunityRow, StageHistoryRow, QuoteRow],
          migrations: [PipelineReadModel1763900000000, OpportunityCampaignSource1765100000000],
        }),
      ],
      controllers: [
        AccountController,
        OpportunityController,
        QuoteController,
        ReportController,
        // Projections and reactions: @EventPattern handlers, one consumer group each.
        PipelineReadModelProjection,
        PipelineErasureProjection,
        LeadConversionReaction,
        WinRecordingReaction,
        // Marketing's cross-sell and up-sell responses open opportunities (opportunity-from-campaign).
        CampaignExpansionReaction,
      ],
      providers: [
        { provide: PipelineConfig, useValue: config },
        AccountService,
        OpportunityService,
        QuoteService,
        AccountQueries,
        OpportunityQueries,
        ReportQueries,
      ],
    };
  }
}
