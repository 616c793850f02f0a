import { randomBytes } from 'node:crypto';
import { deterministicUuid } from '@crm/contracts';
import {
  PublishedEventsReader,
  callService,
  kafkaBrokers,
  startCrossService,
  waitFor,
  type CrossService,
} from '@crm/test-support';

/**
 * Marketing on the real processes (leads, pipeline, marketing), the real broker and PostgreSQL, and
 * a real SMTP server process whose mailbox is the witness: a campaign to a segment of customers
 * with mixed consent mails exactly those allowed at send time, once each, and records the others
 * as suppressed with their reason; a click in a received message from someone who is not a
 * customer yet becomes a lead in leads with the campaign as source; once that lead is converted
 * and its opportunity won in pipeline, the campaign's ROI shows the won amount.
 */
jest.setTimeout(300_000);
/** How long a test waits for what crosses the broker (machines running other suites are slow). */
const SLOW = 90_000;

let services: CrossService;
let published: PublishedEventsReader;
beforeAll(async () => {
  services = await startCrossService({}, { marketing: { CAMPAIGN_POLL_INTERVAL_MS: '100' } });
  published = await PublishedEventsReader.follow(kafkaBrokers(), services.marketingTopic);
});
afterAll(async () => {
  await published?.stop();
  expect(await services?.stop()).toEqual(['graceful', 'graceful', 'graceful']);
});

const marketing = (method: string, path: string, body?: unknown, headers?: Record<string, string>) =>
  callService(services.marketings[0], method, path, body, headers);
const run = randomBytes(3).toString('hex');

/** A customer whose account is opened in pipeline (no lead, no lifecycle stage yet), in `country`. */
async function customer(name: string, email: string | undefined, country = 'PT') {
  const opened = await callService(services.pipeline, 'POST', '/accounts', {
    name,
    kind: 'person',
    ...(email ? { email } : {}),
    address: { street: 'Rua Augusta 1', city: 'Lisboa', postalCode: '1100-048', country },
  });
  expect(opened.status).toBe(201);
  return opened.body.id as string;
}

const offersByEmail = { purpose: 'offers', channel: 'email', source: 'web_form' };

/** E-mail consent on the basis of consent: the double opt-in link, confirmed by its POST or not. */
async function consentByEmail(customerId: string, confirm: boolean) {
  const granted = await marketing('POST', `/customers/${customerId}/consents`, {
    ...offersByEmail,
    lawfulBasis: 'consent',
  });
  expect(granted.status).toBe(201);
  expect(granted.body.outcome).toBe('double_opt_in_requested');
  if (!confirm) return;
  const link = new URL(granted.body.confirmationLink, services.marketings[0].url);
  // The customer follows the signed link: no sign-in.
  const confirmed = await marketing('POST', link.pathname, undefined, { authorization: '' });
  expect(confirmed.status).toBe(200);
  expect(confirmed.body.outcome).toBe('granted');
}

const suppressedEvents = (campaignId: string) =>
  published
    .ofType('crm.marketing.CampaignMessageSuppressed.v1')
    .map((e) => e.event.data as { campaignId: string; customerId: string; reason: string })
    .filter((d) => d.campaignId === campaignId);

