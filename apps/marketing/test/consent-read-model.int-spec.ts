import { randomUUID } from 'node:crypto';
import { toCloudEvent, type CloudEvent } from '@crm/contracts';
import { InProcessService, bearer, publishedEvents, type ProjectionSpec } from '@crm/test-support';
import { ConsentProjection } from '../src/consent/consent.projection';
import { MarketingConfig } from '../src/marketing.config';
import { MarketingModule } from '../src/marketing.module';

jest.setTimeout(60_000);

/**
 * The consent read model (`marketing.consent`, `marketing.suppression`) projected by the consumer
 * `marketing-consents` from what the consent routes append (relayed as crm.marketing.events would
 * carry it), on the service's real PostgreSQL tables: once per entry, erasure honoured, and
 * `GET /suppressions` read from it.
 */
let marketing: InProcessService;
let projection: ProjectionSpec;
let relayed: string;
const SECRET = 'a test secret of the consent links';
const as = async (who: string) => ({ authorization: await bearer(who) });

beforeAll(async () => {
  marketing = await InProcessService.start({
    name: 'marketing',
    Config: MarketingConfig,
    module: (config) => MarketingModule.forRoot(config),
    env: { CONSENT_LINK_SECRET: SECRET },
    eventStoreSchema: 'marketing_eventstore',
  });
  projection = await marketing.projection('marketing-consents', [ConsentProjection]);
  relayed = await marketing.lastPosition();
});
afterAll(() => marketing?.stop());

/** What the service appended since the last relay, as CloudEvents of crm.marketing.events. */
async function appended(): Promise<CloudEvent[]> {
  const events = await marketing.eventsAfter(relayed);
  relayed = await marketing.lastPosition();
  return events.map((e) =>
    toCloudEvent('marketing', { ...e, id: randomUUID() }, e.streamId.slice(e.streamId.indexOf('-') + 1)),
  );
}
const post = async (path: string, body: object | undefined, who = 'max') => {
  const response = await marketing.request('POST', path, body, who ? await as(who) : { authorization: '' });
  expect(response.status).toBeLessThan(300);
  return response.body;
};
const consentRows = (customerId: string) =>
  projection.rows(
    `select purpose, channel, status, lawful_basis, source, effective_at, recorded_at, expires_at
       from marketing.consent where customer_id = $1 order by purpose, channel`,
    [customerId],
  );
const suppressionRows = (customerId: string) =>
  projection.rows(
    'select channel, reason, note, effective_at from marketing.suppression where customer_id = $1 order by revision',
    [customerId],
  );

describe('the consent read model', () => {
  it('holds each purpose and channel’s status and the suppressions, once however often delivered', async () => {
    const customerId = randomUUID();
    const consents = `/customers/${customerId}/consents`;
    await post(consents, {
      purpose: 'newsletter',
      channel: 'sms',
      lawfulBasis: 'consent',
      source: 'web_form',
      effectiveAt: '2026-01-01T09:00:00Z',
    });
    const { confirmationLink } = await post(consents, {
      purpose: 'offers',
      channel: 'email',
      lawfulBasis: 'consent',
      source: 'web_form',
      evidence: { ip: '203.0.113.7' },
    });
    await post(consents, { purpose: 'newsletter', channel: 'email', lawfulBasis: 'consent', source: 'call' });
    await post(`${consents}/withdraw`, {
      purpose: 'newsletter',
      channel: 'sms',
      source: 'call',
      effectiveAt: '2026-01-02T09:00:00Z',
    });
    const first = await appended();
    await projection.given(...first);
    // the offers e-mail request is pending until its link is posted
    expect((await consentRows(customerId)).map((r) => `${r.purpose}/${r.channel} ${r.status}`)).toEqual([
      'newsletter/email pending_double_opt_in',
      'newsletter/sms withdrawn',
      'offers/email pending_double_opt_in',
    ]);
    await post(confirmationLink, undefined, '');
    await post(`/customers/${customerId}/suppressions`, {
      reason: 'manual',
      channel: 'phone',
      note: 'asked by letter',
    });
    const second = await appended();
    await projection.given(...second);

    const rows = await consentRows(customerId);
    expect(rows).toEqual([
      expect.objectContaining({
        purpose: 'newsletter',
        channel: 'email',
        status: 'pending_double_opt_in',
        source: 'call',
      }),
      expect.objectContaining({
        purpose: 'newsletter',
        channel: 'sms',
        status: 'withdrawn',
        lawful_basis: null,
        effective_at: new Date('2026-01-02T09:00:00Z'),
      }),
      expect.objectContaining({
        purpose: 'offers',
        channel: 'email',
        status: 'granted',
        lawful_basis: 'consent',
        expires_at: null,
      }),
    ]);
    expect(await suppressionRows(customerId)).toEqual([
      expect.objectContaining({ channel: 'phone', reason: 'manual', note: 'asked by letter' }),
    ]);
    // delivered again (a redelivery, a replay under new ids): nothing changes
    await projection.given(...first, ...second);
    await projection.given(
      ...(await Promise.all([...first, ...second].map(async (e) => ({ ...e, id: randomUUID() })))),
    );
    expect(await consentRows(customerId)).toEqual(rows);
    expect(await suppressionRows(customerId)).toHaveLength(1);
    // the evidence (the IP address) is not copied into the read model
    const [ledger] = await projection.rows(
      'select entries::text from marketing.consent_ledger where customer_id = $1',
      [customerId],
    );
    expect(ledger.entries).not.toContain('203.0.113.7');
  });

  it('deletes an erased customer’s rows and projects none of theirs afterwards', async () => {
    const customerId = randomUUID();
    await post(`/customers/${customerId}/consents`, {
      purpose: 'offers',
      channel: 'post',
      lawfulBasis: 'legitimate_interest',
      source: 'contract',
    });
    await post(`/customers/${customerId}/suppressions`, { reason: 'complaint' });
    await projection.given(...(await appended()));
    expect(await consentRows(customerId)).toHaveLength(1);
    expect(await suppressionRows(customerId)).toHaveLength(1);

    const erased = publishedEvents(
      'leads',
      customerId,
      [
        {
          type: 'CustomerErased',
          data: { customerId, reason: 'GDPR art. 17 request', erasedAt: new Date().toISOString() },
        },
      ],
      { customerId },
    );
    await projection.given(...erased);
    expect(await consentRows(customerId)).toEqual([]);
    expect(await suppressionRows(customerId)).toEqual([]);
    await post(`/customers/${customerId}/consents/withdraw`, {
      purpose: 'offers',
      channel: 'post',
      source: 'call',
    });
    await projection.given(...(await appended()));
    expect(await consentRows(customerId)).toEqual([]);
  });
});

