import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { Kafka, logLevel } from 'kafkajs';
import { Pool } from 'pg';
import { eventsTopic } from '@crm/contracts';
import { JsonLogger, KafkaBus } from '@crm/messaging';
import { KeyRing, PersonalDataCipher, PostgresKeyVault } from '@crm/privacy';
import { ServiceProcess, bearer, freePort, freshDatabase, kafkaBrokers, waitFor } from '@crm/test-support';
import {
  ANALYTICS_CONTEXTS,
  HISTORY_DAYS,
  HISTORY_START,
  campaignDrafts,
  campaignIds,
  customerHistory,
  random,
  toRecords,
  type AnalyticsContext,
} from './analytics-events';
import { analyticsQueries, type QueryFigures } from './analytics-queries';
import { round } from './stats';

/** A real analytics process from its build output, with its own database and private topics. */
export interface AnalyticsRun {
  service: ServiceProcess;
  pool: Pool;
  cipher: PersonalDataCipher;
  vault: PostgresKeyVault;
  bus: KafkaBus;
  topic(context: AnalyticsContext): string;
  stop(): Promise<void>;
}

export interface RebuildFigures {
  events: number;
  partitions: number;
  customers: number;
  /** Publishing the events (generating, sealing, kafkajs in sends of 1,000). */
  produceSeconds: number;
  /** Generation 1 consuming them live, from the first publish until caught up. */
  liveEventsPerSecond: number;
  /** Baseline: a raw kafkajs consumer of the same topics from offset 0 that does nothing. */
  rawConsumeEventsPerSecond: number;
  /** A rebuild (generation 2) from `startedAt` to `switchedAt` (server clock). */
  rebuildSeconds: number;
  rebuildEventsPerSecond: number;
  ratio: number;
  /** CPU seconds the analytics process used during the rebuild (user + system). */
  rebuildCpuSeconds: number;
  loadAverage: { before: number; after: number };
}

const KEK = `bench:${randomBytes(32).toString('base64')}`;

async function startAnalytics(partitions: number, env: Record<string, string>): Promise<AnalyticsRun> {
  const db = await freshDatabase('crm_bench_analytics');
  const topicPrefix = `bench-${randomBytes(6).toString('hex')}.`;
  const topic = (context: AnalyticsContext) => `${topicPrefix}${eventsTopic(context)}`;
  const bus = new KafkaBus({
    clientId: 'bench-analytics',
    brokers: kafkaBrokers(),
    logger: new JsonLogger('bench', 'error'),
  });
  // Created as the service creates them (kept for ever), with the partitions asked for.
  await bus.ensureTopics(
    ANALYTICS_CONTEXTS.map((c) => ({ topic: topic(c), partitions, deadLetterTopic: true })),
  );
  const service = new ServiceProcess('analytics', await freePort(), {
    DATABASE_URL: db.url,
    KAFKA_BROKERS: kafkaBrokers().join(','),
    KAFKA_GROUP_PREFIX: `bench-${randomBytes(6).toString('hex')}`,
    KAFKA_TOPIC_PREFIX: topicPrefix,
    KAFKA_PARTITIONS: String(partitions),
    PRIVACY_KEKS: KEK,
    ANALYTICS_SUPERVISE_INTERVAL_MS: '500',
    LOG_LEVEL: 'warn',
    ...env,
  });
  const pool = new Pool({ connectionString: db.url, max: 8 });
  const vault = new PostgresKeyVault({ pool, keys: KeyRing.parse(KEK) });
  const stop = async () => {
    await service.stop().catch(() => undefined);
    await bus.disconnect().catch(() => undefined);
    await pool.end();
    await db.drop();
    await deleteTopics(topicPrefix);
  };
  try {
    await vault.migrate();
    await service.start(120_000);
  } catch (error) {
    await stop();
    throw error;
  }
  return { service, pool, vault, cipher: new PersonalDataCipher(vault), bus, topic, stop };
}

async function deleteTopics(prefix: string): Promise<void> {
  const kafka = new Kafka({
    clientId: 'bench-analytics',
    brokers: kafkaBrokers(),
    logLevel: logLevel.NOTHING,
  });
  const admin = kafka.admin();
  await admin.connect();
  try {
    const mine = (await admin.listTopics()).filter((t) => t.startsWith(prefix));
    if (mine.length > 0) await admin.deleteTopics({ topics: mine }).catch(() => undefined);
  } finally {
    await admin.disconnect();
  }
}

