import 'reflect-metadata';
import { loadConfig, startService } from '@crm/service-kit';
import { PipelineConfig } from './pipeline.config';
import { PipelineModule } from './pipeline.module';

async function main() {
  const config = loadConfig(PipelineConfig);
  void config.stages; // a bad PIPELINE_STAGES stops the start, not the first request
  await startService(
    PipelineModule.forRoot(config),
    {
      name: 'pipeline',
      title: 'CRM sales pipeline',
      description: 'Acquisition: accounts, contacts, opportunities, quotes, forecast and sales performance.',
      version: '1',
    },
    config,
  );
}

main().catch((error: unknown) => {
  process.stderr.write(
    JSON.stringify({
      time: new Date().toISOString(),
      level: 'error',
      service: 'pipeline',
      msg: 'failed to start',
      error: String(error),
    }) + '\n',
  );
  process.exit(1);
});
