import 'reflect-metadata';
import pino from 'pino';
import { createServiceApp, createServiceLogger, loadConfig } from '@crm/service-kit';
import { AnalyticsConfig } from './analytics.config';
import { AnalyticsModule } from './analytics.module';
import { startAnalytics } from './analytics.start';

const SERVICE = {
  name: 'analytics',
  title: 'CRM analytics',
  description:
    'The analytical CRM: read models projected from every context, rebuildable from offset 0 and asked about any past date.',
  version: '1',
  tags: {
    rebuilds: 'Every read model built again from offset 0 into a new generation while the current one serves',
  },
};

/** As runService, with the generations started once the HTTP port is open (see analytics.start.ts). */
async function main(): Promise<void> {
  const config = loadConfig(AnalyticsConfig);
  const app = await createServiceApp(AnalyticsModule.forRoot(config), SERVICE, config);
  await startAnalytics(app, config.PORT);
}

main().catch((error: unknown) => {
  const stderr = pino.destination({ fd: 2, sync: true });
  createServiceLogger(SERVICE.name, 'error', stderr).error({ err: error }, 'failed to start');
  process.exit(1);
});
