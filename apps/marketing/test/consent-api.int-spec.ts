import { randomUUID } from 'node:crypto';
import { InProcessService, bearer } from '@crm/test-support';
import { MarketingConfig } from '../src/marketing.config';
import { MarketingModule } from '../src/marketing.module';

jest.setTimeout(60_000);

/**
 * The consent routes on the marketing service in process (its own database, no Kafka): what a
 * marketer records, what the customer's confirmation link does, what the ledger answers as of a
 * time as known at a time, and the refusals (400 naming fields, 401, 403, 404, 409, 422).
 */
let marketing: InProcessService;
const as = async (who: string) => ({ authorization: await bearer(who) });
const ANONYMOUS = { authorization: '' };
const consents = (customerId: string) => `/customers/${customerId}/consents`;
const SMS = { purpose: 'newsletter', channel: 'sms', lawfulBasis: 'consent', source: 'web_form' };
const EMAIL = { ...SMS, channel: 'email', evidence: { formVersion: 'footer-v3', ip: '203.0.113.7' } };

beforeAll(async () => {
  marketing = await InProcessService.start({
    name: 'marketing',
    Config: MarketingConfig,
    module: (config) => MarketingModule.forRoot(config),
    env: { CONSENT_LINK_SECRET: 'a test secret of the consent links' },
    eventStoreSchema: 'marketing_eventstore',
  });
});
afterAll(() => marketing?.stop());

const answer = async (customerId: string, query: string) => {
  const { status, body } = await marketing.request(
    'GET',
    `${consents(customerId)}?${query}`,
    undefined,
    await as('max'),
  );
  expect(status).toBe(200);
  return body.consents as Array<Record<string, unknown>>;
};

