import { randomBytes, randomUUID } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import { Kafka, logLevel } from 'kafkajs';
import { Pool } from 'pg';
import {
  BOUNDED_CONTEXTS,
  EVENT_CONTRACTS,
  cloudEventToKafka,
  eventsTopic,
  toCloudEvent,
  type BoundedContext,
  type ContractEventType,
} from '@crm/contracts';
import { JsonLogger, KafkaBus } from '@crm/messaging';
import { createServiceApp, loadConfig } from '@crm/service-kit';
import { freshDatabase, identityProvider, kafkaBrokers, waitFor } from '@crm/test-support';
import { AnalyticsConfig } from '../src/analytics.config';
import { AnalyticsModule } from '../src/analytics.module';
import { startAnalytics } from '../src/analytics.start';
import { AnalyticsConsumption } from '../src/consumption/consumption';
import type { AnalyticsEvent, Projector } from '../src/projection/projector';

/** What publishing a fact (projection.given.ts) needs of it. */
type PublishedFact = Pick<AnalyticsEvent, 'type' | 'context' | 'customerId'> & { data: object };

/** An event to publish: its context's topic, its type (a contract's, or any for an unknown one) and data. */
export interface TestEvent {
  context: BoundedContext;
  type: string;
  data: object;
  customerId?: string;
}

/** The newest schema version of a contract type (1 for a type outside the contracts). */
const newestVersion = (type: string) =>
  Object.hasOwn(EVENT_CONTRACTS, type)
    ? Math.max(...Object.keys(EVENT_CONTRACTS[type as ContractEventType]).map(Number))
    : 1;

/** A running analytics service, in this process, on the real PostgreSQL and Kafka. */
export interface RunningAnalytics {
  app: INestApplication;
  url: string;
  consumption: AnalyticsConsumption;
  stop(): Promise<void>;
}

/**
 * What the consumption's tests share: a database of their own, private topics
 * (`KAFKA_TOPIC_PREFIX`) and consumer groups (`KAFKA_GROUP_PREFIX`), and a publisher writing
 * CloudEvents on the topics as the producing services do.
 */
export class AnalyticsWorld {
  private constructor(
    readonly suffix: string,
    readonly databaseUrl: string,
    readonly pool: Pool,
    private readonly bus: KafkaBus,
    private readonly dropDatabase: () => Promise<void>,
  ) {}

  static async create(): Promise<AnalyticsWorld> {
    const suffix = randomBytes(4).toString('hex');
    const db = await freshDatabase('crm_analytics_it');
    const bus = new KafkaBus({
      brokers: kafkaBrokers(),
      clientId: `analytics-it-${suffix}`,
      logger: new JsonLogger('test', 'error'),
    });
    return new AnalyticsWorld(suffix, db.url, new Pool({ connectionString: db.url, max: 4 }), bus, db.drop);
  }

  get topicPrefix(): string {
    return `it${this.suffix}.`;
  }

  topic(context: BoundedContext): string {
    return this.topicPrefix + eventsTopic(context);
  }

  /** Starts the service with these projectors (two starts on one world share the database and topics). */
  async start(projectors: Projector[]): Promise<RunningAnalytics> {
    const { issuer, audience } = await identityProvider();
    const config = loadConfig(AnalyticsConfig, {
      LOG_LEVEL: 'error',
      DATABASE_URL: this.databaseUrl,
      KAFKA_BROKERS: kafkaBrokers().join(','),
      KAFKA_TOPIC_PREFIX: this.topicPrefix,
      KAFKA_GROUP_PREFIX: `it-${this.suffix}`,
      KAFKA_PARTITIONS: '1',
      ANALYTICS_SUPERVISE_INTERVAL_MS: '100',
      RATE_LIMIT_PER_MINUTE: '100000000',
      OIDC_ISSUER_URL: issuer,
      OIDC_AUDIENCE: audience,
    });
    const description = { name: 'analytics', title: 'analytics', description: 'in process', version: '0' };
    const app = await createServiceApp(AnalyticsModule.forRoot(config, { projectors }), description, config);
    try {
      await startAnalytics(app, 0, '127.0.0.1');
    } catch (error) {
      await app.close().catch(() => undefined);
      throw error;
    }
    const { port } = app.getHttpServer().address() as { port: number };
    return {
      app,
      url: `http://127.0.0.1:${port}`,
      consumption: app.get(AnalyticsConsumption),
      stop: () => app.close(),
    };
  }

  /** Publishes the events as CloudEvents on their contexts' topics (creating the topics if need be). */
  async publish(events: TestEvent[]): Promise<void> {
    const contexts = [...new Set(events.map((e) => e.context))];
    await this.bus.ensureTopics(contexts.map((c) => ({ topic: this.topic(c), partitions: 1 })));
    for (const context of contexts) {
      const records = events
        .filter((e) => e.context === context)
        .map((e) => {
          const customerId = e.customerId ?? randomUUID();
          const cloudEvent = toCloudEvent(
            context,
            {
              id: randomUUID(),
              type: e.type,
              streamId: `test-${customerId}`,
              revision: 0,
              data: e.data,
              metadata: {
                customerId,
                correlationId: randomUUID(),
                causationId: randomUUID(),
                schemaVersion: newestVersion(e.type),
                occurredAt: new Date().toISOString(),
              },
            },
            `${context}/${customerId}`,
          );
          return cloudEventToKafka(cloudEvent);
        });
      await this.bus.publish(this.topic(context), records);
    }
  }