/**
 * `events` events of customers' histories published on the four topics, as the services' relays
 * publish them, a thousand customers at a time. Answers the customers (a sample of which the
 * queries ask about) and how many events were published.
 */
async function produce(run: AnalyticsRun, events: number, log: (line: string) => void) {
  const next = random(12);
  const campaigns = campaignIds();
  const customers: string[] = [];
  let published = 0;
  const timing = { seal: 0, publish: 0 };
  const publish = async (produced: Parameters<typeof toRecords>[0], check: boolean) => {
    const t0 = performance.now();
    const records = await toRecords(produced, run, check);
    timing.seal += performance.now() - t0;
    const t1 = performance.now();
    for (const e of produced) if (e.type === 'CustomerErased') await run.vault.erase(e.customerId);
    for (const context of ANALYTICS_CONTEXTS)
      for (let from = 0; from < records[context].length; from += 1_000)
        await run.bus.publish(run.topic(context), records[context].slice(from, from + 1_000));
    published += produced.length;
    timing.publish += performance.now() - t1;
  };
  await publish(campaignDrafts(campaigns), true);
  for (let i = 0; published < events;) {
    const chunk = [];
    for (let c = 0; c < 1_000 && published + chunk.length < events; c++, i++) {
      const history = customerHistory(i, next, campaigns);
      customers.push(history[0].customerId);
      chunk.push(...history.slice(0, events - published - chunk.length));
    }
    await publish(chunk, i <= 1_000);
    if (customers.length % 10_000 === 0) log(`  published ${published.toLocaleString('en')} events`);
  }
  log(`  sealing ${round(timing.seal / 1000)} s, publishing ${round(timing.publish / 1000)} s`);
  return { customers, published };
}

interface RebuildStatus {
  generation: number;
  state: string;
  done: number;
  total: number;
  ratePerSecond: number;
  startedAt: string;
  switchedAt: string | null;
}

async function rebuildStatus(run: AnalyticsRun): Promise<RebuildStatus> {
  const response = await fetch(`${run.service.url}/admin/rebuilds/current`, {
    headers: { authorization: await bearer('admin') },
  });
  if (response.status !== 200) throw new Error(`GET /admin/rebuilds/current answered ${response.status}`);
  return (await response.json()) as RebuildStatus;
}

/** A kafkajs consumer in a group of its own reading the topics from offset 0 and doing nothing. */
async function rawConsume(run: AnalyticsRun, events: number): Promise<number> {
  const kafka = new Kafka({ clientId: 'bench-raw', brokers: kafkaBrokers(), logLevel: logLevel.NOTHING });
  const consumer = kafka.consumer({
    groupId: `bench-raw-${randomBytes(6).toString('hex')}`,
    maxWaitTimeInMs: 100,
  });
  let seen = 0;
  let first = 0;
  let last = 0;
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: ANALYTICS_CONTEXTS.map((c) => run.topic(c)), fromBeginning: true });
    await consumer.run({
      eachBatch: async ({ batch }) => {
        first ||= performance.now();
        seen += batch.messages.length;
        last = performance.now();
      },
    });
    await waitFor('the raw consumer to read every record', () => seen >= events, 1_800_000, 50);
  } finally {
    await consumer.disconnect();
  }
  return events / ((last - first) / 1000);
}

/** A line saying the measured dashboards are not empty: funnel customers, attributed revenue, CLV model. */
async function dashboardsSummary(run: AnalyticsRun): Promise<string> {
  const get = async (path: string) => {
    const response = await fetch(`${run.service.url}${path}`, {
      headers: { authorization: await bearer('admin') },
    });
    return (await response.json()) as Record<string, unknown>;
  };
  const funnel = (await get('/dashboards/funnel')) as { groups: { customers: number }[] };
  const marketing = (await get('/dashboards/marketing')) as { campaigns: { revenue: { linear: number } }[] };
  const value = (await get('/dashboards/customer-value')) as {
    predicted: { model: string; reason: string | null };
  };
  const revenue = marketing.campaigns.reduce((sum, c) => sum + c.revenue.linear, 0);
  return (
    `funnel ${funnel.groups[0]?.customers ?? 0} customers; ${marketing.campaigns.length} campaigns, ` +
    `${round(revenue)} revenue attributed (linear); customer value model ${value.predicted.model}` +
    (value.predicted.reason ? ` (${value.predicted.reason})` : '')
  );
}

