import { randomBytes, randomUUID } from 'node:crypto';
import { Client } from 'pg';
import {
  ServiceProcess,
  bearer,
  eventsTableOf,
  callService,
  fetchRoutes,
  freePort,
  freshDatabase,
  fuzzHttp,
  kafkaBrokers,
  platformServices,
  waitFor,
  type FuzzFigures,
} from '@crm/test-support';

/**
 * The HTTP edge of every service as an attacker or a careless client meets it: their real
 * processes on the real PostgreSQL and broker, requests generated from their own OpenAPI
 * documents. Whatever arrives, nothing answers 500 or hangs, no faulty command is accepted, and no
 * event is stored, so the read models keep following valid commands.
 */
jest.setTimeout(180_000);

/** Fixed, so that a failure replays; FUZZ_SEED picks another. */
const SEED = Number(process.env.FUZZ_SEED ?? 20_260_515);
const CONCURRENCY = 8;
/** Per service: 640 batches of 8 = 5,120 requests. */
const BATCHES = 640;

let db: Awaited<ReturnType<typeof freshDatabase>>;
/** Every service of the platform (services.json), fuzzed one after the other. */
const SERVICES = platformServices();
const processes: Record<string, ServiceProcess> = {};
let storedAtStart: number;
let leads: ServiceProcess;
let pipeline: ServiceProcess;
const run = randomBytes(3).toString('hex');
const fuzzPrefix = `fuzz-${run}`;

async function query(sql: string, params: unknown[] = []): Promise<number> {
  const client = new Client({ connectionString: db.url });
  await client.connect();
  try {
    return Number((await client.query(sql, params)).rows[0].count);
  } finally {
    await client.end();
  }
}

const STORES = SERVICES.map(eventsTableOf);
const storedEvents = async () => {
  const counts = await Promise.all(STORES.map((table) => query(`select count(*) from ${table}`)));
  return counts.reduce((a, b) => a + b, 0);
};
const eventsCorrelatedWith = async (pattern: string) => {
  const sql = (table: string) => `select count(*) from ${table} where metadata->>'correlationId' like $1`;
  const counts = await Promise.all(STORES.map((table) => query(sql(table), [pattern])));
  return counts.reduce((a, b) => a + b, 0);
};

