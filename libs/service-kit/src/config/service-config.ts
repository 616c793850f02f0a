import 'reflect-metadata';
import { plainToInstance } from 'class-transformer';
import { eventsTopic, type BoundedContext } from '@crm/contracts';
import {
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUrl,
  Matches,
  Max,
  Min,
  validateSync,
  type ValidationError,
} from 'class-validator';

/**
 * Settings every service has. A service declares one config class that extends this one; it is
 * validated once at start-up, and a bad value stops the process with every offending variable named.
 */
export class ServiceConfig {
  @IsInt()
  @Min(1)
  @Max(65535)
  PORT!: number;

  /** PostgreSQL holding the service's read models (and its event store, with EVENT_STORE=postgres). */
  @IsString()
  DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/crm';

  /** Comma-separated host:port list. */
  @IsString()
  KAFKA_BROKERS = '127.0.0.1:9092';

  /**
   * Prefix of every consumer group id. Deployments sharing a Kafka cluster (staging and
   * production, or tests) need their own, or they split each other's partitions.
   */
  @IsString()
  KAFKA_GROUP_PREFIX = 'crm';

  /**
   * Prefix of every topic name (e.g. `staging.`), for deployments or test runs that share a Kafka
   * cluster. Empty in production: topics are then exactly `crm.<context>.events`.
   */
  @Matches(/^[A-Za-z0-9._-]*$/, { message: 'KAFKA_TOPIC_PREFIX may hold letters, digits, ".", "_" and "-"' })
  KAFKA_TOPIC_PREFIX: string = '';

  /**
   * Partitions of the topics the service creates (its own, those it consumes if missing, and their
   * `.dlq` dead-letter topics). Existing topics are never changed: a different count is reported.
   */
  @IsInt()
  @Min(1)
  @Max(10_000)
  KAFKA_PARTITIONS: number = 6;

  /**
   * Kafka consumer session timeout: how long the group waits for a member that stopped answering
   * (a crashed process) before its partitions go to others or to its replacement. The broker
   * accepts 6 s to 30 min by default (group.min/max.session.timeout.ms).
   */
  @IsInt()
  @Min(6_000)
  @Max(1_800_000)
  KAFKA_SESSION_TIMEOUT_MS: number = 10_000;

  /** Attempts of a failing batch before a consumer applies it event by event and parks what fails. */
  @IsInt()
  @Min(1)
  @Max(100)
  CONSUMER_RETRY_ATTEMPTS: number = 3;

  /** Wait after a consumer's first failed attempt, doubling after each further one (capped at 30 s). */
  @IsInt()
  @Min(0)
  @Max(600_000)
  CONSUMER_RETRY_BACKOFF_MS: number = 200;

  @IsIn(['postgres', 'eventstoredb'])
  EVENT_STORE: 'postgres' | 'eventstoredb' = 'postgres';

  @IsOptional()
  @IsUrl({ protocols: ['esdb', 'esdb+discover', 'kurrentdb', 'kurrentdb+discover'], require_tld: false })
  EVENTSTOREDB_URL?: string;

  /** Largest request body accepted, in bytes or with a unit (`100kb`, `1mb`); larger ones get 413. */
  @Matches(/^\d+(\.\d+)?(b|kb|mb)?$/i, {
    message: 'HTTP_BODY_LIMIT must be a size such as 102400, 100kb or 1mb',
  })
  HTTP_BODY_LIMIT: string = '100kb';

  @IsIn(['debug', 'info', 'warn', 'error'])
  LOG_LEVEL: 'debug' | 'info' | 'warn' | 'error' = 'info';

  /** The topic a context publishes its events on, in this deployment. */
  topic(context: BoundedContext): string {
    return this.KAFKA_TOPIC_PREFIX + eventsTopic(context);
  }

  get kafkaBrokers(): string[] {
    return this.KAFKA_BROKERS.split(',')
      .map((b) => b.trim())
      .filter(Boolean);
  }
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n  ${problems.join('\n  ')}`);
    this.name = 'ConfigError';
  }
}

function describe(errors: ValidationError[]): string[] {
  return errors.flatMap((e) =>
    Object.values(e.constraints ?? {}).map((message) => `${e.property}: ${message}`),
  );
}

/** Reads the environment into `Config`, applying its defaults; throws ConfigError naming every bad variable. */
export function loadConfig<T extends ServiceConfig>(
  Config: new () => T,
  env: Record<string, string | undefined> = process.env,
  defaults: Partial<Record<keyof T, unknown>> = {},
): T {
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const config = plainToInstance(Config, { ...defaults, ...present }, { enableImplicitConversion: true });
  const errors = validateSync(config, { whitelist: false, forbidUnknownValues: false });
  const problems = describe(errors);
  if (config.EVENT_STORE === 'eventstoredb' && !config.EVENTSTOREDB_URL) {
    problems.push('EVENTSTOREDB_URL: required when EVENT_STORE=eventstoredb');
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}
