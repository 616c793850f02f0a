import 'reflect-metadata';
import { createHash } from 'node:crypto';
import { Transform, plainToInstance } from 'class-transformer';
import { eventsTopic, type BoundedContext } from '@crm/contracts';
import { KeyRing } from '@crm/privacy';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUrl,
  Matches,
  Max,
  Min,
  MinLength,
  validateSync,
  type ValidationError,
} from 'class-validator';
import { authConfigProblems } from '../auth/auth-settings';
import { transportSecurityProblems } from './transport-security';

/**
 * A `true`/`false` variable (also `1`/`0`). Anything else is kept as given, for `@IsBoolean` to
 * refuse: implicit conversion would read "false" as true.
 */
const EnvBoolean = () =>
  Transform(({ obj, key }: { obj: Record<string, unknown>; key: string }) => {
    const raw = obj[key];
    if (typeof raw !== 'string') return raw;
    const value = raw.trim().toLowerCase();
    return value === 'true' || value === '1' ? true : value === 'false' || value === '0' ? false : raw;
  });

/** A hop count, or a list of addresses, subnets and proxy-addr's names for the private ranges. */
const PROXY = '(loopback|linklocal|uniquelocal|[0-9A-Fa-f.:]+(/\\d{1,3})?)';
const TRUST_PROXY = new RegExp(`^(\\d{1,2}|${PROXY}(\\s*,\\s*${PROXY})*)?$`);

/** An origin as browsers send it: scheme, host and optional port, nothing after. */
const ORIGIN = /^https?:\/\/[A-Za-z0-9.-]+(:\d{1,5})?$|^https?:\/\/\[[0-9A-Fa-f:.]+\](:\d{1,5})?$/;

/** The items of a comma-separated list. */
const list = (value: string) =>
  value
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);

/**
 * Settings every service has. A service declares one config class that extends this one; it is
 * validated once at start-up, and a bad value stops the process with every offending variable named.
 */
export class ServiceConfig {
  @IsInt()
  @Min(1)
  @Max(65535)
  PORT!: number;

  /**
   * PostgreSQL holding the service's read models (and its event store, with EVENT_STORE=postgres).
   * Its `sslmode` (disable, require, verify-ca, verify-full) and `sslrootcert` are honoured when
   * DATABASE_SSL and DATABASE_SSL_CA_FILE are not set.
   */
  @IsString()
  DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/crm';

  /**
   * TLS to PostgreSQL, as libpq's sslmode: `disable`; `require` (encrypted, the server's
   * certificate not checked); `verify-ca` (signed by a trusted CA); `verify-full` (and issued to
   * the host connected to). Unset: the URL's sslmode, else disable.
   */
  @IsOptional()
  @IsIn(['disable', 'require', 'verify-ca', 'verify-full'])
  DATABASE_SSL?: 'disable' | 'require' | 'verify-ca' | 'verify-full';

  /** PEM file of the CA(s) the PostgreSQL server's certificate is checked against (default: Node's). */
  @IsOptional()
  @IsString()
  DATABASE_SSL_CA_FILE?: string;

  /** Comma-separated host:port list. */
  @IsString()
  KAFKA_BROKERS = '127.0.0.1:9092';

  /** TLS to the brokers, the certificate checked against KAFKA_SSL_CA_FILE (else Node's CAs). */
  @EnvBoolean()
  @IsBoolean({ message: 'KAFKA_SSL must be true or false' })
  KAFKA_SSL: boolean = false;

  /** PEM file of the CA(s) the brokers' certificates are checked against; needs KAFKA_SSL=true. */
  @IsOptional()
  @IsString()
  KAFKA_SSL_CA_FILE?: string;

  /** SASL authentication to the brokers; needs KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD. */
  @IsOptional()
  @IsIn(['plain', 'scram-sha-256', 'scram-sha-512'])
  KAFKA_SASL_MECHANISM?: 'plain' | 'scram-sha-256' | 'scram-sha-512';

  @IsOptional()
  @IsString()
  KAFKA_SASL_USERNAME?: string;

  /** A secret: from the environment (a Kubernetes Secret), never a ConfigMap. */
  @IsOptional()
  @IsString()
  KAFKA_SASL_PASSWORD?: string;

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

  /**
   * Requests a client (one IP address, one /64 for IPv6) may make per minute, all routes but
   * health and metrics together, per replica; beyond it 429 TOO_MANY_REQUESTS with Retry-After.
   */
  @IsInt()
  @Min(1)
  @Max(100_000_000)
  RATE_LIMIT_PER_MINUTE: number = 600;

  @EnvBoolean()
  @IsBoolean({ message: 'RATE_LIMIT_DISABLED must be true or false' })
  RATE_LIMIT_DISABLED: boolean = false;

  /**
   * Which proxies in front of the service to believe about the client's address
   * (X-Forwarded-For), for the rate limit: a number of hops, or comma-separated addresses or
   * subnets (also `loopback`, `linklocal`, `uniquelocal`). Empty: none, the peer is the client.
   */
  @Matches(TRUST_PROXY, {
    message: 'HTTP_TRUST_PROXY must be a number of hops or comma-separated addresses or subnets',
  })
  HTTP_TRUST_PROXY: string = '';

  /** Browser origins allowed to call the API (CORS), comma-separated; empty: no cross-origin calls. */
  @IsString()
  CORS_ORIGINS: string = '';

  /**
   * The identity provider (OpenID Connect issuer) whose tokens the API accepts: Keycloak
   * (`https://<host>/realms/<realm>`), Entra ID (`https://login.microsoftonline.com/<tenant>/v2.0`),
   * Okta, Auth0. Its `/.well-known/openid-configuration` names the signing keys (`jwks_uri`).
   * Default: the local provider of infra/oidc.
   */
  @IsUrl({ protocols: ['http', 'https'], require_protocol: true, require_tld: false })
  OIDC_ISSUER_URL: string = 'http://127.0.0.1:9400';

