import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { ServiceConfig, loadConfig } from './service-config';
import { kafkaSecurity, postgresConnection } from './transport-security';

const PEM = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
const caFile = () => {
  const file = join(mkdtempSync(join(tmpdir(), 'crm-tls-')), 'ca.pem');
  writeFileSync(file, PEM);
  return file;
};

const load = (env: Record<string, string>) => loadConfig(ServiceConfig, { PORT: '3001', ...env });

/** What node-postgres makes of the options the pools and TypeORM are given. */
const pgSees = (env: Record<string, string>) => {
  const { url, ssl } = postgresConnection(load(env));
  const client = new Client({ connectionString: url, ssl }) as unknown as {
    ssl: false | { rejectUnauthorized: boolean; ca?: string; checkServerIdentity?: () => unknown };
    connectionParameters: { host: string; user: string; password: string; database: string };
  };
  return { url, ssl: client.ssl, parameters: client.connectionParameters };
};

describe('PostgreSQL TLS', () => {
  const url = 'postgres://crm:p%40ss@db.internal:5432/crm';

  it('connects in plaintext unless told otherwise', () => {
    expect(pgSees({ DATABASE_URL: url })).toMatchObject({ url, ssl: false });
  });

  it('encrypts without checking the certificate with require, as libpq does', () => {
    expect(pgSees({ DATABASE_URL: url, DATABASE_SSL: 'require' }).ssl).toEqual({ rejectUnauthorized: false });
  });

  it('checks the certificate against the given CA and the host name with verify-full', () => {
    const ca = caFile();
    const seen = pgSees({ DATABASE_URL: url, DATABASE_SSL: 'verify-full', DATABASE_SSL_CA_FILE: ca });
    expect(seen.ssl).toEqual({ rejectUnauthorized: true, ca: PEM });
    expect(pgSees({ DATABASE_URL: url, DATABASE_SSL: 'verify-full' }).ssl).toEqual({
      rejectUnauthorized: true,
    });
  });

  it('checks the CA but not the host name with verify-ca, and with require plus a CA', () => {
    const ca = caFile();
    for (const mode of ['verify-ca', 'require']) {
      const { ssl } = pgSees({ DATABASE_URL: url, DATABASE_SSL: mode, DATABASE_SSL_CA_FILE: ca });
      expect(ssl).toMatchObject({ rejectUnauthorized: true, ca: PEM });
      expect(ssl && ssl.checkServerIdentity?.()).toBeUndefined();
      expect(ssl && typeof ssl.checkServerIdentity).toBe('function');
    }
  });

  it("honours the URL's sslmode and sslrootcert, and the URL no longer overrides the options", () => {
    const ca = caFile();
    const seen = pgSees({
      DATABASE_URL: `${url}?application_name=leads%20api&sslmode=verify-full&sslrootcert=${ca}`,
    });
    expect(seen.url).toBe(`${url}?application_name=leads%20api`);
    expect(seen.ssl).toEqual({ rejectUnauthorized: true, ca: PEM });
    expect(seen.parameters).toMatchObject({
      host: 'db.internal',
      user: 'crm',
      password: 'p@ss',
      database: 'crm',
    });
    // node-postgres alone would read sslmode=require as verify-full; here it keeps libpq's meaning.
    expect(pgSees({ DATABASE_URL: `${url}?sslmode=require` })).toMatchObject({
      url,
      ssl: { rejectUnauthorized: false },
    });
  });

  it('lets DATABASE_SSL win over the URL', () => {
    expect(pgSees({ DATABASE_URL: `${url}?sslmode=verify-full`, DATABASE_SSL: 'disable' })).toMatchObject({
      url,
      ssl: false,
    });
  });
});

describe('Kafka TLS and SASL', () => {
  it('gives kafkajs neither without settings', () => {
    expect(kafkaSecurity(load({}))).toEqual({});
  });

  it("uses TLS with Node's CAs, or with the given CA", () => {
    expect(kafkaSecurity(load({ KAFKA_SSL: 'true' }))).toEqual({ ssl: true });
    expect(kafkaSecurity(load({ KAFKA_SSL: 'true', KAFKA_SSL_CA_FILE: caFile() }))).toEqual({
      ssl: { ca: [PEM] },
    });
  });

  it.each(['plain', 'scram-sha-256', 'scram-sha-512'])('authenticates with SASL %s', (mechanism) => {
    const env = {
      KAFKA_SSL: 'true',
      KAFKA_SASL_MECHANISM: mechanism,
      KAFKA_SASL_USERNAME: 'crm-leads',
      KAFKA_SASL_PASSWORD: 's3cret',
    };
    expect(kafkaSecurity(load(env))).toEqual({
      ssl: true,
      sasl: { mechanism, username: 'crm-leads', password: 's3cret' },
    });
  });
});
