import { randomBytes, randomUUID } from 'node:crypto';
import { SignJWT, UnsecuredJWT, decodeJwt, generateKeyPair } from 'jose';
import { Client } from 'pg';
import {
  ServiceProcess,
  accessToken,
  bearer,
  callService,
  freePort,
  freshDatabase,
  kafkaBrokers,
  resignedToken,
  waitFor,
} from '@crm/test-support';

/**
 * Who may do what, as users of the organisation meet it: leads and pipeline as real processes,
 * every token a real one of the identity provider (infra/oidc, started if the run has not), got
 * by signing in as its demo users. No valid token, no access (401); a role a route does not
 * allow, or another rep's record, 403; the actor of every event is the token's subject.
 */
jest.setTimeout(120_000);

let db: Awaited<ReturnType<typeof freshDatabase>>;
let leads: ServiceProcess;
let pipeline: ServiceProcess;
const run = randomBytes(3).toString('hex');

const as = async (who: string) => ({ authorization: await bearer(who) });
const lead = () => ({
  personName: 'Olga Ruiz',
  email: `olga.${randomBytes(4).toString('hex')}@acme.example`,
  channel: 'referral',
  companySize: 400,
  interests: ['erp'],
});

/** One request with exactly these headers (no token unless given). */
async function raw(
  service: ServiceProcess,
  method: string,
  path: string,
  headers: Record<string, string> = {},
) {
  const response = await fetch(`${service.url}${path}`, { method, headers });
  const json = /json/.test(response.headers.get('content-type') ?? '');
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests assert on arbitrary JSON bodies
  const body: any = json ? await response.json() : await response.text();
  return { status: response.status, headers: response.headers, body };
}

async function actorsOf(table: string, streamId: string): Promise<string[]> {
  const client = new Client({ connectionString: db.url });
  await client.connect();
  try {
    const sql = `select metadata->>'actor' as actor from ${table} where stream_id = $1 order by revision`;
    return (await client.query(sql, [streamId])).rows.map((r) => r.actor);
  } finally {
    await client.end();
  }
}

beforeAll(async () => {
  db = await freshDatabase();
  const env = {
    DATABASE_URL: db.url,
    KAFKA_BROKERS: kafkaBrokers().join(','),
    KAFKA_GROUP_PREFIX: `e2e-${randomUUID()}`,
    KAFKA_TOPIC_PREFIX: `e2e-${run}.`,
    LOG_LEVEL: 'warn',
  };
  // leads keeps its metrics and documentation for signed-in callers; pipeline has the defaults.
  leads = new ServiceProcess('leads', await freePort(), {
    ...env,
    LEAD_OWNERS: 'rep-1,rep-2',
    METRICS_PUBLIC: 'false',
    DOCS_PUBLIC: 'false',
  });
  pipeline = new ServiceProcess('pipeline', await freePort(), env);
  await Promise.all([leads.start(), pipeline.start()]);
});

afterAll(async () => {
  const ended = await Promise.all([leads?.stop(), pipeline?.stop()]);
  await db?.drop();
  expect(ended).toEqual(['graceful', 'graceful']);
});

