import { randomBytes, randomUUID } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import { Client } from 'pg';
import { freshDatabase, kafkaBrokers, waitFor } from './env';
import { LocalMailServer } from './mail-server';
import { OtlpReceiver } from './otlp-receiver';
import { PublishedEventsReader } from './published-events';
import { ServiceProcess, callService, freePort } from './service-process';

/**
 * Leads and pipeline as separate real processes (built output, OpenTelemetry preloaded) on the
 * real broker and a database of their own, with topics and consumer groups of their own: the
 * broker is shared with other runs.
 */
export interface CrossService {
  leads: ServiceProcess;
  pipeline: ServiceProcess;
  /** Collects the spans both services export. */
  otlp: OtlpReceiver;
  /** crm.pipeline.events read as integrators do: the CloudEvents SDK, each record checked against the AsyncAPI document. */
  integrator: PublishedEventsReader;
  databaseUrl: string;
  groupPrefix: string;
  leadsTopic: string;
  pipelineTopic: string;
  /** The owner the leads service assigns every lead to. */
  owner: string;
  /** Stops pipeline (gracefully) and starts it again on the same port and settings. */
  restartPipeline(beforeStart?: () => Promise<void>): Promise<void>;
  /**
   * Service desk processes (with `serviceDesk` settings): the first is started with the others;
   * `startServiceDesk()` adds a replica, `restartServiceDesk(i)` stops one and starts it again.
   */
  serviceDesks: ServiceProcess[];
  serviceTopic: string;
  startServiceDesk(): Promise<ServiceProcess>;
  restartServiceDesk(index?: number): Promise<void>;
  /**
   * Marketing processes (with `marketing` settings), sending mail to `mail`, a mail server process
   * of this run's own: the first is started with the others (after leads and pipeline);
   * `startMarketing()` adds a replica, `restartMarketing(i)` stops one (gracefully, unless it is
   * dead already) and starts it again on the same port and settings, `killMarketing(i)` SIGKILLs it.
   * Every replica's links (CAMPAIGN_PUBLIC_URL) name the first one's port, as a load balancer's.
   */
  marketings: ServiceProcess[];
  marketingTopic: string;
  mail: LocalMailServer | undefined;
  startMarketing(): Promise<ServiceProcess>;
  restartMarketing(index?: number): Promise<void>;
  killMarketing(index?: number): Promise<string>;
  /**
   * The analytics process (with `analytics` settings), started after every other service (it
   * consumes all four topics); undefined without them.
   */
  analytics: ServiceProcess | undefined;
  /** Every topic of this run (leads, pipeline, service, marketing), as analytics consumes them. */
  topics: string[];
  /**
   * Waits until analytics' current generation has applied every record the four topics hold now:
   * its consumer group's committed offsets (committed after each batch's transaction) reach the
   * high watermarks read when called. Call it once what was driven is on the topics.
   */
  analyticsCaughtUp(timeoutMs?: number): Promise<void>;
  /**
   * Stops everything; answers how each service ended (leads, pipeline, the service desks, the
   * marketing processes, then analytics when started).
   */
  stop(): Promise<string[]>;
}

/** A business calendar open every hour of every day (SLA_CALENDAR): test SLA clocks run in wall-clock time. */
export const ALWAYS_OPEN_SLA_CALENDAR = JSON.stringify({
  timeZone: 'UTC',
  weekly: Object.fromEntries([1, 2, 3, 4, 5, 6, 7].map((d) => [d, [{ start: '00:00', end: '24:00' }]])),
  holidays: [],
});

/** The key of the consent, unsubscribe and tracking links of the marketing processes started here. */
export const E2E_CONSENT_LINK_SECRET = 'the e2e key of the marketing links';

/**
 * `env`: settings of every service beside the defaults (e.g. `LOG_LEVEL`); `serviceDesk`: settings
 * of the service desk, `marketing`: of the marketing service (and its mail server), `analytics`: of
 * the analytics service, each started only when they are given.
 */
