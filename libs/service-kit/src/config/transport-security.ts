import { accessSync, constants, readFileSync } from 'node:fs';
import type { ConnectionOptions } from 'node:tls';
import type { SASLOptions } from 'kafkajs';
import type { ServiceConfig } from './service-config';

/**
 * TLS and authentication of the service's connections to PostgreSQL and Kafka, from its
 * configuration: what the config check refuses, and the options node-postgres (the pools and
 * TypeORM) and kafkajs are given.
 */

type Settings = Pick<
  ServiceConfig,
  | 'DATABASE_URL'
  | 'DATABASE_SSL'
  | 'DATABASE_SSL_CA_FILE'
  | 'KAFKA_SSL'
  | 'KAFKA_SSL_CA_FILE'
  | 'KAFKA_SASL_MECHANISM'
  | 'KAFKA_SASL_USERNAME'
  | 'KAFKA_SASL_PASSWORD'
>;

export type PostgresSslMode = 'disable' | 'require' | 'verify-ca' | 'verify-full';
const SSL_MODES: readonly string[] = ['disable', 'require', 'verify-ca', 'verify-full'];

/** URL parameters read here; node-postgres would otherwise apply them over the `ssl` option. */
const URL_SSL_PARAMS = ['sslmode', 'sslrootcert', 'uselibpqcompat'];

/** The parameters of a connection URL's query. */
const queryOf = (url: string) =>
  new URLSearchParams(url.includes('?') ? url.slice(url.indexOf('?') + 1) : '');

/**
 * The URL without the parameters read here; the rest of it (credentials, other parameters) stays
 * exactly as written.
 */
function withoutSslParams(url: string): string {
  const at = url.indexOf('?');
  if (at < 0) return url;
  const kept = url
    .slice(at + 1)
    .split('&')
    .filter((pair) => !URL_SSL_PARAMS.includes([...new URLSearchParams(pair).keys()][0] ?? ''));
  return url.slice(0, at) + (kept.length > 0 ? `?${kept.join('&')}` : '');
}

/** TLS parameters of DATABASE_URL that are not supported (node-postgres would apply them over ours). */
function unsupportedUrlParams(params: URLSearchParams): string[] {
  return [...new Set(params.keys())].filter((key) => /^ssl/i.test(key) && !URL_SSL_PARAMS.includes(key));
}

function unreadable(file: string): boolean {
  try {
    accessSync(file, constants.R_OK);
    return false;
  } catch {
    return true;
  }
}

function postgresProblems(config: Settings): string[] {
  const problems: string[] = [];
  const params = queryOf(config.DATABASE_URL);
  for (const key of unsupportedUrlParams(params)) {
    problems.push(`DATABASE_URL: ${key} is not supported; use DATABASE_SSL and DATABASE_SSL_CA_FILE`);
  }
  const mode = params.get('sslmode');
  if (!config.DATABASE_SSL && mode !== null && !SSL_MODES.includes(mode)) {
    problems.push(
      `DATABASE_URL: sslmode=${mode} is not supported (${SSL_MODES.join(', ')}); or set DATABASE_SSL`,
    );
  }
  const caFile = config.DATABASE_SSL_CA_FILE ?? params.get('sslrootcert');
  if (caFile && unreadable(caFile)) {
    const name = config.DATABASE_SSL_CA_FILE ? 'DATABASE_SSL_CA_FILE' : 'DATABASE_URL: sslrootcert';
    problems.push(`${name}: cannot read ${caFile}`);
  }
  return problems;
}