describe('a request without a valid token of the identity provider', () => {
  const refused = async (headers: Record<string, string>) => {
    const r = await raw(leads, 'GET', '/leads', headers);
    expect(r.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(r.headers.get('www-authenticate')).toMatch(/^Bearer realm="crm"/);
    return { status: r.status, code: r.body.code, detail: r.body.detail };
  };

  it('is refused with 401 when it has no token, or only the old X-Actor headers', async () => {
    expect(await refused({})).toMatchObject({ status: 401, code: 'UNAUTHENTICATED' });
    expect(await refused({ 'x-actor': 'root', 'x-actor-roles': 'admin,manager' })).toMatchObject({
      status: 401,
      code: 'UNAUTHENTICATED',
    });
    const capture = await callService(leads, 'POST', '/leads', lead(), { authorization: '' });
    expect(capture.status).toBe(401);
  });

  it('is refused with 401 when the token has expired, though signed by the provider’s own key', async () => {
    const token = await accessToken('admin');
    const now = Math.floor(Date.now() / 1000);
    const fresh = await resignedToken(token, { iat: now, exp: now + 600 });
    const expired = await resignedToken(token, { iat: now - 4000, exp: now - 400 });
    expect((await raw(leads, 'GET', '/leads', { authorization: `Bearer ${fresh}` })).status).toBe(200);
    expect(await refused({ authorization: `Bearer ${expired}` })).toEqual({
      status: 401,
      code: 'INVALID_TOKEN',
      detail: 'the token has expired',
    });
  });

  it('is refused with 401 when the token is for another API, signed by another key, unsigned or altered', async () => {
    const intranet = await accessToken('admin', { audience: 'api://intranet' });
    expect(await refused({ authorization: `Bearer ${intranet}` })).toMatchObject({
      status: 401,
      detail: 'the token is for another audience',
    });
    const claims = decodeJwt(await accessToken('admin'));
    const { privateKey } = await generateKeyPair('ES256');
    const forged = await new SignJWT(claims).setProtectedHeader({ alg: 'ES256', kid: 'k1' }).sign(privateKey);
    const unsigned = new UnsecuredJWT(claims).encode();
    const [header, , signature] = (await accessToken('sales_rep')).split('.');
    const altered = `${header}.${Buffer.from(JSON.stringify({ ...claims, sub: 'u-rep-1' })).toString('base64url')}.${signature}`;
    for (const token of [forged, unsigned, altered]) {
      expect(await refused({ authorization: `Bearer ${token}` })).toMatchObject({
        status: 401,
        code: 'INVALID_TOKEN',
      });
    }
  });

  it('still reaches the probes; metrics and documentation as each service is configured', async () => {
    expect((await raw(leads, 'GET', '/health/ready')).status).toBe(200);
    expect((await raw(leads, 'GET', '/metrics')).status).toBe(401);
    expect((await raw(leads, 'GET', '/metrics', await as('sales_rep'))).status).toBe(403);
    expect((await raw(leads, 'GET', '/metrics', await as('admin'))).status).toBe(200);
    expect((await raw(leads, 'GET', '/docs-json')).status).toBe(401);
    expect((await raw(leads, 'GET', '/docs-json', await as('analyst'))).status).toBe(200);
    expect((await raw(pipeline, 'GET', '/metrics')).status).toBe(200);
    const docs = await raw(pipeline, 'GET', '/docs-json');
    expect(docs.status).toBe(200);
    expect(docs.body.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(docs.body.paths['/health/ready'].get.security).toEqual([]);
    expect(docs.body.paths['/quotes/{id}/approve-discount'].post.security).toEqual([{ bearer: [] }]);
  });
});

describe('sales reps and their managers', () => {
  let leadId: string;

  beforeAll(async () => {
    const captured = await callService(leads, 'POST', '/leads', lead(), {
      ...(await as('sales_rep')),
      'x-actor': 'mallory',
    });
    expect(captured.body).toMatchObject({ ownerId: 'rep-1' });
    leadId = captured.body.id;
  });

  it('record the token’s subject as the actor of the events, never the X-Actor header', async () => {
    expect(await actorsOf('leads_eventstore.es_events', `lead-${leadId}`)).toEqual([
      'u-rep-1',
      'u-rep-1',
      'u-rep-1',
    ]);
  });

  it('a rep reads and works their own leads; another rep gets 403 and changes nothing', async () => {
    const own = await waitFor('the lead in the projection', async () => {
      const r = await callService(leads, 'GET', `/leads/${leadId}`, undefined, await as('rep-1'));
      return r.status === 200 ? r : undefined;
    });
    expect(own.body.ownerId).toBe('rep-1');
    const other = await as('rep-2');
    const read = await callService(leads, 'GET', `/leads/${leadId}`, undefined, other);
    expect(read).toMatchObject({ status: 403, body: { code: 'NOT_RECORD_OWNER' } });
    const engage = { kind: 'call', channel: 'phone' };
    const write = await callService(leads, 'POST', `/leads/${leadId}/engagements`, engage, other);
    expect(write).toMatchObject({ status: 403, body: { code: 'NOT_RECORD_OWNER' } });
    const stolen = await callService(leads, 'POST', '/leads', { ...lead(), ownerId: 'rep-1' }, other);
    expect(stolen).toMatchObject({ status: 403, body: { code: 'NOT_RECORD_OWNER' } });
    expect(await actorsOf('leads_eventstore.es_events', `lead-${leadId}`)).toHaveLength(3);
    const mine = await callService(leads, 'POST', `/leads/${leadId}/engagements`, engage, await as('rep-1'));
    expect(mine.status).toBe(201);
  });

  it('lists show a rep their own leads only, a manager their team’s', async () => {
    type Item = { leadId: string; ownerId: string };
    const list = async (who: string): Promise<Item[]> =>
      (await callService(leads, 'GET', '/leads?pageSize=100', undefined, await as(who))).body.items;
    await waitFor('the lead in rep-1’s list', async () =>
      (await list('rep-1')).some((l) => l.leadId === leadId),
    );
    expect((await list('rep-2')).filter((l) => l.ownerId !== 'rep-2')).toEqual([]);
    expect((await list('sales_manager')).map((l) => l.leadId)).toContain(leadId);
  });

  it('a manager works the leads of the team; an analyst reads but may not qualify', async () => {
    const manager = await as('sales_manager');
    expect((await callService(leads, 'GET', `/leads/${leadId}`, undefined, manager)).status).toBe(200);
    const engaged = await callService(
      leads,
      'POST',
      `/leads/${leadId}/engagements`,
      { kind: 'meeting', channel: 'event' },
      manager,
    );
    expect(engaged.status).toBe(201);
    const analyst = await as('analyst');
    expect((await callService(leads, 'GET', `/leads/${leadId}`, undefined, analyst)).status).toBe(200);
    const qualify = await callService(leads, 'POST', `/leads/${leadId}/qualify`, undefined, analyst);
    expect(qualify).toMatchObject({ status: 403, body: { code: 'ROLE_NOT_ALLOWED' } });
  });
});

describe('a discount above the threshold', () => {
  it('is approved by the sales manager of the opportunity’s owner only, recorded under their name', async () => {
    const rep = await as('rep-1');
    const account = await callService(
      pipeline,
      'POST',
      '/accounts',
      { name: `Acme ${run}`, kind: 'company' },
      rep,
    );
    expect(account.status).toBe(201);
    const opened = await callService(
      pipeline,
      'POST',
      '/opportunities',
      { accountId: account.body.id, name: 'Licences', ownerId: 'rep-1', currency: 'EUR' },
      rep,
    );
    expect(opened.status).toBe(201);
    const lines = [{ product: 'Licence', quantity: 10, unitPrice: 100, discountPercent: 30 }];
    const quote = await callService(
      pipeline,
      'POST',
      `/opportunities/${opened.body.id}/quotes`,
      { lines },
      rep,
    );
    expect(quote.status).toBe(201);
    const approve = async (who: string) =>
      callService(pipeline, 'POST', `/quotes/${quote.body.id}/approve-discount`, undefined, await as(who));
    expect(
      (await callService(pipeline, 'POST', `/quotes/${quote.body.id}/send`, undefined, rep)).body.code,
    ).toBe('DISCOUNT_NEEDS_APPROVAL');
    expect(await approve('rep-1')).toMatchObject({ status: 403, body: { code: 'ROLE_NOT_ALLOWED' } });
    expect((await approve('admin')).status).toBe(403);
    const other = await as('rep-2');
    const elsewhere = await waitFor('the opportunity in the read model', async () => {
      const r = await callService(pipeline, 'GET', `/opportunities/${opened.body.id}`, undefined, other);
      return r.status === 404 ? undefined : r;
    });
    expect(elsewhere).toMatchObject({ status: 403, body: { code: 'NOT_RECORD_OWNER' } });
    const revise = { lines: [{ product: 'Licence', quantity: 1, unitPrice: 1 }] };
    const changed = await callService(pipeline, 'PUT', `/quotes/${quote.body.id}/lines`, revise, other);
    expect(changed).toMatchObject({ status: 403, body: { code: 'NOT_RECORD_OWNER' } });
    expect(await approve('sales_manager')).toMatchObject({ status: 200, body: { approved: true } });
    expect(
      (await callService(pipeline, 'POST', `/quotes/${quote.body.id}/send`, undefined, rep)).status,
    ).toBe(200);
    const read = await waitFor('the approval in the read model', async () => {
      const r = await callService(pipeline, 'GET', `/quotes/${quote.body.id}`, undefined, rep);
      return r.body?.approvedBy ? r : undefined;
    });
    expect(read.body.approvedBy).toBe('u-mia');
  });
});
