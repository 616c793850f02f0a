import { Logger } from '@nestjs/common';
import { Pool } from 'pg';
import { DataSource, type MixedList, type EntitySchema } from 'typeorm';
import type { BoundedContext } from '@crm/contracts';
import { createEventStore, type EventStore, type RecordedEvent } from '@crm/event-store';
import {
  EventRelay,
  ExactlyOnceConsumer,
  KafkaBus,
  type CloudEventHandler,
  type LogLevel,
  type MessagingLogger,
} from '@crm/messaging';
import type { ServiceConfig } from '../config/service-config';
import type { ReadinessCheck } from '../health/health.controller';

/** Something with a `handle` method, resolved from the service's Nest container. */
export interface EventHandlerClass {
  handle: CloudEventHandler;
}

/**
 * A projection or a reaction: CloudEvents from some topics, each applied exactly once. Give either
 * a plain function (`handle`) or an injectable class (`handler`) when it needs the service's providers.
 */
export type ProjectionSpec = { name: string; topics: string[] } & (
  | { handle: CloudEventHandler; handler?: never }
  | { handler: new (...args: never[]) => EventHandlerClass; handle?: never }
);

export interface PlatformOptions {
  context: BoundedContext;
  config: ServiceConfig;
  /** The service's own PostgreSQL schema for read models and bookkeeping (checkpoints, dedupe). */
  schema: string;
  entities: MixedList<string | (new () => unknown) | EntitySchema>;
  migrations: MixedList<string | (new () => unknown)>;
  /** Which events are public, i.e. relayed to `crm.<context>.events`. Default: all. */
  publishes?: (event: RecordedEvent) => boolean;
  projections: ProjectionSpec[];
  /** Partitions of the context's topic when the service creates it. */
  partitions?: number;
}

class NestMessagingLogger implements MessagingLogger {
  private readonly logger: Logger;
  constructor(name: string) {
    this.logger = new Logger(name);
  }
  log(level: LogLevel, msg: string, fields: Record<string, unknown> = {}) {
    const entry = { msg, ...fields };
    if (level === 'error') this.logger.error(entry);
    else if (level === 'warn') this.logger.warn(entry);
    else if (level === 'info') this.logger.log(entry);
    else this.logger.debug(entry);
  }
}

/**
 * Everything between a service's domain and the real infrastructure: the event store, the read
 * model database (migrated at start), the Kafka bus, the relay publishing the service's events,
 * and its exactly-once projections. Started after the HTTP app is created, stopped on shutdown.
 */
export class PlatformRuntime {
  readonly pool: Pool;
  readonly store: EventStore;
  readonly db: DataSource;
  readonly bus: KafkaBus;
  readonly relay: EventRelay;
  private consumers: { name: string; groupId: string; topics: string[]; consumer: ExactlyOnceConsumer }[] =
    [];
  private readonly logger = new Logger('platform');

  constructor(private readonly options: PlatformOptions) {
    const { config, context, schema } = options;
    this.pool = new Pool({ connectionString: config.DATABASE_URL, max: 20 });
    this.store =
      config.EVENT_STORE === 'eventstoredb'
        ? createEventStore({ kind: 'eventstoredb', connectionString: config.EVENTSTOREDB_URL! })
        : createEventStore({ kind: 'postgres', pool: this.pool, schema: `${schema}_eventstore` });
    this.db = new DataSource({
      type: 'postgres',
      url: config.DATABASE_URL,
      entities: options.entities,
      migrations: options.migrations,
      migrationsTableName: `${schema}_migrations`,
      schema,
      extra: { max: 10 },
    });
    this.bus = new KafkaBus({
      brokers: config.kafkaBrokers,
      clientId: `crm-${context}`,
      logger: new NestMessagingLogger('kafka'),
      consumer: { maxWaitTimeMs: 100 },
    });
    this.relay = new EventRelay({
      name: `${context}-events`,
      context,
      topic: config.topic(context),
      store: this.store,
      publisher: this.bus,
      pool: this.pool,
      schema,
      ...(options.publishes ? { publishes: options.publishes } : {}),
      logger: new NestMessagingLogger('relay'),
    });
  }

