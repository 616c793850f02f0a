import { randomUUID } from 'node:crypto';
import { loadConfig } from '@crm/service-kit';
import { InProcessService, LocalMailServer, bearer } from '@crm/test-support';
import { DurableTimers } from '@crm/timers';
import { CampaignSender, campaignMessageId } from '../src/campaign/campaign-sender';
import { MarketingConfig } from '../src/marketing.config';
import { MarketingModule } from '../src/marketing.module';

jest.setTimeout(90_000);

/**
 * Reports of mail systems about campaign messages (`/feedback/bounces`, `/feedback/complaints`)
 * on the marketing service in process (its own PostgreSQL database), after a real send over the
 * local SMTP server: a hard bounce suppresses e-mail, a soft one records nothing, an abuse report
 * suppresses e-mail and withdraws the purpose's e-mail consent; unknown, malformed and forbidden
 * reports append nothing.
 */
let marketing: InProcessService;
let mail: LocalMailServer;
const SECRET = 'a test secret of the consent links';
const env = () => ({ CONSENT_LINK_SECRET: SECRET, SMTP_URL: mail.smtpUrl });
const as = async (who: string) => ({ authorization: await bearer(who) });
let campaignId: string;
const [ana, bea, cid] = [randomUUID(), randomUUID(), randomUUID()];

beforeAll(async () => {
  mail = await LocalMailServer.start();
  marketing = await InProcessService.start({
    name: 'marketing',
    Config: MarketingConfig,
    module: (config) => MarketingModule.forRoot(config),
    env: env(),
    eventStoreSchema: 'marketing_eventstore',
  });
  for (const [customerId, name] of [
    [ana, 'Ana'],
    [bea, 'Bea'],
    [cid, 'Cid'],
  ]) {
    const consent = {
      purpose: 'offers',
      channel: 'email',
      lawfulBasis: 'legitimate_interest',
      source: 'web_form',
    };
    const granted = await marketing.request(
      'POST',
      `/customers/${customerId}/consents`,
      consent,
      await as('max'),
    );
    expect(granted.status).toBe(201);
    await marketing.runtime.pool.query(
      'insert into marketing.customer_profile (customer_id, email, name) values ($1, $2, $3)',
      [customerId, `${name.toLowerCase()}-${customerId.slice(0, 8)}@example.com`, name],
    );
  }
  const drafted = await marketing.request(
    'POST',
    '/campaigns',
    {
      name: 'Autumn offers',
      purpose: 'offers',
      channel: 'email',
      audience: { kind: 'customers', customerIds: [ana, bea, cid] },
      steps: [
        { subject: 'Autumn, {{name}}', body: 'Hello {{name}}.', waitDays: 0, onlyNonResponders: false },
      ],
      budget: 100,
      cost: 10,
      currency: 'EUR',
    },
    await as('max'),
  );
  expect(drafted.status).toBe(201);
  campaignId = drafted.body.campaignId;
  // scheduled for tomorrow, so the service's own timer stays out; the step is sent here, now
  const tomorrow = new Date(Date.now() + 86_400_000).toISOString();
  const scheduled = await marketing.request(
    'POST',
    `/campaigns/${campaignId}/schedule`,
    { startAt: tomorrow },
    await as('max'),
  );
  expect(scheduled.status).toBe(200);
  const sender = new CampaignSender({
    pool: marketing.runtime.pool,
    store: marketing.runtime.store,
    config: loadConfig(MarketingConfig, env()),
    timers: new DurableTimers({ pool: marketing.runtime.pool, schema: 'marketing' }),
  });
  expect(await sender.sendStep(campaignId, 0)).toMatchObject({ sent: 3, completed: true });
  sender.close();
});
afterAll(async () => {
  await marketing?.stop();
  await mail?.stop();
});

const emailConsent = async (customerId: string) => {
  const { body } = await marketing.request(
    'GET',
    `/customers/${customerId}/consents?purpose=offers&channel=email`,
    undefined,
    await as('max'),
  );
  return body as { consents: Array<Record<string, unknown>>; suppressions: Array<Record<string, unknown>> };
};

