import { Logger } from '@nestjs/common';
import { Pool, escapeIdentifier, type QueryConfig } from 'pg';
import { DataSource, type MixedList, type EntitySchema } from 'typeorm';
import type { BoundedContext } from '@crm/contracts';
import { createEventStore, type EventStore, type RecordedEvent } from '@crm/event-store';
import {
  CrmEventsTransport,
  DeadLetterStore,
  EventRelay,
  KafkaBus,
  type EventConsumer,
  type ExactlyOnceConsumer,
  type LogLevel,
  type MessagingLogger,
  type ReplayOutcome,
} from '@crm/messaging';
import { PersonalDataCipher, PostgresKeyVault, ProtectedEventStore, type KeyVault } from '@crm/privacy';
import type { ServiceConfig } from '../config/service-config';
import { kafkaSecurity, postgresConnection } from '../config/transport-security';
import { ReadinessFailure, type ReadinessCheck } from '../health/health.controller';
import { AuditSealer } from './audit-sealer';
import { failingConsumers } from './consumer-health';
import { POSTGRES_TIMEOUTS, survivePoolErrors } from './postgres-timeouts';

export interface PlatformOptions {
  context: BoundedContext;
  config: ServiceConfig;
  /** The service's own PostgreSQL schema for read models and bookkeeping (checkpoints, dedupe). */
  schema: string;
  entities: MixedList<string | (new () => unknown) | EntitySchema>;
  migrations: MixedList<string | (new () => unknown)>;
  /** Which events are public, i.e. relayed to `crm.<context>.events`. Default: all. */
  publishes?: (event: RecordedEvent) => boolean;
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

/** A projection or reaction as the platform runs it. */
export type RunningConsumer = EventConsumer;

/**
 * Everything between a service's domain and the real infrastructure: the event store, the read
 * model database (migrated at start), the Kafka bus, the relay publishing the service's events,
 * and the transport of its projections and reactions (Nest controllers with `@EventPattern`
 * handlers, each consumer exactly once) with their dead letters. Started when the application
 * initializes (the consumers right after, see `prepareEventConsumers`), stopped on shutdown.
 */
/** Longest wait for another replica's read model migrations before this start fails. */
const MIGRATION_WAIT_MS = 10 * 60_000;

export class PlatformRuntime {
  readonly pool: Pool;
  /** The service's event store: personal values sealed with the customers' keys (see @crm/privacy). */
  readonly store: EventStore;
  /** The customers' data keys, shared by every service of the deployment. */
  readonly vault: KeyVault & { migrate(): Promise<void> };
  readonly cipher: PersonalDataCipher;
  readonly db: DataSource;
  readonly bus: KafkaBus;
  readonly relay: EventRelay;
  /** Records the consumers parked, in the service's schema. */
  readonly deadLetters: DeadLetterStore;
  /** The Nest transport running the service's projections and reactions. */
  readonly events: CrmEventsTransport;
  /** Seals the PostgreSQL event store on a schedule (none with EventStoreDB). */
  readonly auditSealer?: AuditSealer;
  private readonly logger = new Logger('platform');
  private messaging = true;

