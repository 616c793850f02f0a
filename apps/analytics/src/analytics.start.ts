import { Logger, type INestApplication } from '@nestjs/common';
import { prepareEventConsumers } from '@crm/service-kit';
import { AnalyticsConsumption } from './consumption/consumption';

/**
 * Starts the analytics application as `startService` starts the others, then its generations:
 * initialized (migrations, generation tables and views), the HTTP port open (probes answer while
 * the consumers join their groups), the generations' consumers started.
 */
export async function startAnalytics(app: INestApplication, port: number, host = '0.0.0.0'): Promise<void> {
  const startTransport = await prepareEventConsumers(app);
  await app.listen(port, host);
  new Logger('bootstrap').log({ msg: 'analytics listening', port });
  await startTransport();
  await app.get(AnalyticsConsumption).start();
}
