import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Kafka, logLevel } from 'kafkajs';
import { Client, escapeIdentifier } from 'pg';
import {
  accessToken,
  accountOf,
  callService,
  type CrossService,
  kafkaBrokers,
  type LeadPerson,
  readWholeTopic,
  startCrossService,
  waitFor,
  wonCustomer,
} from '@crm/test-support';

/**
 * The right to erasure, end to end on the real processes, broker and database: a customer who went
 * through leads and pipeline (captured, met, converted, won) is erased. Afterwards their name,
 * e-mail and phone are readable nowhere: not in any text or jsonb column of any schema, not in any
 * record of any topic read from offset 0, not in either service's log (at debug level), while
 * every count of the reports is what it was. Another customer, not erased, stays readable.
 */
jest.setTimeout(240_000);

let services: CrossService;
beforeAll(async () => (services = await startCrossService({ LOG_LEVEL: 'debug' })));
afterAll(async () => expect(await services?.stop()).toEqual(['graceful', 'graceful']));

const run = randomBytes(4).toString('hex');
const person = (first: string, last: string): LeadPerson => ({
  personName: `${first} ${last}${run}`,
  email: `${first.toLowerCase()}.${run}@erasure.example`,
  phone: `+34600${String(randomBytes(4).readUInt32BE() % 1_000_000).padStart(6, '0')}`,
  meetingSummary: `Met ${first} ${last}${run} at the fair`,
});
const erased = person('Mirela', 'Vasquez');
const kept = person('Tomas', 'Lindqvist');
const needles = (p: LeadPerson) => [p.personName, p.email, p.phone!, `${p.personName.split(' ')[1]}`];

/** Every text, varchar and jsonb column of every table of the services' database that holds a needle. */
async function databaseHits(needle: string): Promise<string[]> {
  const db = new Client({ connectionString: services.databaseUrl });
  await db.connect();
  try {
    const { rows: columns } = await db.query<{
      table_schema: string;
      table_name: string;
      column_name: string;
    }>(
      `select c.table_schema, c.table_name, c.column_name from information_schema.columns c
         join information_schema.tables t using (table_schema, table_name)
        where t.table_type = 'BASE TABLE' and c.table_schema not in ('pg_catalog', 'information_schema')
          and c.data_type in ('text', 'character varying', 'jsonb', 'json', 'character')`,
    );
    const hits: string[] = [];
    for (const { table_schema: s, table_name: t, column_name: c } of columns) {
      const { rows } = await db.query<{ n: string }>(
        `select count(*) as n from ${escapeIdentifier(s)}.${escapeIdentifier(t)} where ${escapeIdentifier(c)}::text ilike $1`,
        [`%${needle}%`],
      );
      if (Number(rows[0].n) > 0) hits.push(`${s}.${t}.${c}`);
    }
    expect(columns.length).toBeGreaterThan(20);
    return hits;
  } finally {
    await db.end();
  }
}

/** Every topic of this run (the services' topics and their dead-letter topics), read from offset 0. */
async function kafkaHits(needle: string): Promise<string[]> {
  const admin = new Kafka({
    clientId: 'erasure-scan',
    brokers: kafkaBrokers(),
    logLevel: logLevel.NOTHING,
  }).admin();
  await admin.connect();
  const prefix = services.leadsTopic.slice(0, services.leadsTopic.indexOf('crm.'));
  const topics = (await admin.listTopics().finally(() => admin.disconnect())).filter((t) =>
    t.startsWith(prefix),
  );
  expect(topics).toEqual(expect.arrayContaining([services.leadsTopic, services.pipelineTopic]));
  const hits: string[] = [];
  for (const topic of topics)
    for (const m of await readWholeTopic(kafkaBrokers(), topic)) {
      const headers = Object.values(m.headers ?? {}).map((h) => String(h));
      const text = [m.key?.toString() ?? '', m.value?.toString() ?? '', ...headers].join('\n').toLowerCase();
      if (text.includes(needle.toLowerCase())) hits.push(`${topic}@${m.offset}`);
    }
  return hits;
}

const logHits = (needle: string) =>
  [...services.leads.output, ...services.pipeline.output].filter((l) =>
    l.toLowerCase().includes(needle.toLowerCase()),
  );

async function reports() {
  const get = async (path: string) => {
    const r = await callService(services.pipeline, 'GET', path);
    expect(r.status).toBe(200);
    return r.body;
  };
  const leads = await callService(services.leads, 'GET', '/leads?pageSize=1');
  return {
    forecast: await get('/forecast'),
    winLoss: await get('/reports/win-loss'),
    salesPerformance: await get('/reports/sales-performance'),
    leadCount: leads.body.total,
  };
}

/** The one-document export of both services, by the command operators run (platform.sh export-customer). */
async function joinedExport(customerId: string) {
  const cli = join(__dirname, '../../../libs/service-kit/dist/cli/customer-export.js');
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [cli, customerId, `leads=${services.leads.url}`, `pipeline=${services.pipeline.url}`],
    { env: { ...process.env, CRM_TOKEN: await accessToken('admin') } },
  );
  return JSON.parse(stdout);
}

