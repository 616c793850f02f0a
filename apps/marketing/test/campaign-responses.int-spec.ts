import { randomUUID } from 'node:crypto';
import { Logger, Module } from '@nestjs/common';
import { loadConfig } from '@crm/service-kit';
import { bindCrmEventHandlers, type BoundEventHandlers } from '@crm/messaging';
import { InProcessService, LocalMailServer, bearer, publishedEvents } from '@crm/test-support';
import { DurableTimers } from '@crm/timers';
import { AttributionProjection } from '../src/attribution/attribution.projection';
import { CampaignSender } from '../src/campaign/campaign-sender';
import { MarketingConfig } from '../src/marketing.config';
import { MarketingModule } from '../src/marketing.module';

jest.setTimeout(90_000);

/**
 * Responses to a campaign sent over real SMTP (infra/smtp), read back from the mail as a recipient
 * would see it: the tracked link redirects to where the mail said and records the click once, the
 * open pixel records the first open only, a forged link is a 404; a prospect's response is
 * published for the leads context; responders are left out of an `onlyNonResponders` step; a win
 * (crm.pipeline.events, consumer `marketing-attribution`) shows in the campaign's ROI.
 */
let marketing: InProcessService;
let mail: LocalMailServer;
let attribution: BoundEventHandlers;
const SECRET = 'a test secret of the consent links';
const env = () => ({ CONSENT_LINK_SECRET: SECRET, SMTP_URL: mail.smtpUrl, CAMPAIGN_POLL_INTERVAL_MS: '50' });
const as = async (who = 'max') => ({ authorization: await bearer(who) });
const anyone = { authorization: '' };

@Module({ controllers: [AttributionProjection] })
class AttributionUnderTest {}

beforeAll(async () => {
  Logger.overrideLogger(false);
  mail = await LocalMailServer.start();
  marketing = await InProcessService.start({
    name: 'marketing',
    Config: MarketingConfig,
    module: (config) => MarketingModule.forRoot(config),
    env: env(),
    eventStoreSchema: 'marketing_eventstore',
  });
  attribution = await bindCrmEventHandlers(AttributionUnderTest);
});
afterAll(async () => {
  await attribution?.close();
  await marketing?.stop();
  await mail?.stop();
});

/** A recipient allowed e-mail offers at once, with a profile at a lifecycle stage (or none). */
const recipient = async (name: string, stage: string | null) => {
  const customerId = randomUUID();
  const granted = await marketing.request(
    'POST',
    `/customers/${customerId}/consents`,
    { purpose: 'offers', channel: 'email', lawfulBasis: 'legitimate_interest', source: 'web_form' },
    await as(),
  );
  expect(granted.status).toBe(201);
  await marketing.runtime.pool.query(
    `insert into marketing.customer_profile (customer_id, email, name, lifecycle_stage, interests)
     values ($1, $2, $3, $4, $5)`,
    [customerId, `${name.toLowerCase()}.${customerId.slice(0, 8)}@example.com`, name, stage, ['solar']],
  );
  return customerId;
};
const sender = () =>
  new CampaignSender({
    pool: marketing.runtime.pool,
    store: marketing.runtime.store,
    config: loadConfig(MarketingConfig, env()),
    timers: new DurableTimers({ pool: marketing.runtime.pool, schema: 'marketing' }),
  });
const recipientEvents = async (campaignId: string, customerId: string) =>
  (await marketing.store.readStream(`campaignRecipient-${campaignId}-${customerId}`)).map((e) => [
    e.type,
    e.data,
  ]);
const path = (link: string) => new URL(link).pathname;