describe('consents over HTTP', () => {
  it('records a marketer’s grant in the customer’s ledger and answers it allowed, on its basis', async () => {
    const customerId = randomUUID();
    await marketing.when('POST', consents(customerId), SMS, await as('max')).then({
      status: 201,
      body: { customerId, purpose: 'newsletter', channel: 'sms', outcome: 'granted', revision: 0 },
      events: [{ type: 'ConsentGranted', stream: `consent-${customerId}`, data: { lawfulBasis: 'consent' } }],
    });
    await marketing
      .when('POST', consents(customerId), SMS, await as('max'))
      .then({ status: 201, body: { outcome: 'unchanged' }, events: [] });
    const [sms] = await answer(customerId, 'purpose=newsletter&channel=sms');
    expect(sms).toMatchObject({ allowed: true, lawfulBasis: 'consent', source: 'web_form' });
    // every purpose and channel when none is named: only this one is allowed
    const all = await answer(customerId, '');
    expect(all).toHaveLength(12);
    expect(all.filter((c) => c.allowed).map((c) => `${c.purpose}/${c.channel}`)).toEqual(['newsletter/sms']);
  });

  it('takes e-mail consent through a signed single-use link the customer posts without signing in', async () => {
    const customerId = randomUUID();
    const from = await marketing.lastPosition();
    const { response } = await marketing.when('POST', consents(customerId), EMAIL, await as('max')).then({
      status: 201,
      body: { outcome: 'double_opt_in_requested' },
      events: [{ type: 'DoubleOptInRequested' }],
    });
    const link: string = response.body.confirmationLink;
    expect(link).toMatch(/^\/consents\/confirm\//);
    // the IP address of the evidence is stored sealed with the customer's key
    const [stored] = await marketing.eventsAfter(from, { stored: true });
    expect(stored.data.evidence.ip).toMatch(/^pii:v1:/);
    expect((await answer(customerId, 'purpose=newsletter&channel=email'))[0]).toMatchObject({
      allowed: false,
      reason: 'double_opt_in_pending',
    });

    await marketing.when('POST', link, undefined, ANONYMOUS).then({
      status: 200,
      body: { customerId, purpose: 'newsletter', channel: 'email', outcome: 'granted' },
      events: [
        { type: 'DoubleOptInConfirmed' },
        { type: 'ConsentGranted', data: { evidence: { formVersion: 'footer-v3', ip: '203.0.113.7' } } },
      ],
    });
    expect((await answer(customerId, 'purpose=newsletter&channel=email'))[0]).toMatchObject({
      allowed: true,
    });
    await marketing
      .when('POST', link, undefined, ANONYMOUS)
      .then({ status: 409, problem: { code: 'DOUBLE_OPT_IN_ALREADY_CONFIRMED' } });
  });

  it('refuses a forged or altered link, and a body sent with it', async () => {
    const customerId = randomUUID();
    const { response } = await marketing
      .when('POST', consents(customerId), EMAIL, await as('max'))
      .then({ status: 201 });
    const link: string = response.body.confirmationLink;
    const altered = link.replace(customerId, randomUUID());
    await marketing
      .when('POST', altered, undefined, ANONYMOUS)
      .then({ status: 404, problem: { code: 'DOUBLE_OPT_IN_LINK_INVALID' } });
    await marketing
      .when('POST', '/consents/confirm/not-a-link', undefined, ANONYMOUS)
      .then({ status: 404, problem: { code: 'DOUBLE_OPT_IN_LINK_INVALID' } });
    await marketing
      .when('POST', link, { confirm: true }, ANONYMOUS)
      .then({ status: 400, problem: { code: 'VALIDATION_FAILED' } });
  });

  it('answers a back-dated withdrawal only as known from its recording on', async () => {
    const customerId = randomUUID();
    const signed = new Date(Date.now() - 10 * 86_400_000).toISOString();
    const phoned = new Date(Date.now() - 3 * 86_400_000).toISOString();
    const between = new Date(Date.now() - 2 * 86_400_000).toISOString();
    await marketing
      .when(
        'POST',
        consents(customerId),
        { ...SMS, source: 'paper_form', effectiveAt: signed },
        await as('max'),
      )
      .then({ status: 201, body: { outcome: 'granted' } });
    const beforeWithdrawal = new Date().toISOString();
    await new Promise((resolve) => setTimeout(resolve, 5));
    await marketing
      .when(
        'POST',
        `${consents(customerId)}/withdraw`,
        { purpose: 'newsletter', channel: 'sms', source: 'call', effectiveAt: phoned },
        await as('max'),
      )
      .then({
        status: 201,
        body: { outcome: 'withdrawn', revision: 1 },
        events: [{ type: 'ConsentWithdrawn', data: { effectiveAt: phoned, source: 'call' } }],
      });
    const at = `purpose=newsletter&channel=sms&at=${between}`;
    expect((await answer(customerId, `${at}&asKnownAt=${beforeWithdrawal}`))[0]).toMatchObject({
      allowed: true,
    });
    expect((await answer(customerId, at))[0]).toMatchObject({
      allowed: false,
      reason: 'withdrawn',
      basedOn: { type: 'ConsentWithdrawn', effectiveAt: phoned },
    });
    const beforeCall = new Date(Date.now() - 5 * 86_400_000).toISOString();
    expect((await answer(customerId, `purpose=newsletter&channel=sms&at=${beforeCall}`))[0]).toMatchObject({
      allowed: true,
    });
  });

  it('names every offending field of a bad command or query, and records nothing', async () => {
    const customerId = randomUUID();
    const { response } = await marketing
      .when(
        'POST',
        consents(customerId),
        {
          purpose: 'spam',
          channel: 'fax',
          lawfulBasis: 'because',
          evidence: { ip: 'somewhere' },
          effectiveAt: 'yesterday',
        },
        await as('max'),
      )
      .then({ status: 400, problem: { code: 'VALIDATION_FAILED' } });
    expect(response.body.errors.map((e: { field: string }) => e.field).sort()).toEqual([
      'channel',
      'effectiveAt',
      'evidence.ip',
      'lawfulBasis',
      'purpose',
      'source',
    ]);
    await marketing
      .when('POST', consents('not-a-uuid'), SMS, await as('max'))
      .then({ status: 400, problem: { errors: [expect.objectContaining({ field: 'customerId' })] } });
    const query = await marketing.request(
      'GET',
      `${consents(customerId)}?at=soon&channel=fax`,
      undefined,
      await as('max'),
    );
    expect(query.status).toBe(400);
    expect(query.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['at', 'channel']);
    const tomorrow = new Date(Date.now() + 86_400_000).toISOString();
    await marketing
      .when('POST', consents(customerId), { ...SMS, effectiveAt: tomorrow }, await as('max'))
      .then({ status: 422, problem: { code: 'CONSENT_EFFECTIVE_IN_FUTURE' } });
  });

  it('lets marketers and admins in, no one else', async () => {
    const customerId = randomUUID();
    await marketing
      .when('POST', consents(customerId), SMS, ANONYMOUS)
      .then({ status: 401, problem: { code: 'UNAUTHENTICATED' } });
    await marketing
      .when('POST', consents(customerId), SMS, await as('rep-1'))
      .then({ status: 403, problem: { code: 'ROLE_NOT_ALLOWED' } });
    await marketing.when('GET', consents(customerId), undefined, await as('sam')).then({ status: 403 });
    await marketing.when('POST', consents(customerId), SMS, await as('root')).then({ status: 201 });
  });
});

describe('suppressions over HTTP', () => {
  const suppressions = (customerId: string) => `/customers/${customerId}/suppressions`;

  it('suppresses a channel or every channel whatever the consent, once, with its note sealed', async () => {
    const customerId = randomUUID();
    await marketing.when('POST', consents(customerId), SMS, await as('max')).then({ status: 201 });
    const from = await marketing.lastPosition();
    await marketing
      .when(
        'POST',
        suppressions(customerId),
        { reason: 'manual', channel: 'sms', note: 'asked by phone not to be texted' },
        await as('max'),
      )
      .then({
        status: 201,
        body: { customerId, reason: 'manual', channel: 'sms', outcome: 'suppressed', revision: 1 },
        events: [
          {
            type: 'ContactSuppressed',
            stream: `consent-${customerId}`,
            data: { reason: 'manual', channel: 'sms', note: 'asked by phone not to be texted' },
          },
        ],
      });
    const [stored] = await marketing.eventsAfter(from, { stored: true });
    expect(stored.data.note).toMatch(/^pii:v1:/);
    await marketing
      .when('POST', suppressions(customerId), { reason: 'complaint', channel: 'sms' }, await as('root'))
      .then({ status: 201, body: { outcome: 'unchanged' }, events: [] });

    const { body } = await marketing.request(
      'GET',
      `${consents(customerId)}?purpose=newsletter&channel=sms`,
      undefined,
      await as('max'),
    );
    expect(body.consents[0]).toMatchObject({ allowed: false, reason: 'suppressed', suppression: 'manual' });
    expect(body.suppressions).toEqual([
      expect.objectContaining({
        reason: 'manual',
        channel: 'sms',
        note: 'asked by phone not to be texted',
        inForce: true,
      }),
    ]);
    // as known before it was recorded (any time in the past), there was no suppression
    const before = await marketing.request(
      'GET',
      `${consents(customerId)}?channel=sms&asKnownAt=2026-01-01T00:00:00Z`,
      undefined,
      await as('max'),
    );
    expect(before.body.suppressions).toEqual([]);

    // every channel, back-dated
    const effectiveAt = new Date(Date.now() - 86_400_000).toISOString();
    await marketing
      .when('POST', suppressions(customerId), { reason: 'complaint', effectiveAt }, await as('max'))
      .then({
        status: 201,
        events: [{ type: 'ContactSuppressed', data: { reason: 'complaint', effectiveAt } }],
      });
    const post = await marketing.request(
      'GET',
      `${consents(customerId)}?channel=post`,
      undefined,
      await as('max'),
    );
    expect(post.body.suppressions).toEqual([expect.objectContaining({ reason: 'complaint', inForce: true })]);
    expect(post.body.suppressions[0]).not.toHaveProperty('channel');
  });

  it('leaves hard bounces to the bounce reports, names bad fields and records nothing', async () => {
    const customerId = randomUUID();
    const { response } = await marketing
      .when(
        'POST',
        suppressions(customerId),
        { reason: 'hard_bounce', channel: 'fax', effectiveAt: 'soon', note: ' ' },
        await as('max'),
      )
      .then({ status: 400, problem: { code: 'VALIDATION_FAILED' } });
    expect(response.body.errors.map((e: { field: string }) => e.field).sort()).toEqual([
      'channel',
      'effectiveAt',
      'note',
      'reason',
    ]);
    await marketing
      .when('POST', suppressions('nobody'), { reason: 'manual' }, await as('max'))
      .then({ status: 400, problem: { errors: [expect.objectContaining({ field: 'customerId' })] } });
    const tomorrow = new Date(Date.now() + 86_400_000).toISOString();
    await marketing
      .when('POST', suppressions(customerId), { reason: 'manual', effectiveAt: tomorrow }, await as('max'))
      .then({ status: 422, problem: { code: 'CONSENT_EFFECTIVE_IN_FUTURE' } });
    await marketing
      .when('POST', suppressions(customerId), { reason: 'manual' }, await as('ada'))
      .then({ status: 403, problem: { code: 'ROLE_NOT_ALLOWED' } });
    await marketing
      .when('POST', suppressions(customerId), { reason: 'manual' }, ANONYMOUS)
      .then({ status: 401 });
  });
});
