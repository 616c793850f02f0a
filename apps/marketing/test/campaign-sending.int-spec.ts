import { randomUUID } from 'node:crypto';
import type { InProcessService, LocalMailServer } from '@crm/test-support';
import { DurableTimers } from '@crm/timers';
import { campaignMessageId } from '../src/campaign/campaign-sender';
import { CampaignRig, as, waitUntil } from './campaign.given';

jest.setTimeout(90_000);

/**
 * Campaigns sent over real SMTP (infra/smtp as a process of its own, its mailbox the witness) from
 * the marketing service in process (its own PostgreSQL database): consent checked per recipient
 * at send time, each step to each recipient once even with several senders, and the one-click
 * unsubscribe of the mail withdrawing consent for the next step.
 */
let rig: CampaignRig;
let marketing: InProcessService;
let mail: LocalMailServer;

beforeAll(async () => {
  rig = await CampaignRig.start();
  ({ marketing, mail } = rig);
});
afterAll(() => rig?.stop());

const grant = (customerId: string, channel: string, lawfulBasis?: string) =>
  rig.grant(customerId, channel, lawfulBasis);
const profile = (customerId: string, email: string | null, name: string) =>
  rig.profile(customerId, email, name);
const sender = () => rig.sender();
const campaign = (id: string) => rig.campaign(id);