describe('responses to a campaign, the leads they make and the revenue they earn', () => {
  it('tracks clicks and opens once, refuses forged links, skips responders, and answers the ROI', async () => {
    const ana = await recipient('Ana', 'acquisition'); // a customer
    const bea = await recipient('Bea', null); // not a customer yet
    const carl = await recipient('Carl', 'retention'); // never responds
    const drafted = await marketing.request(
      'POST',
      '/campaigns',
      {
        name: 'Solar spring',
        purpose: 'offers',
        channel: 'email',
        audience: { kind: 'list', customerIds: [ana, bea, carl] },
        steps: [
          {
            subject: 'Solar for {{name}}',
            body: 'Hello {{name}}, see https://shop.example/solar?a=1&b=2.',
            waitDays: 0,
            onlyNonResponders: false,
          },
          { subject: 'Still thinking, {{name}}?', body: 'Last days.', waitDays: 2, onlyNonResponders: true },
        ],
        budget: 1000,
        cost: 100,
        currency: 'EUR',
      },
      await as(),
    );
    expect(drafted.status).toBe(201);
    const id: string = drafted.body.campaignId;
    const startAt = new Date(Date.now() + 3_600_000).toISOString();
    expect(
      (await marketing.request('POST', `/campaigns/${id}/schedule`, { startAt }, await as())).status,
    ).toBe(200);
    await mail.mailbox.clear();
    const one = sender();
    expect(await one.sendStep(id, 0)).toMatchObject({ sent: 3, completed: true });
    const inbox = await mail.mailbox.list();
    const to = (who: string) => inbox.find((m) => m.to[0].startsWith(`${who.toLowerCase()}.`))!;

    // Bea clicks the link of her mail: redirected to the shop, the click recorded, she becomes a lead
    const [click] = /http:\/\/\S+\/t\/c\/[\w-]+(?:\.[\w-]+)+/.exec(to('Bea').text)!;
    expect(to('Bea').text).not.toContain('https://shop.example');
    const clicked = await fetch(`${marketing.url}${path(click)}`, { redirect: 'manual' });
    expect(clicked.status).toBe(302);
    expect(clicked.headers.get('location')).toBe('https://shop.example/solar?a=1&b=2');
    expect(await recipientEvents(id, bea)).toEqual([
      ['CampaignMessageSent', expect.objectContaining({ step: 0 })],
      [
        'CampaignResponseRecorded',
        {
          campaignId: id,
          step: 0,
          customerId: bea,
          kind: 'click',
          url: 'https://shop.example/solar?a=1&b=2',
          respondedAt: expect.any(String),
        },
      ],
      [
        'CampaignProspectResponded',
        expect.objectContaining({
          campaignId: id,
          customerId: bea,
          kind: 'click',
          personName: 'Bea',
          interests: ['solar'],
        }),
      ],
    ]);
    expect((await fetch(`${marketing.url}${path(click)}`, { redirect: 'manual' })).status).toBe(302);
    expect(await recipientEvents(id, bea)).toHaveLength(3); // the second click records nothing

    // a forged link (another URL under the same signature, or garbage) goes nowhere
    const [c, s, u, , sig] = path(click).slice('/t/c/'.length).split('.');
    const evil = Buffer.from('https://evil.example/').toString('base64url');
    for (const forged of [`/t/c/${[c, s, u, evil, sig].join('.')}`, '/t/c/garbage', '/t/o/garbage'])
      expect(await marketing.request('GET', forged, undefined, anyone)).toMatchObject({
        status: 404,
        body: { code: 'TRACKING_LINK_INVALID' },
      });

    // Ana's mail client loads the pixel twice: one open, and no lead (she is a customer)
    const [pixel] = /http:\/\/[^"]+\/t\/o\/[\w-]+(?:\.[\w-]+)+/.exec(to('Ana').html!)!;
    for (let i = 0; i < 2; i++) {
      const opened = await fetch(`${marketing.url}${path(pixel)}`);
      expect(opened.status).toBe(200);
      expect(opened.headers.get('content-type')).toBe('image/gif');
      expect((await opened.arrayBuffer()).byteLength).toBeGreaterThan(0);
    }
    expect((await recipientEvents(id, ana)).map(([type]) => type)).toEqual([
      'CampaignMessageSent',
      'CampaignResponseRecorded',
    ]);

    // a reply recorded by hand: once; not for a step she was not sent, nor an unknown campaign
    const reply = { customerId: ana, step: 0, kind: 'reply' };
    const recorded = await marketing.request('POST', `/campaigns/${id}/responses`, reply, await as());
    expect(recorded).toMatchObject({ status: 200, body: { recorded: true, becameLead: false } });
    const again = await marketing.request('POST', `/campaigns/${id}/responses`, reply, await as());
    expect(again.body).toMatchObject({ recorded: false, respondedAt: recorded.body.respondedAt });
    expect(
      (await marketing.request('POST', `/campaigns/${id}/responses`, { ...reply, step: 1 }, await as())).body,
    ).toMatchObject({ code: 'CAMPAIGN_RESPONSE_WITHOUT_MESSAGE' });
    expect(
      (await marketing.request('POST', `/campaigns/${randomUUID()}/responses`, reply, await as())).status,
    ).toBe(404);

    // step 1 goes to the non-responders only: Carl
    await mail.mailbox.clear();
    expect(await one.sendStep(id, 1)).toMatchObject({ sent: 1, completed: true });
    expect((await mail.mailbox.list()).map((m) => m.subject)).toEqual(['Still thinking, Carl?']);
    one.close();

    // Ana wins 1000 (twice delivered): all of it to this campaign, the only one that touched her
    const [won] = publishedEvents('pipeline', `opportunity-${randomUUID()}`, [
      {
        type: 'OpportunityWon',
        data: {
          opportunityId: randomUUID(),
          accountId: randomUUID(),
          customerId: ana,
          ownerId: 'sam',
          previousStage: 'negotiation',
          openedAt: new Date().toISOString(),
          amount: 1000,
          currency: 'EUR',
          wonAt: new Date().toISOString(),
        },
      },
    ]);
    for (let i = 0; i < 2; i++)
      await marketing.runtime.db.transaction((m) => attribution.deliver('marketing-attribution', won, m));

    const roi = await marketing.request('GET', `/campaigns/${id}/roi`, undefined, await as('ada'));
    expect(roi.status).toBe(200);
    expect(roi.body).toEqual({
      campaignId: id,
      currency: 'EUR',
      cost: 100,
      revenue: { first_touch: 1000, last_touch: 1000, linear: 1000 },
      roi: { first_touch: 9, last_touch: 9, linear: 9 }, // (1000 - 100) / 100
      leads: 1, // Bea
      acquiredCustomers: 1, // Ana
      costPerLead: 100,
      costPerAcquiredCustomer: 100,
      steps: [
        // 3 sent; Ana and Bea responded (2/3); Ana won after it (1/3)
        { step: 0, sent: 3, responders: 2, converted: 1, responseRate: 0.6667, conversionRate: 0.3333 },
        { step: 1, sent: 1, responders: 0, converted: 0, responseRate: 0, conversionRate: 0 },
      ],
    });
    expect(
      (await marketing.request('GET', `/campaigns/${randomUUID()}/roi`, undefined, await as())).status,
    ).toBe(404);
  });

  it("publishes an acquired customer's response to a cross-sell campaign once for pipeline, a prospect's for leads, and neither for a customer of an acquisition campaign", async () => {
    const dora = await recipient('Dora', 'expansion'); // a customer
    const eve = await recipient('Eve', 'interest'); // not a customer yet
    const draft = async (name: string, objective: string, customerIds: string[]) => {
      const drafted = await marketing.request(
        'POST',
        '/campaigns',
        {
          name,
          objective,
          purpose: 'offers',
          channel: 'email',
          audience: { kind: 'list', customerIds },
          steps: [
            {
              subject: 'For {{name}}',
              body: 'See https://shop.example/more',
              waitDays: 0,
              onlyNonResponders: false,
            },
          ],
          budget: 100,
          cost: 10,
          currency: 'USD',
        },
        await as(),
      );
      expect(drafted.status).toBe(201);
      const id: string = drafted.body.campaignId;
      const startAt = new Date(Date.now() + 3_600_000).toISOString();
      expect(
        (await marketing.request('POST', `/campaigns/${id}/schedule`, { startAt }, await as())).status,
      ).toBe(200);
      return id;
    };
    const crossSell = await draft('Battery storage', 'cross_sell', [dora, eve]);
    const acquisition = await draft('Solar for all', 'acquisition', [dora]);
    await mail.mailbox.clear();
    const one = sender();
    expect(await one.sendStep(crossSell, 0)).toMatchObject({ sent: 2, completed: true });
    one.close();
    const inbox = await mail.mailbox.list();
    const clickOf = (who: string) =>
      path(
        /http:\/\/\S+\/t\/c\/[\w-]+(?:\.[\w-]+)+/.exec(
          inbox.find((m) => m.to[0].startsWith(`${who}.`))!.text,
        )![0],
      );

    // Dora clicks twice and replies: one expansion response, on her first
    for (let i = 0; i < 2; i++)
      expect((await fetch(`${marketing.url}${clickOf('dora')}`, { redirect: 'manual' })).status).toBe(302);
    const reply = { customerId: dora, step: 0, kind: 'reply' };
    expect(
      (await marketing.request('POST', `/campaigns/${crossSell}/responses`, reply, await as())).body,
    ).toMatchObject({ recorded: true, becameLead: false, becameOpportunity: false });
    const dorasEvents = await recipientEvents(crossSell, dora);
    expect(dorasEvents.map(([type]) => type)).toEqual([
      'CampaignMessageSent',
      'CampaignResponseRecorded',
      'CampaignExpansionResponded',
      'CampaignResponseRecorded',
    ]);
    expect(dorasEvents[2][1]).toEqual({
      campaignId: crossSell,
      campaignName: 'Battery storage',
      objective: 'cross_sell',
      step: 0,
      customerId: dora,
      kind: 'click',
      currency: 'USD',
      interests: ['solar'],
      respondedAt: expect.any(String),
    });

    // Eve, not a customer yet, is published for leads as before, and not for pipeline
    expect((await fetch(`${marketing.url}${clickOf('eve')}`, { redirect: 'manual' })).status).toBe(302);
    expect((await recipientEvents(crossSell, eve)).map(([type]) => type)).toEqual([
      'CampaignMessageSent',
      'CampaignResponseRecorded',
      'CampaignProspectResponded',
    ]);

    // Dora's click on an acquisition campaign: recorded, published for neither
    await mail.mailbox.clear();
    const two = sender();
    expect(await two.sendStep(acquisition, 0)).toMatchObject({ sent: 1, completed: true });
    two.close();
    const [acquisitionMail] = await mail.mailbox.list();
    const [click] = /http:\/\/\S+\/t\/c\/[\w-]+(?:\.[\w-]+)+/.exec(acquisitionMail.text)!;
    expect((await fetch(`${marketing.url}${path(click)}`, { redirect: 'manual' })).status).toBe(302);
    expect((await recipientEvents(acquisition, dora)).map(([type]) => type)).toEqual([
      'CampaignMessageSent',
      'CampaignResponseRecorded',
    ]);
  });
});