function kafkaProblems(config: Settings): string[] {
  const problems: string[] = [];
  if (config.KAFKA_SSL_CA_FILE) {
    if (!config.KAFKA_SSL) problems.push('KAFKA_SSL_CA_FILE: set, but KAFKA_SSL is not true');
    else if (unreadable(config.KAFKA_SSL_CA_FILE)) {
      problems.push(`KAFKA_SSL_CA_FILE: cannot read ${config.KAFKA_SSL_CA_FILE}`);
    }
  }
  const credentials = {
    KAFKA_SASL_USERNAME: config.KAFKA_SASL_USERNAME,
    KAFKA_SASL_PASSWORD: config.KAFKA_SASL_PASSWORD,
  };
  if (config.KAFKA_SASL_MECHANISM) {
    const missing = Object.entries(credentials).filter(([, value]) => !value);
    for (const [name] of missing) {
      problems.push(`${name}: required when KAFKA_SASL_MECHANISM=${config.KAFKA_SASL_MECHANISM}`);
    }
  } else {
    const given = Object.entries(credentials).filter(([, value]) => value);
    if (given.length > 0) {
      problems.push(
        `KAFKA_SASL_MECHANISM: required when ${given.map(([name]) => name).join(' and ')} ${given.length > 1 ? 'are' : 'is'} set (plain, scram-sha-256 or scram-sha-512)`,
      );
    }
  }
  return problems;
}

/** What is wrong with the TLS and SASL settings, one line per variable (empty when nothing is). */
export function transportSecurityProblems(config: Settings): string[] {
  return [...postgresProblems(config), ...kafkaProblems(config)];
}

/** How the pools and TypeORM connect: the URL without its TLS parameters, and node-postgres's `ssl`. */
export interface PostgresConnection {
  url: string;
  ssl: false | PostgresTls;
}

/** The TLS options used, a subset of both node-postgres's and TypeORM's. */
export interface PostgresTls {
  rejectUnauthorized: boolean;
  ca?: string;
  /** Present (accepting any name) for verify-ca. */
  checkServerIdentity?: () => undefined;
}

/**
 * DATABASE_SSL (else the URL's sslmode, else disable) as node-postgres options, with libpq's
 * meanings: `require` encrypts without checking the certificate, unless a CA file is given (then
 * it is `verify-ca`, as in libpq); `verify-ca` checks the CA; `verify-full` the CA and the host
 * name. The TLS parameters are taken out of the URL, which node-postgres would apply over `ssl`
 * with its own meanings.
 */
export function postgresConnection(config: Settings): PostgresConnection {
  const params = queryOf(config.DATABASE_URL);
  const mode = (config.DATABASE_SSL ?? params.get('sslmode') ?? 'disable') as PostgresSslMode;
  const caFile = config.DATABASE_SSL_CA_FILE ?? params.get('sslrootcert') ?? undefined;
  const url = withoutSslParams(config.DATABASE_URL);
  if (mode === 'disable') return { url, ssl: false };
  const checked = mode === 'require' && caFile ? 'verify-ca' : mode;
  if (checked === 'require') return { url, ssl: { rejectUnauthorized: false } };
  const ca = caFile ? { ca: readFileSync(caFile, 'utf8') } : {};
  const anyHost = checked === 'verify-ca' ? { checkServerIdentity: () => undefined } : {};
  return { url, ssl: { rejectUnauthorized: true, ...ca, ...anyHost } };
}

/** kafkajs's `ssl` and `sasl` options (absent when not configured). */
export interface KafkaSecurity {
  ssl?: true | ConnectionOptions;
  sasl?: SASLOptions;
}

/** KAFKA_SSL (with KAFKA_SSL_CA_FILE) and KAFKA_SASL_* as kafkajs options. */
export function kafkaSecurity(config: Settings): KafkaSecurity {
  const security: KafkaSecurity = {};
  if (config.KAFKA_SSL) {
    security.ssl = config.KAFKA_SSL_CA_FILE ? { ca: [readFileSync(config.KAFKA_SSL_CA_FILE, 'utf8')] } : true;
  }
  if (config.KAFKA_SASL_MECHANISM) {
    security.sasl = {
      mechanism: config.KAFKA_SASL_MECHANISM,
      username: config.KAFKA_SASL_USERNAME ?? '',
      password: config.KAFKA_SASL_PASSWORD ?? '',
    } as SASLOptions;
  }
  return security;
}