  /** The `aud` every access token must carry: the CRM API's identifier at the identity provider. */
  @IsString()
  @MinLength(1)
  OIDC_AUDIENCE: string = 'api://crm';

  /** Signature algorithms accepted, comma-separated, of RS256, ES256 and PS256 (never `none`). */
  @Matches(/^(RS256|ES256|PS256)(\s*,\s*(RS256|ES256|PS256))*$/, {
    message: 'OIDC_ALGORITHMS must be a comma-separated list of RS256, ES256, PS256',
  })
  OIDC_ALGORITHMS: string = 'RS256,ES256,PS256';

  /** Clock skew allowed between the identity provider and the service (exp, nbf, iat). */
  @IsInt()
  @Min(0)
  @Max(300)
  OIDC_CLOCK_TOLERANCE_SECONDS: number = 30;

  /** The claim holding the caller's roles; a dotted path reaches into objects (`realm_access.roles`). */
  @IsString()
  @MinLength(1)
  OIDC_ROLES_CLAIM: string = 'roles';

  /** JSON: the identity provider's role names to ours, e.g. `{"CRM.SalesRep":"sales_rep"}`. */
  @IsOptional()
  @IsString()
  OIDC_ROLE_MAP?: string;

  /** The claim holding the owner id records are assigned to (else the token's `sub`). */
  @IsString()
  @MinLength(1)
  OIDC_OWNER_CLAIM: string = 'owner_id';

  /** The claim listing the owner ids a manager manages. */
  @IsString()
  @MinLength(1)
  OIDC_TEAM_CLAIM: string = 'team';

  /** JSON: owner ids each manager manages, beside the team claim, e.g. `{"mia":["rep-1","rep-2"]}`. */
  @IsOptional()
  @IsString()
  OIDC_TEAMS?: string;

  /** `/metrics` without a token (Prometheus scrapes it); false: admins only. */
  @EnvBoolean()
  @IsBoolean({ message: 'METRICS_PUBLIC must be true or false' })
  METRICS_PUBLIC: boolean = true;

  /** `/docs` and `/docs-json` (the OpenAPI document) without a token; false: any signed-in role. */
  @EnvBoolean()
  @IsBoolean({ message: 'DOCS_PUBLIC must be true or false' })
  DOCS_PUBLIC: boolean = true;

  /**
   * Key-encryption keys wrapping the customers' data keys (envelope encryption of personal data):
   * `id:base64-of-32-bytes`, comma-separated, newest first; older ones still unwrap the keys they
   * wrapped. A secret: from the environment (a Kubernetes Secret). Every service of a deployment
   * needs the same ring. Unset: the development key, refused with NODE_ENV=production.
   */
  @IsOptional()
  @IsString()
  PRIVACY_KEKS?: string;

  /** Schema of the key vault (customers' wrapped data keys), shared by the services of a deployment. */
  @Matches(/^[a-z_][a-z0-9_]*$/, { message: 'KEY_VAULT_SCHEMA must be a lower-case SQL identifier' })
  KEY_VAULT_SCHEMA: string = 'key_vault';

  /** How long a service keeps an open data key in memory: the longest another service's erasure goes unseen here. */
  @IsInt()
  @Min(0)
  @Max(3600)
  PRIVACY_KEY_CACHE_SECONDS: number = 30;

  /**
   * Minutes between seals of the PostgreSQL event store's hash chains (each verifies every chain and
   * records the stream heads; see `npm run audit:verify`); 0: never (seal with the command).
   */
  @IsInt()
  @Min(0)
  @Max(10_080)
  AUDIT_SEAL_INTERVAL_MINUTES: number = 60;

  @IsIn(['debug', 'info', 'warn', 'error'])
  LOG_LEVEL: 'debug' | 'info' | 'warn' | 'error' = 'info';

  /** The topic a context publishes its events on, in this deployment. */
  topic(context: BoundedContext): string {
    return this.KAFKA_TOPIC_PREFIX + eventsTopic(context);
  }

  get kafkaBrokers(): string[] {
    return list(this.KAFKA_BROKERS);
  }

  get corsOrigins(): string[] {
    return list(this.CORS_ORIGINS);
  }

  /** The key-encryption keys of PRIVACY_KEKS, or the development key when it is unset. */
  get privacyKeys(): KeyRing {
    return KeyRing.parse(this.PRIVACY_KEKS ?? DEVELOPMENT_KEKS);
  }
}

/**
 * A key anyone can derive: for local runs and tests only, where no personal data of real people
 * lives. Production must set PRIVACY_KEKS (NODE_ENV=production refuses to start without it).
 */
export const DEVELOPMENT_KEKS = `development:${createHash('sha256').update('crm local development key-encryption key').digest('base64')}`;

function privacyProblems(config: ServiceConfig, env: Record<string, string | undefined>): string[] {
  if (config.PRIVACY_KEKS === undefined)
    return env.NODE_ENV === 'production' ? ['PRIVACY_KEKS: required with NODE_ENV=production'] : [];
  try {
    KeyRing.parse(config.PRIVACY_KEKS);
    return [];
  } catch (error) {
    return [`PRIVACY_KEKS: ${(error as Error).message}`];
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
  const badOrigins = config.corsOrigins.filter((origin) => !ORIGIN.test(origin));
  if (badOrigins.length > 0) {
    problems.push(`CORS_ORIGINS: not origins (scheme://host[:port]): ${badOrigins.join(', ')}`);
  }
  problems.push(...transportSecurityProblems(config));
  problems.push(...authConfigProblems(config));
  problems.push(...privacyProblems(config, env));
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}