  constructor(private readonly options: PlatformOptions) {
    const { config, context, schema } = options;
    // TLS as DATABASE_SSL (or the URL's sslmode) says, the same for both pools.
    const postgres = postgresConnection(config);
    this.pool = new Pool({
      connectionString: postgres.url,
      ssl: postgres.ssl,
      max: 20,
      ...POSTGRES_TIMEOUTS,
    });
    survivePoolErrors(this.pool, (entry) => this.logger.warn(entry));
    this.vault = new PostgresKeyVault({
      pool: this.pool,
      keys: config.privacyKeys,
      schema: config.KEY_VAULT_SCHEMA,
      cacheMs: config.PRIVACY_KEY_CACHE_SECONDS * 1000,
    });
    this.cipher = new PersonalDataCipher(this.vault);
    const store =
      config.EVENT_STORE === 'eventstoredb'
        ? createEventStore({ kind: 'eventstoredb', connectionString: config.EVENTSTOREDB_URL! })
        : createEventStore({ kind: 'postgres', pool: this.pool, schema: `${schema}_eventstore` });
    this.store = new ProtectedEventStore(store, this.cipher);
    if (config.EVENT_STORE === 'postgres')
      this.auditSealer = new AuditSealer(
        this.pool,
        `${schema}_eventstore`,
        config.AUDIT_SEAL_INTERVAL_MINUTES * 60_000,
      );
    this.db = new DataSource({
      type: 'postgres',
      url: postgres.url,
      ssl: postgres.ssl,
      entities: options.entities,
      migrations: options.migrations,
      migrationsTableName: `${schema}_migrations`,
      schema,
      extra: { max: 10, ...POSTGRES_TIMEOUTS },
    });
    this.bus = new KafkaBus({
      brokers: config.kafkaBrokers,
      clientId: `crm-${context}`,
      ...kafkaSecurity(config),
      logger: new NestMessagingLogger('kafka'),
      consumer: {
        maxWaitTimeMs: 100,
        // A replacement for a crashed instance waits this long for its partitions.
        sessionTimeoutMs: config.KAFKA_SESSION_TIMEOUT_MS,
        heartbeatIntervalMs: Math.floor(config.KAFKA_SESSION_TIMEOUT_MS / 3),
      },
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
    this.deadLetters = new DeadLetterStore(this.db, schema);
    this.events = new CrmEventsTransport({
      subscriber: this.bus,
      dataSource: this.db,
      schema,
      topicOf: (of) => config.topic(of),
      groupIdOf: (name) => `${config.KAFKA_GROUP_PREFIX}-${context}-${name}`,
      // The topics it consumes, with their dead-letter topics: a service may start before the
      // context it listens to.
      prepareTopics: (topics) =>
        this.bus.ensureTopics(
          topics.map((topic) => ({ topic, partitions: config.KAFKA_PARTITIONS, deadLetterTopic: true })),
        ),
      retry: { attempts: config.CONSUMER_RETRY_ATTEMPTS, backoffMs: config.CONSUMER_RETRY_BACKOFF_MS },
      deadLetterPublisher: this.bus,
      logger: new NestMessagingLogger('consumers'),
      loggerOf: (name) => new NestMessagingLogger(`projection.${name}`),
      reveal: (event, parsed) =>
        this.cipher.reveal(
          { type: parsed.type, schemaVersion: parsed.schemaVersion, customerId: event.customerid },
          parsed.data,
        ),
    });
  }

  /**
   * Migrates the event store and the read model, creates the service's topic and starts the
   * relay. The consumers start after this, when the transport listens (`prepareEventConsumers`).
   */
  async start(): Promise<void> {
    const { schema, context, config } = this.options;
    if (config.PRIVACY_KEKS === undefined)
      this.logger.warn({ msg: 'personal data is sealed with the development key: set PRIVACY_KEKS' });
    await this.vault.migrate();
    await this.store.migrate();
    await this.migrateReadModel(schema);
    await this.relay.migrate();
    if (!this.messaging) return;
    await this.bus.ensureTopics([{ topic: config.topic(context), partitions: config.KAFKA_PARTITIONS }]);
    await this.relay.start();
    this.auditSealer?.start();
    this.logger.log({ msg: 'platform started', schema });
  }

  /**
   * For in-process tests of the HTTP surface, called before the application starts: `start()`
   * then migrates the event store and the read model and stops there; Kafka is never contacted
   * (no topic created, no relay). The consumers start only with `prepareEventConsumers`.
   */
  withoutMessaging(): void {
    this.messaging = false;
  }

  async stop(): Promise<void> {
    await this.auditSealer?.stop();
    await this.events.close();
    await this.relay.stop().catch(() => undefined);
    await this.bus.disconnect().catch(() => undefined);
    await this.store.close().catch(() => undefined);
    if (this.db.isInitialized) await this.db.destroy();
    await this.pool.end();
  }

  /** The bounded context this service is. */
  get context(): BoundedContext {
    return this.options.context;
  }

  /** The running projections and reactions, for metrics. */
  projectionConsumers(): RunningConsumer[] {
    return this.events.consumers();
  }

  /** Replays one dead letter with its consumer; undefined for an unknown id. */
  async replay(id: string): Promise<ReplayOutcome | undefined> {
    const name = await this.deadLetters.consumerOf(id);
    if (name === undefined) return undefined;
    return this.consumerNamed(name).replay(id);
  }

  /** Replays every parked dead letter of a consumer, oldest first, each in its own transaction. */
  async replayAll(name: string): Promise<ReplayOutcome[]> {
    const consumer = this.consumerNamed(name);
    const outcomes: ReplayOutcome[] = [];
    for (const id of await this.deadLetters.parkedIds(name)) {
      const outcome = await consumer.replay(id);
      if (outcome) outcomes.push(outcome);
    }
    return outcomes;
  }

  /** The consumer of this service with this name; throws `UnknownConsumerError` otherwise. */
  consumerNamed(name: string): ExactlyOnceConsumer {
    const consumers = this.events.consumers();
    const found = consumers.find((c) => c.name === name);
    if (!found)
      throw new UnknownConsumerError(
        name,
        consumers.map((c) => c.name),
      );
    return found.consumer;
  }

  readinessChecks(): ReadinessCheck[] {
    return [
      { name: 'postgres', check: async () => void (await this.db.query('select 1')) },
      { name: 'event-store', check: () => this.store.ping() },
      {
        name: 'kafka',
        check: async () => {
          await this.bus.ping();
          const warnings = this.bus.topicConfigWarnings();
          return warnings.length > 0 ? { topicConfigWarnings: warnings } : undefined;
        },
      },
      {
        name: 'projections',
        check: async () => {
          const consumers = this.events.consumers();
          if (consumers.length === 0) throw new Error('not consuming: not started');
          const failing = failingConsumers(
            consumers.map((c) => ({ name: c.name, stats: c.consumer.stats() })),
            await this.deadLetters.parkedCounts(),
          );
          if (failing.length > 0) {
            const names = [...new Set(failing.map((f) => f.consumer))].join(', ');
            throw new ReadinessFailure(`failing: ${names}`, { failing });
          }
        },
      },
    ];
  }

  /** Runs the read model migrations under an advisory lock, so that replicas starting together take turns. */
  private async migrateReadModel(schema: string): Promise<void> {
    const client = await this.pool.connect();
    try {
      // The wait for another replica's migrations may outlast the pool's per-statement bound.
      await client.query('set statement_timeout = 0');
      const lock: QueryConfig & { query_timeout: number } = {
        text: 'select pg_advisory_lock(hashtext($1))',
        values: [`${schema}:migrations`],
        query_timeout: MIGRATION_WAIT_MS,
      };
      await client.query(lock);
      await client.query(`create schema if not exists ${escapeIdentifier(schema)}`);
      if (!this.db.isInitialized) await this.db.initialize();
      await this.db.runMigrations({ transaction: 'each' });
    } finally {
      await client
        .query('select pg_advisory_unlock(hashtext($1))', [`${schema}:migrations`])
        .catch(() => undefined);
      await client.query('reset statement_timeout').catch(() => undefined);
      client.release();
    }
  }
}

/** A dead letter or request names a consumer this service does not run. */
export class UnknownConsumerError extends Error {
  constructor(
    readonly consumer: string,
    readonly known: string[],
  ) {
    super(`this service has no consumer "${consumer}" (it has: ${known.join(', ')})`);
    this.name = 'UnknownConsumerError';
  }
}