describe('a list campaign over SMTP', () => {
  it('mails exactly the recipients allowed at send time, once each, and suppresses the others with the reason', async () => {
    const [ana, bea, carl, dora, emil] = [0, 1, 2, 3, 4].map(() => randomUUID());
    await grant(ana, 'email'); // confirmed double opt-in: allowed
    await grant(bea, 'email', 'legitimate_interest'); // allowed at once
    await grant(carl, 'sms'); // no e-mail consent
    await marketing.request(
      'POST',
      `/customers/${dora}/consents`,
      { purpose: 'offers', channel: 'email', lawfulBasis: 'consent', source: 'web_form' },
      await as(),
    ); // never confirmed
    await grant(emil, 'email', 'contract'); // allowed, but no address on the profile
    await profile(ana, 'ana@example.com', 'Ana');
    await profile(bea, 'bea@example.com', 'Bea');
    await profile(carl, 'carl@example.com', 'Carl');
    await profile(dora, 'dora@example.com', 'Dora');
    await profile(emil, null, 'Emil');

    const drafted = await marketing.request(
      'POST',
      '/campaigns',
      {
        name: 'Spring offers',
        purpose: 'offers',
        channel: 'email',
        audience: { kind: 'list', customerIds: [ana, bea, carl, dora, emil] },
        steps: [
          {
            subject: 'Spring offers for {{name}}',
            body: 'Hello {{name}}, spring is here.',
            waitDays: 0,
            onlyNonResponders: false,
          },
          {
            subject: 'Last days, {{name}}',
            body: 'Only a few days left.',
            waitDays: 3,
            onlyNonResponders: true,
          },
        ],
        budget: 1000,
        cost: 100,
        currency: 'EUR',
      },
      await as(),
    );
    expect(drafted.status).toBe(201);
    const id: string = drafted.body.campaignId;
    const revised = await marketing.request(
      'PUT',
      `/campaigns/${id}`,
      { ...(await campaign(id)), status: undefined },
      await as(),
    );
    expect(revised.status).toBe(400); // every field anew, nothing else

    // scheduled now: the service's own timer sends, and two more senders race it for the same step
    expect(
      (
        await marketing.request(
          'POST',
          `/campaigns/${id}/schedule`,
          { startAt: new Date().toISOString() },
          await as(),
        )
      ).status,
    ).toBe(200);
    const [one, two] = [sender(), sender()];
    await Promise.all([one.sendStep(id, 0), two.sendStep(id, 0), one.sendStep(id, 0)]);
    await waitUntil(async () => (await campaign(id)).stepsSent.length === 1);

    const inbox = await mail.mailbox.list();
    expect(inbox.map((m) => m.to[0]).sort()).toEqual(['ana@example.com', 'bea@example.com']);
    const toAna = inbox.find((m) => m.to[0] === 'ana@example.com')!;
    expect(toAna).toMatchObject({
      subject: 'Spring offers for Ana',
      messageId: campaignMessageId(id, 0, ana),
      listUnsubscribePost: 'List-Unsubscribe=One-Click',
    });
    expect(toAna.text).toContain('Hello Ana, spring is here.');
    expect(toAna.listUnsubscribe).toMatch(/^<http:\/\/127\.0\.0\.1:3004\/unsubscribe\/[^>]+>/);

    const view = await campaign(id);
    expect(view).toMatchObject({
      status: 'sending',
      deliveries: [{ step: 0, pending: 0, sent: 2, suppressed: 3 }],
    });
    expect(view.stepsSent).toMatchObject([{ step: 0, sent: 2, suppressed: 3 }]);
    const { rows } = await marketing.runtime.pool.query(
      `select customer_id, status, reason from marketing.campaign_delivery where campaign_id = $1 and step = 0`,
      [id],
    );
    const reasons = Object.fromEntries(rows.map((r) => [r.customer_id, r.reason ?? r.status]));
    expect(reasons).toEqual({
      [ana]: 'sent',
      [bea]: 'sent',
      [carl]: 'no_consent',
      [dora]: 'double_opt_in_pending',
      [emil]: 'no_address',
    });
    const events = await marketing.store.readStream(`campaignRecipient-${id}-${dora}`);
    expect(events.map((e) => [e.type, e.data])).toEqual([
      ['CampaignMessageSuppressed', expect.objectContaining({ step: 0, reason: 'double_opt_in_pending' })],
    ]);
    // a sender running the step again finds it done: nobody is mailed twice
    expect(await sender().sendStep(id, 0)).toBeUndefined();
    expect(await mail.mailbox.list()).toHaveLength(2);

    // Ana clicks the one-click unsubscribe (RFC 8058 POST); the next step (3 days on) skips her
    const link = new URL(/<([^>]+)>/.exec(toAna.listUnsubscribe!)![1]);
    // as a mail client does it: the form body RFC 8058 prescribes, no sign-in
    const oneClick = (path: string, body: string) =>
      fetch(`${marketing.url}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body,
      });
    expect((await oneClick(link.pathname, 'List-Unsubscribe=Maybe')).status).toBe(400);
    expect((await oneClick('/campaigns', 'List-Unsubscribe=One-Click')).status).toBe(415);
    const unsubscribed = await oneClick(link.pathname, 'List-Unsubscribe=One-Click');
    expect(unsubscribed.status).toBe(200);
    expect(await unsubscribed.json()).toMatchObject({
      customerId: ana,
      outcome: 'withdrawn',
      channel: 'email',
    });
    expect(
      (await marketing.request('POST', `/unsubscribe/${ana}.offers.forged`, undefined, { authorization: '' }))
        .status,
    ).toBe(404);
    // step 1 waits for its timer, 3 days after step 0 was done (a batch timer of step 0 may remain: it finds it done)
    const timers = await new DurableTimers({ pool: marketing.runtime.pool, schema: 'marketing' }).pending(
      'campaign-step',
    );
    const timer = timers.find((t) => t.key === `${id}:1`)!;
    expect(timer).toBeDefined();
    expect(timer.dueAt.getTime() - Date.parse(view.stepsSent[0].sentAt)).toBe(3 * 86_400_000);

    await mail.mailbox.clear();
    expect(await one.sendStep(id, 1)).toMatchObject({ sent: 1, suppressed: 1, completed: true });
    const second = await mail.mailbox.list();
    expect(second.map((m) => [m.to[0], m.subject])).toEqual([['bea@example.com', 'Last days, Bea']]);
    expect((await campaign(id)).status).toBe('sent');
    for (const s of [one, two]) s.close();
  });
});

describe('a segment campaign', () => {
  it('mails the segment’s members when the step goes out', async () => {
    const [fay, gil, hal] = [0, 1, 2].map(() => randomUUID());
    for (const [id, email, name] of [
      [fay, 'fay@example.com', 'Fay'],
      [gil, 'gil@example.com', 'Gil'],
      [hal, 'hal@example.com', 'Hal'],
    ]) {
      await grant(id, 'email', 'legitimate_interest');
      await profile(id, email, name);
    }
    // Fay and Gil are members (the membership read model, written here), Hal is not.
    const defined = await marketing.request(
      'POST',
      '/segments',
      { name: 'Members only', rule: { field: 'country', op: 'eq', value: 'ZZ' } },
      await as(),
    );
    expect(defined.status).toBe(201);
    const segmentId: string = defined.body.segmentId;
    for (const member of [fay, gil])
      await marketing.runtime.pool.query(
        `insert into marketing.segment_membership (segment_id, customer_id, segment_version, joined_at)
         values ($1, $2, 1, now()) on conflict do nothing`,
        [segmentId, member],
      );
    const drafted = await marketing.request(
      'POST',
      '/campaigns',
      {
        name: 'Members only',
        purpose: 'offers',
        channel: 'email',
        audience: { kind: 'segment', segmentId },
        steps: [
          { subject: 'For you, {{name}}', body: 'Hello {{name}}.', waitDays: 0, onlyNonResponders: false },
        ],
        budget: 100,
        cost: 10,
        currency: 'EUR',
      },
      await as(),
    );
    expect(drafted.status).toBe(201);
    const id: string = drafted.body.campaignId;
    const at = { startAt: new Date(Date.now() + 3_600_000).toISOString() };
    expect((await marketing.request('POST', `/campaigns/${id}/schedule`, at, await as())).status).toBe(200);
    await mail.mailbox.clear();
    const one = sender();
    expect(await one.sendStep(id, 0)).toMatchObject({ sent: 2, suppressed: 0, completed: true });
    one.close();
    const inbox = await mail.mailbox.list();
    expect(inbox.map((m) => [m.to[0], m.subject]).sort()).toEqual([
      ['fay@example.com', 'For you, Fay'],
      ['gil@example.com', 'For you, Gil'],
    ]);
  });
});