  /** Facts (projection.given.ts) as the events their contexts publish. */
  static asPublished(facts: readonly PublishedFact[]): TestEvent[] {
    return facts.map((f) => {
      const context = BOUNDED_CONTEXTS.find((c) => c === f.context);
      if (!context) throw new Error(`${f.type}: ${f.context} is no bounded context`);
      return { context, type: f.type, data: f.data, customerId: f.customerId };
    });
  }

  /**
   * Publishes the facts, starts the service with `projectors` and waits until the views hold the
   * rows given: `{ 'sale': 5, "timeline where customer_id = '…'": 7 }` (a from-clause: its count).
   */
  async serve(
    facts: readonly PublishedFact[],
    projectors: Projector[],
    rows: Record<string, number>,
  ): Promise<RunningAnalytics> {
    await this.publish(AnalyticsWorld.asPublished(facts));
    const service = await this.start(projectors);
    const count = async (from: string) =>
      Number((await this.rows<{ n: string }>(`select count(*) as n from analytics.${from}`))[0].n);
    try {
      await waitFor(
        `the rows ${JSON.stringify(rows)} projected`,
        async () => {
          for (const [from, n] of Object.entries(rows)) if ((await count(from)) !== n) return false;
          return true;
        },
        60_000,
      );
    } catch (error) {
      await service.stop();
      throw error;
    }
    return service;
  }

  /** Rows of a query on the service's database. */
  async rows<R extends object = Record<string, unknown>>(sql: string, values?: unknown[]): Promise<R[]> {
    return (await this.pool.query<R>(sql, values)).rows;
  }

  /** The counts of `analytics.event_count` (the view over the current generation), by type. */
  async counts(): Promise<Record<string, number>> {
    const rows = await this.rows<{ type: string; events: number }>(
      'select type, events from analytics.event_count order by type',
    );
    return Object.fromEntries(rows.map((r) => [r.type, r.events]));
  }

  /** Waits until the current generation's counts are `expected`. */
  async countsBecome(expected: Record<string, number>, timeoutMs = 60_000): Promise<void> {
    let last: Record<string, number> = {};
    await waitFor(
      `analytics.event_count = ${JSON.stringify(expected)}`,
      async () => JSON.stringify((last = await this.counts())) === JSON.stringify(sorted(expected)),
      timeoutMs,
    ).catch((error: Error) => {
      throw new Error(`${error.message}; last seen ${JSON.stringify(last)}`);
    });
  }

  async close(): Promise<void> {
    await this.bus.disconnect();
    await this.pool.end();
    await this.dropDatabase();
    const kafka = new Kafka({
      clientId: `analytics-it-${this.suffix}`,
      brokers: kafkaBrokers(),
      logLevel: logLevel.NOTHING,
    });
    const admin = kafka.admin();
    await admin.connect();
    try {
      const mine = (await admin.listTopics()).filter((t) => t.startsWith(this.topicPrefix));
      if (mine.length > 0) await admin.deleteTopics({ topics: mine }).catch(() => undefined);
    } finally {
      await admin.disconnect();
    }
  }
}

const sorted = (o: Record<string, number>) =>
  Object.fromEntries(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : 1)));

/** One event of each counted type per context, `n` times; plus `unknown` records of an unknown type. */
export function someEvents(n: number, unknown = 0): TestEvent[] {
  const at = new Date().toISOString();
  const events: TestEvent[] = [];
  for (let i = 0; i < n; i++)
    events.push(
      { context: 'leads', type: 'LeadWorkStarted', data: { leadId: randomUUID(), startedAt: at } },
      {
        context: 'pipeline',
        type: 'QuoteRejected',
        data: { quoteId: randomUUID(), opportunityId: randomUUID(), rejectedAt: at },
      },
      {
        context: 'service',
        type: 'CaseAssigned',
        data: { caseId: randomUUID(), agentId: 'agent-1', method: 'least_loaded', assignedAt: at },
      },
      {
        context: 'marketing',
        type: 'CampaignScheduled',
        data: { campaignId: randomUUID(), startAt: at, scheduledAt: at },
      },
    );
  for (let i = 0; i < unknown; i++)
    events.push({ context: 'leads', type: 'LeadTeleported', data: { leadId: randomUUID() } });
  return events;
}

/** An erasure, as the leads context publishes it. */
export function anErasure(): TestEvent {
  const customerId = randomUUID();
  return {
    context: 'leads',
    type: 'CustomerErased',
    customerId,
    data: { customerId, reason: 'GDPR art. 17 request', erasedAt: new Date().toISOString() },
  };
}

/** The counts `someEvents(n)` and `erasures` erasures give. */
export function expectedCounts(n: number, erasures = 0): Record<string, number> {
  return {
    CampaignScheduled: n,
    CaseAssigned: n,
    LeadWorkStarted: n,
    QuoteRejected: n,
    ...(erasures > 0 ? { '(erasure)': erasures } : {}),
  };
}
