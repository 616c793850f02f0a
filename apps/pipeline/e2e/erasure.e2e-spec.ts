import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Kafka, logLevel } from 'kafkajs';
import { Client, Pool, escapeIdentifier } from 'pg';
import { mapPersonalData, personalDataSchema } from '@crm/contracts';
import { KeyRing, PersonalDataCipher, PostgresKeyVault, isSealed } from '@crm/privacy';
import { DEVELOPMENT_KEKS } from '@crm/service-kit';
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
 * through leads and pipeline (captured, met, converted, won) and marketing (consent with its
 * evidence, on a static list, a campaign mailed to them, a click), all of it projected by
 * analytics, is erased. Afterwards their name, e-mail, phone and consent IP are readable nowhere:
 * not in any text or jsonb column of any schema (marketing's and analytics' read models
 * included), not in any record of any topic read from offset 0 (and no sealed value of theirs
 * opens any more: their key is gone), not in any service's log (at debug level), not in any
 * service's data-subject export, while every count of the reports and dashboards is what it was.
 * Another customer, not erased, stays readable.
 */
jest.setTimeout(300_000);

let services: CrossService;
beforeAll(
  async () =>
    (services = await startCrossService(
      { LOG_LEVEL: 'debug' },
      { marketing: { CAMPAIGN_POLL_INTERVAL_MS: '100' }, analytics: {} },
    )),
);
afterAll(async () =>
  expect(await services?.stop()).toEqual(['graceful', 'graceful', 'graceful', 'graceful']),
);

const run = randomBytes(4).toString('hex');
const person = (first: string, last: string): LeadPerson => ({
  personName: `${first} ${last}${run}`,
  email: `${first.toLowerCase()}.${run}@erasure.example`,
  phone: `+34600${String(randomBytes(4).readUInt32BE() % 1_000_000).padStart(6, '0')}`,
  meetingSummary: `Met ${first} ${last}${run} at the fair`,
});
const erased = person('Mirela', 'Vasquez');
const kept = person('Tomas', 'Lindqvist');
/** The IP address their consent was given from (evidence: personal data too). */
const consentIp = `198.51.100.${1 + (randomBytes(1)[0] % 250)}`;
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
  expect(topics).toEqual(expect.arrayContaining(services.topics));
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
  [services.leads, services.pipeline, ...services.marketings, services.analytics!]
    .flatMap((s) => s.output)
    .filter((l) => l.toLowerCase().includes(needle.toLowerCase()));

/**
 * Every personal value of the customer's records on the run's topics, as anyone holding the
 * key-encryption key would open it with the key vault: `[erased]` once their key is destroyed.
 */
async function openedPersonalValues(customerId: string): Promise<string[]> {
  const pool = new Pool({ connectionString: services.databaseUrl, max: 1 });
  const cipher = new PersonalDataCipher(
    new PostgresKeyVault({ pool, keys: KeyRing.parse(DEVELOPMENT_KEKS), cacheMs: 0 }),
  );
  const values: string[] = [];
  try {
    for (const topic of services.topics)
      for (const m of await readWholeTopic(kafkaBrokers(), topic)) {
        if (m.headers?.ce_customerid?.toString() !== customerId) continue;
        const [, , type, version] = (m.headers.ce_type?.toString() ?? '').split('.');
        const schemaVersion = Number(version.slice(1));
        const schema = personalDataSchema(type, schemaVersion);
        if (!schema) continue;
        const data = JSON.parse(m.value!.toString()) as unknown;
        mapPersonalData(schema, data, (value) => {
          expect({ topic, type, sealed: isSealed(value) }).toEqual({ topic, type, sealed: true });
          return value;
        });
        const opened = await cipher.reveal({ type, schemaVersion, customerId }, data);
        mapPersonalData(schema, opened, (value) => (values.push(value), value));
      }
  } finally {
    await pool.end();
  }
  return values;
}