export async function startCrossService(
  env: Record<string, string> = {},
  options: {
    serviceDesk?: Record<string, string>;
    marketing?: Record<string, string>;
    analytics?: Record<string, string>;
  } = {},
): Promise<CrossService> {
  const run = randomBytes(3).toString('hex');
  const topicPrefix = `e2e-${run}.`;
  const groupPrefix = `e2e-${randomUUID()}`;
  const owner = `ana-${run}`;
  const db = await freshDatabase();
  const otlp = new OtlpReceiver();
  await otlp.start();
  const shared = {
    DATABASE_URL: db.url,
    KAFKA_BROKERS: kafkaBrokers().join(','),
    KAFKA_GROUP_PREFIX: groupPrefix,
    KAFKA_TOPIC_PREFIX: topicPrefix,
    OTEL_EXPORTER_OTLP_ENDPOINT: otlp.endpoint,
    LOG_LEVEL: 'warn',
    ...env,
  };
  const leads = new ServiceProcess('leads', await freePort(), { ...shared, LEAD_OWNERS: owner });
  const pipelinePort = await freePort();
  const marketingPort = await freePort();
  const marketingEnv = (mail: LocalMailServer) => ({
    ...shared,
    SMTP_URL: mail.smtpUrl,
    CONSENT_LINK_SECRET: E2E_CONSENT_LINK_SECRET,
    CAMPAIGN_PUBLIC_URL: `http://127.0.0.1:${marketingPort}`,
    ...options.marketing,
  });
  const services = {
    leads,
    pipeline: new ServiceProcess('pipeline', pipelinePort, shared),
    otlp,
    integrator: undefined as unknown as PublishedEventsReader,
    databaseUrl: db.url,
    groupPrefix,
    leadsTopic: `${topicPrefix}crm.leads.events`,
    pipelineTopic: `${topicPrefix}crm.pipeline.events`,
    owner,
    async restartPipeline(beforeStart?: () => Promise<void>) {
      expect(await services.pipeline.stop()).toBe('graceful');
      await beforeStart?.();
      services.pipeline = new ServiceProcess('pipeline', pipelinePort, shared);
      await services.pipeline.start();
    },
    serviceDesks: [] as ServiceProcess[],
    serviceTopic: `${topicPrefix}crm.service.events`,
    async startServiceDesk() {
      const desk = new ServiceProcess('service-desk', await freePort(), {
        ...shared,
        ...options.serviceDesk,
      });
      await desk.start();
      services.serviceDesks.push(desk);
      return desk;
    },
    async restartServiceDesk(index = 0) {
      const old = services.serviceDesks[index];
      expect(await old.stop()).toBe('graceful');
      const desk = new ServiceProcess('service-desk', Number(new URL(old.url).port), {
        ...shared,
        ...options.serviceDesk,
      });
      await desk.start();
      services.serviceDesks[index] = desk;
    },
    marketings: [] as ServiceProcess[],
    marketingTopic: `${topicPrefix}crm.marketing.events`,
    mail: undefined as LocalMailServer | undefined,
    async startMarketing() {
      services.mail ??= await LocalMailServer.start();
      const port = services.marketings.length === 0 ? marketingPort : await freePort();
      const marketing = new ServiceProcess('marketing', port, marketingEnv(services.mail));
      services.marketings.push(marketing);
      await marketing.start();
      return marketing;
    },
    async restartMarketing(index = 0) {
      const old = services.marketings[index];
      if (old.running) expect(await old.stop()).toBe('graceful');
      const marketing = new ServiceProcess('marketing', old.port, marketingEnv(services.mail!));
      services.marketings[index] = marketing;
      await marketing.start();
    },
    killMarketing: (index = 0) => services.marketings[index].kill(),
    analytics: undefined as ServiceProcess | undefined,
    topics: ['leads', 'pipeline', 'service', 'marketing'].map((c) => `${topicPrefix}crm.${c}.events`),
    analyticsCaughtUp: (timeoutMs = 120_000) => caughtUp(services.topics, groupPrefix, db.url, timeoutMs),
    async stop() {
      await services.integrator?.stop();
      const ended = await Promise.all([
        services.leads.stop(),
        services.pipeline.stop(),
        ...services.serviceDesks.map((d) => d.stop()),
        ...services.marketings.map((m) => m.stop()),
        ...(services.analytics ? [services.analytics.stop()] : []),
      ]);
      await services.mail?.stop();
      await otlp.stop();
      await db.drop();
      return ended;
    },
  };
  await Promise.all([leads.start(), services.pipeline.start()]);
  if (options.serviceDesk) await services.startServiceDesk();
  // After leads and pipeline, as services.json orders them (marketing consumes both topics).
  if (options.marketing) await services.startMarketing();
  // Last, as services.json orders it: it consumes every other service's topic.
  if (options.analytics) {
    services.analytics = new ServiceProcess('analytics', await freePort(), {
      ...shared,
      ...options.analytics,
    });
    await services.analytics.start();
  }
  services.integrator = await PublishedEventsReader.follow(kafkaBrokers(), services.pipelineTopic);
  return services;
}

async function currentGeneration(databaseUrl: string): Promise<number> {
  const db = new Client({ connectionString: databaseUrl });
  await db.connect();
  try {
    const { rows } = await db.query<{ n: number }>(
      `select n from analytics.generation where state = 'current'`,
    );
    return rows[0].n;
  } finally {
    await db.end();
  }
}

