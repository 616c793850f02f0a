import 'reflect-metadata';
import { loadConfig, startService } from '@crm/service-kit';
import { LeadsConfig } from './leads.config';
import { LeadsModule } from './leads.module';

async function main() {
  const config = loadConfig(LeadsConfig);
  await startService(
    LeadsModule.forRoot(config),
    {
      name: 'leads',
      title: 'CRM leads',
      description: 'Interest and engagement: capture, engage, score, qualify, assign and convert leads.',
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
      service: 'leads',
      msg: 'failed to start',
      error: String(error),
    }) + '\n',
  );
  process.exit(1);
});