function cpuSeconds(pid: number | undefined): number {
  if (pid === undefined) return NaN;
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime + stime, in clock ticks of 1/100 s
}

/** From POST /admin/rebuilds until GET /admin/rebuilds/current shows it switched over. */
async function rebuild(run: AnalyticsRun): Promise<{ status: RebuildStatus; cpu: number }> {
  const cpuBefore = cpuSeconds(run.service.pid);
  const response = await fetch(`${run.service.url}/admin/rebuilds`, {
    method: 'POST',
    headers: { authorization: await bearer('admin') },
  });
  if (response.status !== 202) throw new Error(`POST /admin/rebuilds answered ${response.status}`);
  const { generation } = (await response.json()) as RebuildStatus;
  let status: RebuildStatus | undefined;
  await waitFor(
    `generation ${generation} switched over`,
    async () => {
      status = await rebuildStatus(run);
      return status.generation === generation && status.state === 'current';
    },
    3_600_000,
    250,
  );
  return { status: status!, cpu: cpuSeconds(run.service.pid) - cpuBefore };
}

/**
 * The analytics service's rebuild over `events` events and its dashboards' latencies over them,
 * in a real process (build output) on a database and topics of its own: the events published
 * (sealed as the services seal them), generation 1 consuming them live, then a raw kafkajs
 * consumer of the same topics (the ceiling), then a rebuild from offset 0 timed from its start to
 * its switch-over, then `requests` requests of each dashboard query, the customer 360 and timeline.
 */
export async function benchAnalytics(
  events: number,
  partitions: number,
  what: { rebuild: boolean; requests: number },
  env: Record<string, string> = {},
  log: (line: string) => void = console.log,
): Promise<{ rebuild: RebuildFigures | undefined; queries: QueryFigures[] | undefined }> {
  const loadBefore = loadavg()[0];
  const run = await startAnalytics(partitions, env);
  try {
    const started = performance.now();
    const { customers, published } = await produce(run, events, log);
    const produceSeconds = (performance.now() - started) / 1000;
    log(`  published ${published.toLocaleString('en')} events in ${round(produceSeconds)} s`);
    await waitFor(
      'generation 1 to apply every event',
      async () => (await rebuildStatus(run)).done >= published,
      3_600_000,
      250,
    );
    const liveSeconds = (performance.now() - started) / 1000;
    log(`  generation 1 caught up after ${round(liveSeconds)} s`);
    const queries = async () => {
      if (what.requests === 0) return undefined;
      log(`  what the dashboards hold now: ${await dashboardsSummary(run)}`);
      return analyticsQueries(run.service.url, customers, what.requests, {
        from: HISTORY_START,
        days: HISTORY_DAYS,
      });
    };
    if (!what.rebuild) return { rebuild: undefined, queries: await queries() };
    const raw = await rawConsume(run, published);
    log(`  raw consume: ${round(raw)} events/s`);
    const { status, cpu } = await rebuild(run);
    const seconds = (Date.parse(status.switchedAt!) - Date.parse(status.startedAt)) / 1000;
    const rebuildRate = status.done / seconds;
    log(`  rebuild: ${status.done} events in ${round(seconds)} s (${round(rebuildRate)} events/s)`);
    const figures: RebuildFigures = {
      events: published,
      partitions,
      customers: customers.length,
      produceSeconds: round(produceSeconds),
      liveEventsPerSecond: round(published / liveSeconds),
      rawConsumeEventsPerSecond: round(raw),
      rebuildSeconds: round(seconds, 2),
      rebuildEventsPerSecond: round(rebuildRate),
      ratio: round(rebuildRate / raw, 3),
      rebuildCpuSeconds: round(cpu),
      loadAverage: { before: round(loadBefore, 2), after: round(loadavg()[0], 2) },
    };
    // Over the rebuilt generation (now current).
    return { rebuild: figures, queries: await queries() };
  } finally {
    await run.stop();
  }
}