/** The figures of pipeline's reports, marketing's ROI and analytics' dashboards (as of `asOf`). */
async function reports(campaignId: string, asOf: string) {
  const get = async (service: { url: string }, path: string) => {
    const r = await callService(service, 'GET', path);
    expect({ path, status: r.status }).toEqual({ path, status: 200 });
    return r.body;
  };
  const leads = await callService(services.leads, 'GET', '/leads?pageSize=1');
  const at = `asOf=${encodeURIComponent(asOf)}`;
  return {
    forecast: await get(services.pipeline, '/forecast'),
    winLoss: await get(services.pipeline, '/reports/win-loss'),
    salesPerformance: await get(services.pipeline, '/reports/sales-performance'),
    leadCount: leads.body.total,
    roi: await get(services.marketings[0], `/campaigns/${campaignId}/roi`),
    funnel: await get(services.analytics!, `/dashboards/funnel?${at}`),
    marketing: await get(services.analytics!, `/dashboards/marketing?${at}`),
    customerValue: await get(services.analytics!, `/dashboards/customer-value?${at}`),
  };
}

const marketing = (method: string, path: string, body?: unknown, headers?: Record<string, string>) =>
  callService(services.marketings[0], method, path, body, headers);

/**
 * The customer in marketing: e-mail consent to offers with its evidence (form version, IP),
 * confirmed by the double opt-in link; a static list with them and `other`; a campaign to both,
 * mailed to them (the other has no consent); their click. Answers the campaign and list ids.
 */
async function inMarketing(customerId: string, email: string, other: string) {
  const granted = await marketing('POST', `/customers/${customerId}/consents`, {
    purpose: 'offers',
    channel: 'email',
    lawfulBasis: 'consent',
    source: 'web_form',
    evidence: { formVersion: 'signup-3', ip: consentIp },
  });
  expect(granted.body.outcome).toBe('double_opt_in_requested');
  const link = new URL(granted.body.confirmationLink, services.marketings[0].url);
  expect((await marketing('POST', link.pathname, undefined, { authorization: '' })).body.outcome).toBe(
    'granted',
  );
  const list = await marketing('POST', '/lists', { name: `Fair ${run}`, description: 'Met at the fair' });
  expect(list.status).toBe(201);
  const listId = list.body.listId ?? list.body.id;
  expect(
    (await marketing('POST', `/lists/${listId}/members`, { customerIds: [customerId, other] })).status,
  ).toBe(200);
  // The step reads the list's members when it goes out: once the list shows both.
  await waitFor(
    'the list’s members',
    async () => (await marketing('GET', `/lists/${listId}`)).body.members === 2,
  );
  const drafted = await marketing('POST', '/campaigns', {
    name: `Fair follow-up ${run}`,
    purpose: 'offers',
    channel: 'email',
    audience: { kind: 'customers', customerIds: [customerId, other] },
    steps: [
      {
        subject: 'Hello {{name}}',
        body: 'See https://shop.example/fair',
        waitDays: 0,
        onlyNonResponders: false,
      },
    ],
    budget: 500,
    cost: 300,
    currency: 'EUR',
  });
  expect(drafted.status).toBe(201);
  const campaignId = drafted.body.campaignId as string;
  expect(
    (await marketing('POST', `/campaigns/${campaignId}/schedule`, { startAt: new Date().toISOString() }))
      .status,
  ).toBe(200);
  const sent = await waitFor(
    'the step sent',
    async () => {
      const r = await marketing('GET', `/campaigns/${campaignId}`);
      return r.body.stepsSent?.length === 1 ? r.body : undefined;
    },
    90_000,
  );
  expect(sent.deliveries).toEqual([expect.objectContaining({ sent: 1, suppressed: 1 })]);
  const message = (await services.mail!.mailbox.list()).find((m) => m.envelope.rcptTo[0] === email);
  const tracked = /<a href="(http:\/\/127\.0\.0\.1:\d+\/t\/c\/[\w.-]+)">/.exec(message?.html ?? '')?.[1];
  expect((await fetch(tracked!, { redirect: 'manual' })).status).toBe(302);
  return { campaignId, listId: listId as string };
}

/** What marketing's read models and analytics' customer 360 answer about the customer. */
async function readModels(customerId: string, listId: string) {
  const get = async (service: { url: string }, path: string) =>
    (await callService(service, 'GET', path)).body;
  return {
    consents: await get(services.marketings[0], `/customers/${customerId}/consents`),
    list: await get(services.marketings[0], `/lists/${listId}/members`),
    analytics360: await get(services.analytics!, `/customers/${customerId}/360`),
    analyticsTimeline: await get(services.analytics!, `/customers/${customerId}/timeline`),
  };
}