describe('erasure of a customer across every service', () => {
  it('leaves their personal data readable nowhere, keeps every count, and spares everyone else', async () => {
    const gone = await wonCustomer(services, erased);
    const other = await wonCustomer(services, kept);

    // Before: the export has the person, from both services, and the read models show them.
    const before = await joinedExport(gone.customerId);
    expect(Object.keys(before.services)).toEqual(['leads', 'pipeline']);
    expect(JSON.stringify(before.services.leads)).toContain(erased.email);
    expect(JSON.stringify(before.services.pipeline)).toContain(erased.personName);
    expect(await databaseHits(erased.email)).toEqual(expect.arrayContaining(['leads.lead_summary.email']));
    const figures = await reports();

    const request = { reason: `GDPR art. 17 request ${run}` };
    const erasure = await callService(
      services.leads,
      'POST',
      `/customers/${gone.customerId}/erasure`,
      request,
    );
    expect(erasure.status).toBe(200);
    expect(erasure.body).toMatchObject({ customerId: gone.customerId, alreadyErased: false });
    const again = await callService(services.leads, 'POST', `/customers/${gone.customerId}/erasure`, request);
    expect(again.body).toEqual({ ...erasure.body, alreadyErased: true });

    await waitFor('the lead masked in leads', async () => {
      const r = await callService(services.leads, 'GET', `/leads/${gone.leadId}`);
      return r.body.personName === '[erased]' && r.body.email === '[erased]';
    });
    const account = await accountOf(
      services.pipeline,
      gone.customerId,
      (a) => a.contacts[0]?.name === '[erased]',
    );
    expect(account).toMatchObject({ name: '[erased]', wonRevenue: '4200', lifecycleStage: 'acquisition' });
    expect(account.opportunities[0]).toMatchObject({ name: '[erased]', status: 'won' });

    // The scans read what they claim to: the customer's id is in records and in request logs.
    expect(await kafkaHits(gone.customerId)).not.toEqual([]);
    expect(logHits(`/customers/${gone.customerId}/erasure`)).not.toEqual([]);
    for (const needle of needles(erased)) {
      expect({ needle, database: await databaseHits(needle) }).toEqual({ needle, database: [] });
      expect({ needle, kafka: await kafkaHits(needle) }).toEqual({ needle, kafka: [] });
      expect({ needle, logs: logHits(needle) }).toEqual({ needle, logs: [] });
    }
    expect(await reports()).toEqual(figures);

    const after = await joinedExport(gone.customerId);
    expect(JSON.stringify(after)).not.toContain(erased.email);
    expect(
      after.services.leads.events.find((e: { type: string }) => e.type === 'LeadCaptured').data,
    ).toMatchObject({
      personName: '[erased]',
      email: '[erased]',
      leadId: gone.leadId,
    });

    // Everyone else is untouched.
    expect(await databaseHits(kept.email)).toEqual(expect.arrayContaining(['leads.lead_summary.email']));
    const keptAccount = await accountOf(services.pipeline, other.customerId);
    expect(keptAccount.contacts[0].name).toBe(kept.personName);
  });

  it('frees the erased person’s e-mail: the same person may come back as a new lead', async () => {
    const p = person('Ines', 'Okafor');
    const first = await callService(services.leads, 'POST', '/leads', {
      personName: p.personName,
      email: p.email,
      channel: 'web_form',
    });
    expect(first.status).toBe(201);
    const twin = await callService(services.leads, 'POST', '/leads', {
      personName: p.personName,
      email: p.email,
      channel: 'web_form',
    });
    expect(twin.body.code).toBe('LEAD_EMAIL_TAKEN');
    const erasure = await callService(services.leads, 'POST', `/customers/${first.body.customerId}/erasure`, {
      reason: 'request 7',
    });
    expect(erasure.status).toBe(200);
    const back = await callService(services.leads, 'POST', '/leads', {
      personName: p.personName,
      email: p.email,
      channel: 'web_form',
    });
    expect(back.status).toBe(201);
    expect(back.body.customerId).not.toBe(first.body.customerId);
  });

  it('refuses erasure to anyone but an admin, and a request without a reason', async () => {
    const customerId = '5d41402a-bc4b-4a2a-9c76-1b2e3f4a5b6c';
    const asManager = await callService(
      services.leads,
      'POST',
      `/customers/${customerId}/erasure`,
      { reason: 'x' },
      { authorization: `Bearer ${await accessToken('sales_manager')}` },
    );
    expect(asManager.status).toBe(403);
    const noReason = await callService(services.leads, 'POST', `/customers/${customerId}/erasure`, {});
    expect(noReason.status).toBe(400);
    expect(noReason.body.errors.map((e: { field: string }) => e.field)).toEqual(['reason']);
  });
});