describe('bounces reported by a mail system', () => {
  it('records a hard bounce (5xx) on the recipient, suppresses e-mail, and records it once', async () => {
    const messageId = campaignMessageId(campaignId, 0, ana);
    expect((await mail.mailbox.list()).some((m) => m.messageId === messageId)).toBe(true);
    const bounce = { messageId, smtpCode: 550, smtpStatus: '5.1.1' };
    await marketing.when('POST', '/feedback/bounces', bounce, await as('crm-integrator')).then({
      status: 200,
      body: { campaignId, step: 0, customerId: ana, outcome: 'bounced', hard: true },
      events: [
        {
          type: 'CampaignMessageBounced',
          stream: `campaignRecipient-${campaignId}-${ana}`,
          data: { messageId, smtpCode: 550, smtpStatus: '5.1.1' },
        },
        {
          type: 'ContactSuppressed',
          stream: `consent-${ana}`,
          data: { reason: 'hard_bounce', channel: 'email' },
        },
      ],
    });
    expect((await emailConsent(ana)).consents[0]).toMatchObject({
      allowed: false,
      reason: 'suppressed',
      suppression: 'hard_bounce',
    });
    // reported again (and without the angle brackets): nothing new
    await marketing
      .when('POST', '/feedback/bounces', { ...bounce, messageId: messageId.slice(1, -1) }, await as('root'))
      .then({ status: 200, body: { outcome: 'unchanged' }, events: [] });
    const rows = await marketing.runtime.pool.query(
      'select status from marketing.campaign_delivery where campaign_id = $1 and customer_id = $2',
      [campaignId, ana],
    );
    expect(rows.rows).toEqual([{ status: 'bounced' }]);
  });

  it('answers a soft bounce (4xx) 202 and records nothing', async () => {
    await marketing
      .when(
        'POST',
        '/feedback/bounces',
        { messageId: campaignMessageId(campaignId, 0, bea), smtpCode: 421, smtpStatus: '4.2.2' },
        await as('crm-integrator'),
      )
      .then({ status: 202, body: { customerId: bea, outcome: 'ignored', hard: false }, events: [] });
    expect((await emailConsent(bea)).consents[0]).toMatchObject({ allowed: true });
  });
});

describe('complaints (abuse reports) of campaign messages', () => {
  it('suppresses e-mail for the complaint and withdraws the e-mail consent of the campaign’s purpose', async () => {
    const messageId = campaignMessageId(campaignId, 0, cid);
    await marketing.when('POST', '/feedback/complaints', { messageId }, await as('crm-integrator')).then({
      status: 200,
      body: { customerId: cid, purpose: 'offers', outcome: 'recorded' },
      events: [
        {
          type: 'ContactSuppressed',
          stream: `consent-${cid}`,
          data: { reason: 'complaint', channel: 'email' },
        },
        {
          type: 'ConsentWithdrawn',
          stream: `consent-${cid}`,
          data: { purpose: 'offers', channel: 'email', source: 'complaint' },
        },
      ],
    });
    const answer = await emailConsent(cid);
    expect(answer.consents[0]).toMatchObject({ allowed: false, suppression: 'complaint' });
    expect(answer.suppressions).toEqual([
      expect.objectContaining({ reason: 'complaint', channel: 'email', inForce: true }),
    ]);
    await marketing
      .when('POST', '/feedback/complaints', { messageId, feedbackType: 'abuse' }, await as('root'))
      .then({ status: 200, body: { outcome: 'unchanged', recorded: [] }, events: [] });
  });
});

describe('reports refused, with nothing appended', () => {
  it('answers 404 for a Message-ID the service never sent', async () => {
    const unknown = campaignMessageId(randomUUID(), 0, ana);
    for (const [path, body] of [
      ['/feedback/bounces', { messageId: unknown, smtpCode: 550 }],
      ['/feedback/complaints', { messageId: unknown }],
      ['/feedback/complaints', { messageId: campaignMessageId(campaignId, 1, ana) }],
    ] as const)
      await marketing
        .when('POST', path, body, await as('crm-integrator'))
        .then({ status: 404, problem: { code: 'CAMPAIGN_MESSAGE_NOT_FOUND' } });
  });

  it('answers 400 naming the malformed fields', async () => {
    const fields = async (path: string, body: object) => {
      const { response } = await marketing
        .when('POST', path, body, await as('crm-integrator'))
        .then({ status: 400, problem: { code: 'VALIDATION_FAILED' } });
      return response.body.errors.map((e: { field: string }) => e.field).sort();
    };
    const messageId = campaignMessageId(campaignId, 0, bea);
    expect(
      await fields('/feedback/bounces', { messageId: '<abc@elsewhere.example>', smtpCode: 250 }),
    ).toEqual(['messageId', 'smtpCode']);
    expect(await fields('/feedback/bounces', { messageId, smtpCode: 550, smtpStatus: '4.2.2' })).toEqual([
      'smtpStatus',
    ]);
    expect(await fields('/feedback/bounces', { messageId })).toEqual(['smtpCode']);
    expect(await fields('/feedback/complaints', { messageId, feedbackType: 'not-spam' })).toEqual([
      'feedbackType',
    ]);
  });

  it('lets only mail systems (integrator) and admins report', async () => {
    const body = { messageId: campaignMessageId(campaignId, 0, bea), smtpCode: 550 };
    await marketing.when('POST', '/feedback/bounces', body, await as('max')).then({ status: 403 });
    await marketing
      .when('POST', '/feedback/complaints', { messageId: body.messageId }, await as('ada'))
      .then({ status: 403 });
    await marketing.when('POST', '/feedback/bounces', body, { authorization: '' }).then({ status: 401 });
  });
});