/** The one-document export of both services, by the command operators run (platform.sh export-customer). */
async function joinedExport(customerId: string) {
  const cli = join(__dirname, '../../../libs/service-kit/dist/cli/customer-export.js');
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [
      cli,
      customerId,
      `leads=${services.leads.url}`,
      `pipeline=${services.pipeline.url}`,
      `marketing=${services.marketings[0].url}`,
      `analytics=${services.analytics!.url}`,
    ],
    { env: { ...process.env, CRM_TOKEN: await accessToken('admin') } },
  );
  return JSON.parse(stdout);
}

describe('erasure of a customer across every service', () => {
  it('leaves their personal data readable nowhere, keeps every count, and spares everyone else', async () => {
    const gone = await wonCustomer(services, erased);
    const other = await wonCustomer(services, kept);
    const { campaignId, listId } = await inMarketing(gone.customerId, erased.email, other.customerId);
    await waitFor('the click on crm.marketing.events', async () =>
      (await readWholeTopic(kafkaBrokers(), services.marketingTopic)).some(
        (m) => m.headers?.ce_type?.toString() === 'crm.marketing.CampaignResponseRecorded.v1',
      ),
    );
    await services.analyticsCaughtUp();

    // Before: the export has the person, from every service that holds events of theirs, and the
    // read models show them.
    const before = await joinedExport(gone.customerId);
    expect(Object.keys(before.services)).toEqual(['leads', 'pipeline', 'marketing', 'analytics']);
    expect(JSON.stringify(before.services.leads)).toContain(erased.email);
    expect(JSON.stringify(before.services.pipeline)).toContain(erased.personName);
    expect(JSON.stringify(before.services.marketing)).toContain(consentIp);
    // Analytics holds no events of its own about the customer: its read models are its part of the export.
    expect(JSON.stringify(before.services.analytics.readModels)).toContain(erased.email);
    expect(await databaseHits(erased.email)).toEqual(
      expect.arrayContaining(['leads.lead_summary.email', 'analytics_g1.customer_profile.email']),
    );
    const shown = await readModels(gone.customerId, listId);
    expect(shown.analytics360.profile).toMatchObject({ email: erased.email, erased: false });
    expect(shown.analyticsTimeline.items.map((i: { kind: string }) => i.kind)).toEqual(
      expect.arrayContaining(['consent_granted', 'campaign_sent', 'campaign_click', 'opportunity_won']),
    );
    expect((await openedPersonalValues(gone.customerId)).join('\n')).toContain(erased.email);
    const asOf = new Date().toISOString();
    const figures = await reports(campaignId, asOf);

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
    const masked = await waitFor('the profile masked in analytics', async () => {
      const r = await readModels(gone.customerId, listId);
      return r.analytics360.profile.erased === true ? r : undefined;
    });
    expect(masked.analytics360.profile).toMatchObject({
      name: '[erased]',
      email: '[erased]',
      company: '[erased]',
    });
    await services.analyticsCaughtUp();

    // No record of theirs on any topic opens any more: their key is a tombstone in the vault.
    const opened = await openedPersonalValues(gone.customerId);
    expect(opened.length).toBeGreaterThan(5);
    expect([...new Set(opened)]).toEqual(['[erased]']);
    expect(await openedPersonalValues(other.customerId)).toContain(kept.personName);

    // The scans read what they claim to: the customer's id is in records and in request logs.
    expect(await kafkaHits(gone.customerId)).not.toEqual([]);
    expect(logHits(`/customers/${gone.customerId}/erasure`)).not.toEqual([]);
    for (const needle of [...needles(erased), consentIp]) {
      expect({ needle, readModels: JSON.stringify(masked).includes(needle) }).toEqual({
        needle,
        readModels: false,
      });
      expect({ needle, database: await databaseHits(needle) }).toEqual({ needle, database: [] });
      expect({ needle, kafka: await kafkaHits(needle) }).toEqual({ needle, kafka: [] });
      expect({ needle, logs: logHits(needle) }).toEqual({ needle, logs: [] });
    }
    expect(await reports(campaignId, asOf)).toEqual(figures);

    const after = await joinedExport(gone.customerId);
    for (const needle of [...needles(erased), consentIp])
      expect({ needle, export: JSON.stringify(after).includes(needle) }).toEqual({ needle, export: false });
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