describe('a campaign to a segment, end to end', () => {
  it('mails exactly the customers allowed at send time, turns a prospect’s click into a lead, and counts the win in its ROI', async () => {
    const email = (who: string) => `${who}.${run}@example.com`;
    const ana = await customer('Ana Prospect', email('ana')); // consent, double opt-in confirmed
    const bea = await customer('Bea Pending', email('bea')); // consent, link never confirmed
    const carl = await customer('Carl Withdrawn', email('carl')); // confirmed, then withdrawn
    const dora = await customer('Dora Nobody', email('dora')); // no consent at all
    const emil = await customer('Emil Interest', email('emil')); // legitimate interest: no opt-in needed
    const fay = await customer('Fay Noaddress', undefined); // allowed, but no address to mail
    const hal = await customer('Hal Elsewhere', email('hal'), 'ES'); // allowed, not in the segment

    await consentByEmail(ana, true);
    await consentByEmail(bea, false);
    await consentByEmail(carl, true);
    const withdrawn = await marketing('POST', `/customers/${carl}/consents/withdraw`, offersByEmail);
    expect(withdrawn.body.outcome).toBe('withdrawn');
    for (const id of [emil, fay, hal]) {
      const granted = await marketing('POST', `/customers/${id}/consents`, {
        ...offersByEmail,
        lawfulBasis: 'legitimate_interest',
      });
      expect(granted.body.outcome).toBe('granted');
    }

    // Every profile projected before the segment is defined: a profile projected while the
    // segment's definition is evaluated can be missed by both (see the report on issue 11).
    const inPortugal = { field: 'country', op: 'eq', value: 'PT' };
    await waitFor(
      'the profiles in marketing',
      async () => (await marketing('POST', '/segments/preview', { rule: inPortugal })).body.count === 6,
      SLOW,
    );
    const segment = await marketing('POST', '/segments', {
      name: `Portugal ${run}`,
      description: 'Customers in Portugal',
      rule: inPortugal,
    });
    expect(segment.status).toBe(201);
    const segmentId = segment.body.segmentId as string;
    const members = [ana, bea, carl, dora, emil, fay];
    await waitFor(
      'the segment’s members',
      async () => {
        const r = await marketing('GET', `/segments/${segmentId}/members`);
        const ids = (r.body.members as { customerId: string }[]).map((m) => m.customerId).sort();
        return JSON.stringify(ids) === JSON.stringify([...members].sort());
      },
      SLOW,
    );

    const drafted = await marketing('POST', '/campaigns', {
      name: `Spring offers ${run}`,
      purpose: 'offers',
      channel: 'email',
      audience: { kind: 'segment', segmentId },
      steps: [
        {
          subject: 'Spring offers for {{name}}',
          body: 'Hello {{name}},\n\nour spring offers are here: https://shop.example/spring.\n',
          waitDays: 0,
          onlyNonResponders: false,
        },
      ],
      budget: 1500,
      cost: 1000,
      currency: 'EUR',
    });
    expect(drafted.status).toBe(201);
    const campaignId = drafted.body.campaignId as string;
    const scheduled = await marketing('POST', `/campaigns/${campaignId}/schedule`, {
      startAt: new Date().toISOString(),
    });
    expect(scheduled.status).toBe(200);

    const sent = await waitFor(
      'the step sent',
      async () => {
        const r = await marketing('GET', `/campaigns/${campaignId}`);
        return r.body.stepsSent?.length === 1 ? r.body : undefined;
      },
      SLOW,
    );
    expect(sent.deliveries).toEqual([
      expect.objectContaining({ step: 0, pending: 0, sent: 2, suppressed: 4 }),
    ]);

    // The mailbox is the witness: Ana and Emil, once each, with the Message-ID of (campaign, step, customer).
    const mail = services.mail!;
    const messages = await mail.mailbox.list();
    expect(
      messages
        .map((m) => ({ to: m.envelope.rcptTo, messageId: m.messageId, receipts: m.receipts }))
        .sort((a, b) => a.to[0].localeCompare(b.to[0])),
    ).toEqual([
      { to: [email('ana')], messageId: `<${campaignId}.0.${ana}@campaigns.crm.example>`, receipts: 1 },
      { to: [email('emil')], messageId: `<${campaignId}.0.${emil}@campaigns.crm.example>`, receipts: 1 },
    ]);
    expect(await mail.mailbox.stats()).toEqual({ messages: 2, receipts: 2, duplicates: 0 });
    const toAna = messages.find((m) => m.envelope.rcptTo[0] === email('ana'))!;
    expect(toAna.subject).toBe('Spring offers for Ana Prospect');
    expect(toAna.listUnsubscribePost).toBe('List-Unsubscribe=One-Click');

    // The others are recorded suppressed, each with its reason, on crm.marketing.events.
    const reasons = await waitFor(
      'the suppressions published',
      () => {
        const events = suppressedEvents(campaignId);
        return events.length >= 4 ? events : undefined;
      },
      SLOW,
    );
    expect(Object.fromEntries(reasons.map((d) => [d.customerId, d.reason]))).toEqual({
      [bea]: 'double_opt_in_pending',
      [carl]: 'withdrawn',
      [dora]: 'no_consent',
      [fay]: 'no_address',
    });

    // Ana, not a customer yet, clicks the tracked link of her message.
    // (the anchor of the HTML part, as a mail client follows it; the text part has the same link)
    const link = /<a href="(http:\/\/127\.0\.0\.1:\d+\/t\/c\/[\w.-]+)">/.exec(toAna.html ?? '')?.[1];
    expect(link).toBeDefined();
    expect(toAna.text).toContain(link);
    const click = await fetch(link!, { redirect: 'manual' });
    expect(click.status).toBe(302);
    expect(click.headers.get('location')).toBe('https://shop.example/spring');

    // leads captures her as a lead with the campaign as its source.
    const leadId = deterministicUuid('lead-from-campaign-response', campaignId, ana);
    const lead = await waitFor(
      'the lead from the click',
      async () => {
        const r = await callService(services.leads, 'GET', `/leads/${leadId}`);
        return r.status === 200 ? r.body : undefined;
      },
      SLOW,
    );
    expect(lead).toMatchObject({
      customerId: ana,
      channel: 'campaign',
      source: { campaignId },
      email: email('ana'),
    });

    // Her lead is worked, converted and won in pipeline.
    for (const kind of ['call', 'meeting'])
      expect(
        (
          await callService(services.leads, 'POST', `/leads/${leadId}/engagements`, {
            kind,
            channel: 'phone',
          })
        ).status,
      ).toBe(201);
    expect((await callService(services.leads, 'POST', `/leads/${leadId}/qualify`)).status).toBe(200);
    expect((await callService(services.leads, 'POST', `/leads/${leadId}/convert`)).status).toBe(200);
    const opportunityId = await waitFor(
      'her opportunity in pipeline',
      async () => {
        const r = await callService(services.pipeline, 'GET', `/accounts/${ana}`);
        return r.body?.opportunities?.[0]?.opportunityId as string | undefined;
      },
      SLOW,
    );
    expect(
      (await callService(services.pipeline, 'PATCH', `/opportunities/${opportunityId}`, { amount: 4200 }))
        .status,
    ).toBe(200);
    expect(
      (await callService(services.pipeline, 'POST', `/opportunities/${opportunityId}/win`, {})).status,
    ).toBe(200);

    // The campaign touched her (the message, the click) before the win: every model gives it 4200.
    // ROI = (4200 - 1000) / 1000 = 3.2; one lead, one acquired customer: 1000 each.
    const roi = await waitFor(
      'the win attributed to the campaign',
      async () => {
        const r = await marketing('GET', `/campaigns/${campaignId}/roi`);
        return r.body.revenue?.linear === 4200 ? r.body : undefined;
      },
      SLOW,
    );
    expect(roi).toEqual({
      campaignId,
      currency: 'EUR',
      cost: 1000,
      revenue: { first_touch: 4200, last_touch: 4200, linear: 4200 },
      roi: { first_touch: 3.2, last_touch: 3.2, linear: 3.2 },
      leads: 1,
      acquiredCustomers: 1,
      costPerLead: 1000,
      costPerAcquiredCustomer: 1000,
      steps: [{ step: 0, sent: 2, responders: 1, converted: 1, responseRate: 0.5, conversionRate: 0.5 }],
    });
    expect(published.rejected).toEqual([]);
  });
});