  /** `resolve` turns a projection's handler class into the instance the container made. */
  async start(resolve: (spec: ProjectionSpec) => CloudEventHandler): Promise<void> {
    const { schema, context, config } = this.options;
    this.consumers = this.options.projections.map((p) => {
      const groupId = `${config.KAFKA_GROUP_PREFIX}-${context}-${p.name}`;
      const consumer = new ExactlyOnceConsumer({
        subscriber: this.bus,
        dataSource: this.db,
        consumerName: p.name,
        groupId,
        topics: p.topics,
        schema,
        handle: resolve(p),
        logger: new NestMessagingLogger(`projection.${p.name}`),
      });
      return { name: p.name, groupId, topics: p.topics, consumer };
    });
    await this.store.migrate();
    await this.migrateReadModel(schema);
    await this.relay.migrate();
    for (const { consumer } of this.consumers) await consumer.migrate();
    // Its own topic, and those it consumes: a service may start before the context it listens to.
    const topics = new Set([config.topic(context), ...this.options.projections.flatMap((p) => p.topics)]);
    await this.bus.ensureTopics(
      [...topics].map((topic) => ({ topic, partitions: this.options.partitions ?? 6 })),
    );
    await this.relay.start();
    for (const { name, consumer } of this.consumers)
      await this.startWithRetries(name, () => consumer.start());
    this.logger.log({
      msg: 'platform started',
      schema,
      projections: this.options.projections.map((p) => p.name),
    });
  }

  async stop(): Promise<void> {
    await Promise.allSettled(this.consumers.map((c) => c.consumer.stop()));
    await this.relay.stop().catch(() => undefined);
    await this.bus.disconnect().catch(() => undefined);
    await this.store.close().catch(() => undefined);
    if (this.db.isInitialized) await this.db.destroy();
    await this.pool.end();
  }

  /**
   * Kafka answers some requests with retriable errors while a cluster settles (a topic another
   * service just created, a coordinator moving): those are retried for a while before giving up.
   */
  private async startWithRetries(name: string, start: () => Promise<void>, attempts = 10): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await start();
      } catch (error) {
        const retriable = (error as { retriable?: boolean }).retriable === true;
        if (!retriable || attempt >= attempts) throw error;
        this.logger.warn({
          msg: 'consumer start failed, retrying',
          consumer: name,
          attempt,
          error: String(error),
        });
        await new Promise((resolve) => setTimeout(resolve, 500 * attempt));
      }
    }
  }

  /** The running projections and reactions, for metrics. */
  projectionConsumers() {
    return [...this.consumers];
  }

  readinessChecks(): ReadinessCheck[] {
    return [
      { name: 'postgres', check: async () => void (await this.db.query('select 1')) },
      { name: 'event-store', check: () => this.store.ping() },
      { name: 'kafka', check: () => this.bus.ping() },
      {
        name: 'projections',
        check: async () => {
          const stopped = this.consumers.filter((c) => !c.consumer.stats().running).map((c) => c.name);
          if (this.consumers.length === 0 || stopped.length > 0)
            throw new Error(`not consuming: ${stopped.join(', ') || 'not started'}`);
        },
      },
    ];
  }

  /** Runs the read model migrations under an advisory lock, so that replicas starting together take turns. */
  private async migrateReadModel(schema: string): Promise<void> {
    const client = await this.pool.connect();
    try {
      await client.query('select pg_advisory_lock(hashtext($1))', [`${schema}:migrations`]);
      await client.query(`create schema if not exists "${schema}"`);
      if (!this.db.isInitialized) await this.db.initialize();
      await this.db.runMigrations({ transaction: 'each' });
    } finally {
      await client
        .query('select pg_advisory_unlock(hashtext($1))', [`${schema}:migrations`])
        .catch(() => undefined);
      client.release();
    }
  }
}