/** CrossService.analyticsCaughtUp: the analytics generation group's offsets at the topics' ends. */
async function caughtUp(topics: string[], groupPrefix: string, databaseUrl: string, timeoutMs: number) {
  const admin = new Kafka({
    clientId: 'e2e-analytics-lag',
    brokers: kafkaBrokers(),
    logLevel: logLevel.NOTHING,
  }).admin();
  await admin.connect();
  try {
    const ends: { topic: string; partition: number; high: number }[] = [];
    for (const topic of topics)
      for (const p of await admin.fetchTopicOffsets(topic))
        ends.push({ topic, partition: p.partition, high: Number(p.high) });
    const groupId = `${groupPrefix}-analytics-g${await currentGeneration(databaseUrl)}`;
    await waitFor(
      `analytics (${groupId}) to apply every record on the topics`,
      async () => {
        const committed = await admin.fetchOffsets({ groupId, topics });
        const offset = (topic: string, partition: number) =>
          Number(
            committed.find((t) => t.topic === topic)?.partitions.find((p) => p.partition === partition)
              ?.offset ?? -1,
          );
        return ends.every((e) => e.high === 0 || offset(e.topic, e.partition) >= e.high);
      },
      timeoutMs,
      100,
    );
  } finally {
    await admin.disconnect();
  }
}

export const traceparent = () => `00-${randomBytes(16).toString('hex')}-${randomBytes(8).toString('hex')}-01`;

/** Who a test lead is: a person at a company, reachable by e-mail (and phone). */
export interface LeadPerson {
  personName: string;
  email: string;
  phone?: string;
  /** The summary of the meeting recorded before qualification. */
  meetingSummary?: string;
}

/** Captures, engages, qualifies and converts a lead in leads; answers its ids and the conversion's trace id. */
export async function convertedLead(
  leads: ServiceProcess,
  person: LeadPerson = {
    personName: 'Olga Ruiz',
    email: `olga.${randomBytes(4).toString('hex')}@acme.example`,
  },
) {
  const captured = await callService(leads, 'POST', '/leads', {
    personName: person.personName,
    companyName: `Acme ${randomBytes(3).toString('hex')}`,
    email: person.email,
    ...(person.phone ? { phone: person.phone } : {}),
    channel: 'referral',
    companySize: 400,
    interests: ['erp'],
  });
  expect(captured.status).toBe(201);
  const { id, customerId, ownerId } = captured.body;
  const engaged = await callService(leads, 'POST', `/leads/${id}/engagements`, {
    kind: 'meeting',
    channel: 'event',
    ...(person.meetingSummary ? { summary: person.meetingSummary } : {}),
  });
  expect(engaged.status).toBe(201);
  expect((await callService(leads, 'POST', `/leads/${id}/qualify`)).status).toBe(200);
  const tp = traceparent();
  const converted = await callService(leads, 'POST', `/leads/${id}/convert`, undefined, { traceparent: tp });
  expect(converted.status).toBe(200);
  return {
    leadId: id as string,
    customerId: customerId as string,
    ownerId: ownerId as string,
    traceId: tp.split('-')[1],
  };
}

/** The account as pipeline serves it, once `until` holds. */
export function accountOf(
  pipeline: ServiceProcess,
  customerId: string,
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the account as the API answers it
  until: (account: any) => boolean = () => true,
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
): Promise<any> {
  return waitFor(`account ${customerId} in pipeline`, async () => {
    const r = await callService(pipeline, 'GET', `/accounts/${customerId}`);
    return r.status === 200 && until(r.body) ? r.body : undefined;
  });
}

/**
 * A customer acquired end to end: a lead captured, engaged, qualified and converted in leads, its
 * opportunity in pipeline given an amount (4200) and won. Answers the lead's ids.
 */
export async function wonCustomer(services: Pick<CrossService, 'leads' | 'pipeline'>, person?: LeadPerson) {
  const lead = await convertedLead(services.leads, person);
  const account = await accountOf(services.pipeline, lead.customerId, (a) => a.opportunities.length > 0);
  const opportunityId = account.opportunities[0].opportunityId as string;
  const amount = await callService(services.pipeline, 'PATCH', `/opportunities/${opportunityId}`, {
    amount: 4200,
  });
  expect(amount.status).toBe(200);
  expect(
    (await callService(services.pipeline, 'POST', `/opportunities/${opportunityId}/win`, {})).status,
  ).toBe(200);
  await accountOf(services.pipeline, lead.customerId, (a) => Number(a.wonRevenue) === 4200);
  return lead;
}
