import { Module, type DynamicModule } from '@nestjs/common';
import { hasContract } from '@crm/contracts';
import type { RecordedEvent } from '@crm/event-store';
import { PlatformModule } from '@crm/service-kit';
import { CaseController } from './case/case.controller';
import { CaseService } from './case/case.service';
import { CustomerHealthReaction } from './customer/customer-health.reaction';
import { ArticleController } from './knowledge/article.controller';
import { ARTICLE_STREAM_PREFIX } from './knowledge/article.events';
import { ArticleService } from './knowledge/article.service';
import { KnowledgeProjection } from './knowledge/knowledge.projection';
import { KnowledgeQueries } from './knowledge/knowledge.queries';
import { ServiceReadModel1764100000000 } from './migrations/1764100000000-service-read-model';
import { KnowledgeBase1764200000000 } from './migrations/1764200000000-knowledge-base';
import { AssignmentCursor1764300000000 } from './migrations/1764300000000-assignment-cursor';
import { SlaSettingsController } from './sla/sla-settings.controller';
import { SLA_SETTINGS_STREAM } from './sla/sla-settings.decider';
import { SlaSettingsService } from './sla/sla-settings.service';
import { CaseAssignmentReaction } from './support/case-assignment.reaction';
import { SupportTeamController } from './support/support-team.controller';
import { SUPPORT_TEAM_STREAM } from './support/support-team.decider';
import { SupportTeamService } from './support/support-team.service';
import { CaseListController } from './read-model/case-list.controller';
import { CaseQueries } from './read-model/case.queries';
import { ServiceErasureProjection } from './read-model/service-erasure.projection';
import { ServiceReadModelProjection } from './read-model/service.projection';
import { SERVICE_READ_MODEL_ENTITIES } from './read-model/service.read-model';
import { ServiceReportController } from './reports/service-report.controller';
import { ServiceReportQueries } from './reports/service-report.queries';
import { ServiceDeskConfig } from './service-desk.config';
import { SlaTimerProjection } from './sla/sla-timer.projection';
import { SlaTimers } from './sla/sla-timers.service';

/**
 * Cases, knowledge articles, the service levels and the support team are public; of a customer's
 * health stream only the lifecycle stages (the notes stay inside).
 */
export const isPublicServiceEvent = (event: RecordedEvent) =>
  event.streamId.startsWith('case-') ||
  event.streamId.startsWith(ARTICLE_STREAM_PREFIX) ||
  event.streamId === SLA_SETTINGS_STREAM ||
  event.streamId === SUPPORT_TEAM_STREAM ||
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
          entities: [...SERVICE_READ_MODEL_ENTITIES],
          migrations: [
            ServiceReadModel1764100000000,
            KnowledgeBase1764200000000,
            AssignmentCursor1764300000000,
          ],
          publishes: isPublicServiceEvent,
        }),
      ],
      // Projections and reactions: @EventPattern handlers, one consumer group each.
      controllers: [
        CaseController,
        SlaTimerProjection,
        CustomerHealthReaction,
        CaseListController,
        ServiceReportController,
        ServiceReadModelProjection,
        ServiceErasureProjection,
        ArticleController,
        KnowledgeProjection,
        SlaSettingsController,
        SupportTeamController,
        CaseAssignmentReaction,
      ],
      providers: [
        { provide: ServiceDeskConfig, useValue: config },
        CaseService,
        SlaTimers,
        CaseQueries,
        ServiceReportQueries,
        ArticleService,
        KnowledgeQueries,
        SlaSettingsService,
        SupportTeamService,
      ],
    };
  }
}
