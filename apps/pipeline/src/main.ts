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
  },
  // A bad PIPELINE_STAGES stops the start, not the first request.
  (config) => void config.stages,
);