describe('GET /suppressions', () => {
  it('lists suppressions newest first, filtered by reason and channel, page by page', async () => {
    const [one, two, three] = [randomUUID(), randomUUID(), randomUUID()];
    await post(`/customers/${one}/suppressions`, { reason: 'complaint', channel: 'email' });
    await post(`/customers/${two}/suppressions`, { reason: 'manual' });
    await post(`/customers/${three}/suppressions`, { reason: 'manual', channel: 'sms', note: 'by phone' });
    await projection.given(...(await appended()));

    const get = async (query: string, who = 'ada') => {
      const response = await marketing.request('GET', `/suppressions?${query}`, undefined, await as(who));
      expect(response.status).toBe(200);
      return response.body as { suppressions: Array<{ customerId: string }>; next?: string };
    };
    const all = (await get('limit=1000')).suppressions;
    expect(all.slice(0, 3)).toEqual([
      expect.objectContaining({ customerId: three, reason: 'manual', channel: 'sms', note: 'by phone' }),
      expect.objectContaining({ customerId: two, reason: 'manual' }),
      expect.objectContaining({ customerId: one, reason: 'complaint', channel: 'email' }),
    ]);
    expect(all[1]).not.toHaveProperty('channel'); // every channel
    // pages of 2 walk the same list
    const walked: unknown[] = [];
    for (let after: string | undefined, page = 0; page === 0 || after; page++) {
      const body = await get(`limit=2${after ? `&after=${encodeURIComponent(after)}` : ''}`, 'max');
      walked.push(...body.suppressions);
      after = body.next;
    }
    expect(walked).toEqual(all);
    // sms: the sms suppressions and those of every channel; not e-mail's
    const sms = (await get('channel=sms&reason=manual&limit=1000')).suppressions.map((s) => s.customerId);
    expect(sms).toEqual(expect.arrayContaining([two, three]));
    expect(sms).not.toContain(one);
    expect((await get('reason=complaint&limit=1000')).suppressions.map((s) => s.customerId)).toContain(one);
  });

  it('refuses bad parameters naming them, and callers who may not read it', async () => {
    const response = await marketing.request(
      'GET',
      '/suppressions?reason=bounce&channel=fax&limit=0&after=yesterday',
      undefined,
      await as('ada'),
    );
    expect(response.status).toBe(400);
    expect(response.body.errors.map((e: { field: string }) => e.field).sort()).toEqual([
      'after',
      'channel',
      'limit',
      'reason',
    ]);
    expect((await marketing.request('GET', '/suppressions', undefined, await as('sam'))).status).toBe(403);
    expect((await marketing.request('GET', '/suppressions', undefined, { authorization: '' })).status).toBe(
      401,
    );
  });
});
