import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, ServiceConfig, loadConfig } from './service-config';

const load = (env: Record<string, string>) => loadConfig(ServiceConfig, { PORT: '3001', ...env });

/** The lines of the ConfigError `env` stops the start with. */
function problemsOf(env: Record<string, string>): string[] {
  try {
    load(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('the configuration was accepted');
}

const pemFile = () => {
  const file = join(mkdtempSync(join(tmpdir(), 'crm-config-')), 'ca.pem');
  writeFileSync(file, '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
  return file;
};

describe('service configuration', () => {
  it('limits each client to 600 requests a minute, allows no cross-origin caller and speaks plaintext by default', () => {
    const config = load({});
    expect(config).toMatchObject({
      RATE_LIMIT_PER_MINUTE: 600,
      RATE_LIMIT_DISABLED: false,
      HTTP_TRUST_PROXY: '',
      KAFKA_SSL: false,
    });
    expect(config.corsOrigins).toEqual([]);
    expect(config.DATABASE_SSL).toBeUndefined();
    expect(config.KAFKA_SASL_MECHANISM).toBeUndefined();
  });

  it('reads true/false switches as written ("false" is false) and refuses anything else by name', () => {
    expect(load({ RATE_LIMIT_DISABLED: 'false', KAFKA_SSL: 'true' })).toMatchObject({
      RATE_LIMIT_DISABLED: false,
      KAFKA_SSL: true,
    });
    expect(load({ RATE_LIMIT_DISABLED: '1' }).RATE_LIMIT_DISABLED).toBe(true);
    expect(problemsOf({ RATE_LIMIT_DISABLED: 'yes', RATE_LIMIT_PER_MINUTE: '0' })).toEqual([
      'RATE_LIMIT_PER_MINUTE: RATE_LIMIT_PER_MINUTE must not be less than 1',
      'RATE_LIMIT_DISABLED: RATE_LIMIT_DISABLED must be true or false',
    ]);
  });

  it('takes CORS origins as a comma-separated list and refuses what is not an origin', () => {
    const config = load({ CORS_ORIGINS: 'https://crm.example.com, http://localhost:5173' });
    expect(config.corsOrigins).toEqual(['https://crm.example.com', 'http://localhost:5173']);
    expect(problemsOf({ CORS_ORIGINS: 'https://ok.example,*,https://crm.example.com/app' })).toEqual([
      'CORS_ORIGINS: not origins (scheme://host[:port]): *, https://crm.example.com/app',
    ]);
  });

  it('trusts proxies by hop count or address, never wholesale', () => {
    expect(load({ HTTP_TRUST_PROXY: '1' }).HTTP_TRUST_PROXY).toBe('1');
    expect(load({ HTTP_TRUST_PROXY: 'loopback, 10.0.0.0/8, fd00::/8' }).HTTP_TRUST_PROXY).toBeTruthy();
    expect(problemsOf({ HTTP_TRUST_PROXY: 'true' })).toEqual([
      'HTTP_TRUST_PROXY: HTTP_TRUST_PROXY must be a number of hops or comma-separated addresses or subnets',
    ]);
  });

  it('stops a SASL mechanism without credentials, naming the missing variables', () => {
    expect(problemsOf({ KAFKA_SASL_MECHANISM: 'scram-sha-512' })).toEqual([
      'KAFKA_SASL_USERNAME: required when KAFKA_SASL_MECHANISM=scram-sha-512',
      'KAFKA_SASL_PASSWORD: required when KAFKA_SASL_MECHANISM=scram-sha-512',
    ]);
    expect(problemsOf({ KAFKA_SASL_MECHANISM: 'plain', KAFKA_SASL_USERNAME: 'crm' })).toEqual([
      'KAFKA_SASL_PASSWORD: required when KAFKA_SASL_MECHANISM=plain',
    ]);
    expect(problemsOf({ KAFKA_SASL_USERNAME: 'crm', KAFKA_SASL_PASSWORD: 's3cret' })).toEqual([
      'KAFKA_SASL_MECHANISM: required when KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD are set (plain, scram-sha-256 or scram-sha-512)',
    ]);
    expect(problemsOf({ KAFKA_SASL_MECHANISM: 'gssapi' })[0]).toMatch(/^KAFKA_SASL_MECHANISM: /);
  });

  it('never repeats a secret in what it refuses', () => {
    const problems = problemsOf({
      DATABASE_URL: 'postgres://crm:pg-s3cret@db:5432/crm?sslmode=prefer',
      KAFKA_SASL_MECHANISM: 'plain',
      KAFKA_SASL_PASSWORD: 'kafka-s3cret',
    });
    expect(problems.join('\n')).not.toMatch(/s3cret/);
  });

  it('refuses TLS settings that cannot work: a CA without TLS, unreadable files, unsupported URL parameters', () => {
    const ca = pemFile();
    expect(problemsOf({ KAFKA_SSL_CA_FILE: ca })).toEqual([
      'KAFKA_SSL_CA_FILE: set, but KAFKA_SSL is not true',
    ]);
    expect(problemsOf({ KAFKA_SSL: 'true', KAFKA_SSL_CA_FILE: '/nonexistent/ca.pem' })).toEqual([
      'KAFKA_SSL_CA_FILE: cannot read /nonexistent/ca.pem',
    ]);
    expect(problemsOf({ DATABASE_SSL: 'verify-full', DATABASE_SSL_CA_FILE: '/nonexistent/ca.pem' })).toEqual([
      'DATABASE_SSL_CA_FILE: cannot read /nonexistent/ca.pem',
    ]);
    expect(problemsOf({ DATABASE_SSL: 'prefer' })[0]).toMatch(/^DATABASE_SSL: /);
    expect(
      problemsOf({ DATABASE_URL: 'postgres://db/crm?sslmode=prefer&sslcert=/c.pem&application_name=x' }),
    ).toEqual([
      'DATABASE_URL: sslcert is not supported; use DATABASE_SSL and DATABASE_SSL_CA_FILE',
      'DATABASE_URL: sslmode=prefer is not supported (disable, require, verify-ca, verify-full); or set DATABASE_SSL',
    ]);
    expect(() =>
      load({
        KAFKA_SSL: 'true',
        KAFKA_SSL_CA_FILE: ca,
        DATABASE_URL: `postgres://db/crm?sslmode=verify-full&sslrootcert=${ca}`,
      }),
    ).not.toThrow();
  });
});
