import { randomBytes } from 'node:crypto';
import { Pool } from 'pg';
import { ServiceProcess, freePort, freshDatabase, kafkaBrokers, waitFor } from '@crm/test-support';

/** A real marketing process from its build output, on a database and Kafka topics of its own. */
export interface MarketingRun {
  service: ServiceProcess;
  /** The process's database (a small pool for the bench's own queries and seeds). */
  pool: Pool;
  databaseUrl: string;
  /** Prefixed topic of a context, as the process names it (`KAFKA_TOPIC_PREFIX`). */
  topic(context: 'leads' | 'pipeline' | 'service' | 'marketing'): string;
  stop(): Promise<void>;
}

export async function startMarketing(prefix: string, env: Record<string, string>): Promise<MarketingRun> {
  const db = await freshDatabase(prefix);
  const topicPrefix = `bench-${randomBytes(6).toString('hex')}.`;
  const service = new ServiceProcess('marketing', await freePort(), {
    DATABASE_URL: db.url,
    KAFKA_BROKERS: kafkaBrokers().join(','),
    KAFKA_GROUP_PREFIX: `bench-${randomBytes(6).toString('hex')}`,
    KAFKA_TOPIC_PREFIX: topicPrefix,
    CONSENT_LINK_SECRET: 'a bench secret of the consent links',
    LOG_LEVEL: 'warn',
    ...env,
  });
  const pool = new Pool({ connectionString: db.url, max: 8 });
  try {
    await service.start(120_000);
  } catch (error) {
    await service.stop().catch(() => undefined);
    await pool.end();
    await db.drop();
    throw error;
  }
  return {
    service,
    pool,
    databaseUrl: db.url,
    topic: (context) => `${topicPrefix}crm.${context}.events`,
    async stop() {
      await service.stop().catch(() => undefined);
      await pool.end();
      await db.drop();
    },
  };
}

/** What `/metrics` says about the relay and the consumers. */
export async function relayAndConsumers(url: string): Promise<{ published: number; lag: number }> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const values = (name: string) =>
    [...text.matchAll(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'gm'))].map((m) => Number(m[1]));
  const lags = values('crm_consumer_lag_messages');
  return {
    published: values('crm_relay_published_events_total').reduce((a, b) => a + b, 0),
    lag: lags.length === 0 ? Infinity : lags.reduce((a, b) => a + b, 0),
  };
}

/**
 * Quiet: every event of the process's store is published by its relay and no consumer has
 * anything left on its topics (committed offsets at the end), both seen after the count.
 */
export async function isQuiet(run: MarketingRun): Promise<boolean> {
  const before = await relayAndConsumers(run.service.url);
  if (before.lag !== 0) return false;
  const { rows } = await run.pool.query<{ n: string }>(
    'select count(*) as n from marketing_eventstore.es_events',
  );
  const after = await relayAndConsumers(run.service.url);
  return after.lag === 0 && after.published >= Number(rows[0].n);
}

/** Waits until quiet; with `log`, says every 15 s how far the relay and the consumers are. */
export function waitForQuiet(
  run: MarketingRun,
  what: string,
  timeoutMs: number,
  intervalMs = 200,
  log?: (line: string) => void,
) {
  let reported = Date.now();
  return waitFor(
    what,
    async () => {
      if (log && Date.now() - reported > 15_000) {
        reported = Date.now();
        const { published, lag } = await relayAndConsumers(run.service.url);
        log(`${what}: relay published ${published}, consumer lag ${lag}`);
      }
      return isQuiet(run);
    },
    timeoutMs,
    intervalMs,
  );
}

/** Runs `task(i)` for i in 0..count-1 with `concurrency` in flight. */
export async function inParallel(
  count: number,
  concurrency: number,
  task: (i: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, count) }, async () => {
      while (next < count) await task(next++);
    }),
  );
}
