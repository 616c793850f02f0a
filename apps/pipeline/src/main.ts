import 'reflect-metadata';
import { runService } from '@crm/service-kit';
import { PipelineConfig } from './pipeline.config';
import { PipelineModule } from './pipeline.module';

runService(
  PipelineConfig,
  (config) => PipelineModule.forRoot(config),
  {
    name: 'pipeline',
    title: 'CRM sales pipeline',
    description: 'Acquisition: accounts, contacts, opportunities, quotes, forecast and sales performance.',
    version: '1',
    tags: {
      accounts: "The customer's record and its contacts",
      opportunities: 'Deals of an account through the stages of the pipeline, won or lost',
      quotes: 'Priced offers of an opportunity: drafted, approved, sent, accepted or rejected',
      reports: 'Forecast, win-loss and sales performance, from the read model',
    },
  },
  // A bad PIPELINE_STAGES stops the start, not the first request.
  (config) => void config.stages,
);