async function raw(method: string, path: string, body: string, headers: Record<string, string>) {
  const authorization = await bearer();
  const response = await fetch(`${pipeline.url}${path}`, {
    method,
    headers: { authorization, ...headers },
    body,
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

const fieldsOf = (body: Record<string, unknown>) =>
  ((body.errors ?? []) as { field: string }[]).map((e) => e.field).sort();

beforeAll(async () => {
  db = await freshDatabase();
  const env = {
    DATABASE_URL: db.url,
    KAFKA_BROKERS: kafkaBrokers().join(','),
    KAFKA_GROUP_PREFIX: `e2e-${randomUUID()}`,
    KAFKA_TOPIC_PREFIX: `e2e-${run}.`,
    LOG_LEVEL: 'warn',
  };
  const own: Record<string, Record<string, string>> = { leads: { LEAD_OWNERS: `ana-${run}` } };
  for (const { name } of SERVICES)
    processes[name] = new ServiceProcess(name, await freePort(), { ...env, ...own[name] });
  ({ leads, pipeline } = processes);
  await Promise.all(Object.values(processes).map((p) => p.start()));
  // What the services store of their own at start (the service desk's configured service levels).
  storedAtStart = await storedEvents();
});

afterAll(async () => {
  const ended = await Promise.all(Object.values(processes).map((p) => p.stop()));
  await db?.drop();
  expect(ended).toEqual(SERVICES.map(() => 'graceful'));
});

describe('POST /accounts refuses what it cannot store', () => {
  const correlation = `accounts-${run}`;
  const headers = (type: string) => ({ 'content-type': type, 'x-correlation-id': correlation });

  it('refuses an empty account, naming the required fields', async () => {
    const r = await raw('POST', '/accounts', '{}', headers('application/json'));
    expect(r.status).toBe(400);
    expect(r.body).toMatchObject({ status: 400, code: 'VALIDATION_FAILED', instance: '/accounts' });
    expect(fieldsOf(r.body)).toEqual(['kind', 'name']);
  });

  it('refuses a body that is not JSON with 415', async () => {
    const r = await raw('POST', '/accounts', 'not json {', headers('text/plain'));
    expect(r.status).toBe(415);
    expect(r.body).toMatchObject({ status: 415, code: 'UNSUPPORTED_MEDIA_TYPE' });
  });

  it('refuses prototype keys, naming them', async () => {
    const body = '{"__proto__":{"polluted":1},"constructor":{"prototype":{"p":1}}}';
    const r = await raw('POST', '/accounts', body, headers('application/json'));
    expect(r.status).toBe(400);
    expect(fieldsOf(r.body)).toEqual(['__proto__', 'constructor', 'constructor.prototype']);
  });

  it('stored none of them', async () => {
    expect(await eventsCorrelatedWith(correlation)).toBe(0);
    expect(await storedEvents()).toBe(storedAtStart);
  });
});

describe('HTTP fuzz of every route of every service', () => {
  const figures: FuzzFigures[] = [];
  let before: number;
  beforeAll(async () => {
    before = await storedEvents();
    console.info(`HTTP fuzz: seed ${SEED} (FUZZ_SEED replays another), ${CONCURRENCY} requests at a time`);
  });

  // One test per service, each with the file's time bound: five services' 25,600 requests in one
  // test outgrew it on a loaded machine.
  it.each(SERVICES.map((s) => s.name))('answers every faulty request to %s below 500', async (name) => {
    const service = processes[name];
    const routes = await fetchRoutes(service.service, service.url);
    const result = await fuzzHttp({
      service: service.service,
      baseUrl: service.url,
      routes,
      seed: SEED,
      batches: BATCHES,
      concurrency: CONCURRENCY,
      timeoutMs: 15_000,
      correlationPrefix: fuzzPrefix,
    }).catch((error: Error) => {
      // The service's own account of it (its error log lines) comes with the failing request.
      const errors = service.output.filter((line) => line.includes('"level":"error"')).slice(-3);
      throw new Error(`${error.message}\n--- ${service.service} errors ---\n${errors.join('\n')}`);
    });
    figures.push(result);
    console.info(
      `HTTP fuzz of ${result.service}: ${result.requests} requests over ${result.routes} operations in ` +
        `${result.durationMs} ms; statuses ${JSON.stringify(result.statuses)}; faults ${JSON.stringify(result.faults)}`,
    );
  });

  it('refused every faulty command, and stored nothing', async () => {
    const total = figures.reduce((sum, f) => sum + f.requests, 0);
    console.info(`HTTP fuzz: ${total} requests in total`);
    expect(figures.map((f) => f.service).sort()).toEqual(SERVICES.map((s) => s.name).sort());
    expect(total).toBeGreaterThanOrEqual(10_000);
    expect(await eventsCorrelatedWith(`${fuzzPrefix}-%`)).toBe(0);
    expect(await storedEvents()).toBe(before);
  });

  it('leaves both read models following valid commands', async () => {
    const account = await callService(pipeline, 'POST', '/accounts', {
      name: 'Acme Probe SA',
      kind: 'company',
      customerType: 'prospect',
    });
    expect(account.status).toBe(201);
    const lead = await callService(leads, 'POST', '/leads', {
      personName: 'Ana Probe',
      email: `ana.${run}@probe.example`,
      channel: 'web_form',
    });
    expect(lead.status).toBe(201);
    // The fuzz stored nothing, so nothing stalls the projections: both follow within a second.
    const readable = (service: ServiceProcess, path: string) =>
      waitFor(
        `${path} in ${service.service}'s read model`,
        async () => {
          const r = await callService(service, 'GET', path);
          return r.status === 200 ? r.body : undefined;
        },
        1_000,
      );
    const started = Date.now();
    await expect(readable(pipeline, `/accounts/${account.body.id}`)).resolves.toMatchObject({
      name: 'Acme Probe SA',
    });
    await expect(readable(leads, `/leads/${lead.body.id}`)).resolves.toMatchObject({
      personName: 'Ana Probe',
    });
    console.info(
      `HTTP fuzz: valid account and lead readable ${Date.now() - started} ms after their commands`,
    );
  });
});
