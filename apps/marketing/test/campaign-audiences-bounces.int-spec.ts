import { randomUUID } from 'node:crypto';
import { DurableTimers } from '@crm/timers';
import { campaignMessageId } from '../src/campaign/campaign-sender';
import { CampaignRig, as } from './campaign.given';

jest.setTimeout(90_000);

/**
 * Who a campaign reaches, and what a refusing or unreachable mail server does to a send, on real
 * SMTP (infra/smtp refuses any local part starting with `bounce` at RCPT TO: 550 5.1.1) and real
 * PostgreSQL: static lists as audiences, a hard bounce suppresses the address for good, an
 * unreachable server defers the recipients without losing or doubling anyone, and campaigns
 * stored as CampaignDrafted v1 are still sent.
 */
let rig: CampaignRig;
beforeAll(async () => {
  rig = await CampaignRig.start();
});
afterAll(() => rig?.stop());

const deliveryRows = async (campaignId: string) =>
  (
    await rig.marketing.runtime.pool.query(
      `select customer_id, status, reason, attempts, retry_at from marketing.campaign_delivery
        where campaign_id = $1 order by customer_id`,
      [campaignId],
    )
  ).rows;
const customers = (n: number) => Array.from({ length: n }, () => randomUUID());

describe('audiences', () => {
  it("a static list's members when the step goes out", async () => {
    const [ivy, jon, kim] = customers(3);
    for (const [id, name] of [
      [ivy, 'Ivy'],
      [jon, 'Jon'],
      [kim, 'Kim'],
    ]) {
      await rig.grant(id, 'email', 'legitimate_interest');
      await rig.profile(id, `${name.toLowerCase()}@example.com`, name);
    }
    const created = await rig.marketing.request('POST', '/lists', { name: 'Fair visitors' }, await as());
    expect(created.status).toBe(201);
    const listId: string = created.body.listId;
    // Ivy and Kim are members; Jon is not. Sent right away: the list's own stream is the audience,
    // not its read model (written by a consumer a moment later, and not running in this test).
    const added = await rig.marketing.request(
      'POST',
      `/lists/${listId}/members`,
      { customerIds: [ivy, kim] },
      await as(),
    );
    expect(added.status).toBe(200);
    const id = await rig.draftAndSchedule({ kind: 'list', listId }, { objective: 'retention' });
    expect(await rig.campaign(id)).toMatchObject({
      objective: 'retention',
      audience: { kind: 'list', listId },
    });

    await rig.mail.mailbox.clear();
    const sender = rig.sender();
    expect(await sender.sendStep(id, 0)).toMatchObject({ sent: 2, suppressed: 0, completed: true });
    sender.close();
    expect((await rig.mail.mailbox.list()).map((m) => m.to[0]).sort()).toEqual([
      'ivy@example.com',
      'kim@example.com',
    ]);
  });

  it('refuses a segment or list that does not exist (422 naming the field), and records nothing', async () => {
    for (const [audience, field] of [
      [{ kind: 'segment', segmentId: randomUUID() }, 'audience.segmentId'],
      [{ kind: 'list', listId: randomUUID() }, 'audience.listId'],
    ] as const) {
      const before = await rig.marketing.lastPosition();
      const drafted = await rig.marketing.request(
        'POST',
        '/campaigns',
        {
          name: 'Nobody',
          purpose: 'offers',
          channel: 'email',
          audience,
          steps: [{ subject: 'Hi', body: 'Hello', waitDays: 0, onlyNonResponders: false }],
          budget: 1,
          cost: 0,
          currency: 'EUR',
        },
        await as(),
      );
      expect(drafted.status).toBe(422);
      expect(drafted.body).toMatchObject({ code: 'CAMPAIGN_AUDIENCE_NOT_FOUND', details: { field } });
      expect(await rig.marketing.eventsAfter(before)).toEqual([]);
    }
  });

  it('sends a campaign stored as CampaignDrafted v1 (a `list` of customer ids), read as v2', async () => {
    const [lea] = customers(1);
    await rig.grant(lea, 'email', 'legitimate_interest');
    await rig.profile(lea, 'lea@example.com', 'Lea');
    const campaignId = randomUUID();
    await rig.marketing.seed({
      [`campaign-${campaignId}`]: [
        {
          type: 'CampaignDrafted',
          schemaVersion: 1,
          data: {
            campaignId,
            name: 'Old spring offers',
            purpose: 'offers',
            channel: 'email',
            audience: { kind: 'list', customerIds: [lea] },
            steps: [{ subject: 'Hi {{name}}', body: 'Hello', waitDays: 0, onlyNonResponders: false }],
            budget: 10,
            cost: 1,
            currency: 'EUR',
            draftedAt: new Date().toISOString(),
          },
        },
        {
          type: 'CampaignScheduled',
          data: { campaignId, startAt: new Date().toISOString(), scheduledAt: new Date().toISOString() },
        },
      ],
    });
    expect(await rig.campaign(campaignId)).toMatchObject({
      objective: 'acquisition',
      audience: { kind: 'customers', customerIds: [lea] },
    });
    await rig.mail.mailbox.clear();
    const sender = rig.sender();
    expect(await sender.sendStep(campaignId, 0)).toMatchObject({ sent: 1, completed: true });
    sender.close();
    expect((await rig.mail.mailbox.list()).map((m) => [m.to[0], m.subject])).toEqual([
      ['lea@example.com', 'Hi Lea'],
    ]);
  });
});

describe('a refusing or unreachable mail server', () => {
  it('records a hard bounce, suppresses the address on e-mail, and the next campaign spares it', async () => {
    const [mia, ned] = customers(2);
    for (const [id, address] of [
      [mia, 'bounce.mia@example.com'],
      [ned, 'ned@example.com'],
    ]) {
      await rig.grant(id, 'email', 'legitimate_interest');
      await rig.profile(id, address, 'Someone');
    }
    const first = await rig.draftAndSchedule({ kind: 'customers', customerIds: [mia, ned] });
    await rig.mail.mailbox.clear();
    const sender = rig.sender();
    // the bounce does not hold Ned back, and the step completes with it counted as not delivered
    expect(await sender.sendStep(first, 0)).toMatchObject({ sent: 1, suppressed: 1, completed: true });
    expect((await rig.mail.mailbox.list()).map((m) => m.to[0])).toEqual(['ned@example.com']);
    const recipient = await rig.marketing.store.readStream(`campaignRecipient-${first}-${mia}`);
    expect(recipient.map((e) => [e.type, e.data])).toEqual([
      [
        'CampaignMessageBounced',
        expect.objectContaining({
          step: 0,
          messageId: campaignMessageId(first, 0, mia),
          smtpCode: 550,
          smtpStatus: '5.1.1',
        }),
      ],
    ]);
    const ledger = await rig.marketing.store.readStream(`consent-${mia}`);
    expect(ledger.map((e) => e.type)).toContain('ContactSuppressed');
    expect(ledger.find((e) => e.type === 'ContactSuppressed')!.data).toMatchObject({
      reason: 'hard_bounce',
      channel: 'email',
    });
    expect((await deliveryRows(first)).find((r) => r.customer_id === mia)).toMatchObject({
      status: 'bounced',
      reason: '5.1.1',
    });

    const second = await rig.draftAndSchedule({ kind: 'customers', customerIds: [mia, ned] });
    expect(await sender.sendStep(second, 0)).toMatchObject({ sent: 1, suppressed: 1, completed: true });
    expect((await deliveryRows(second)).find((r) => r.customer_id === mia)).toMatchObject({
      status: 'suppressed',
      reason: 'suppressed',
    });
    sender.close();
  });

  it('defers every recipient while the server is unreachable, then sends each once when it is back', async () => {
    const [ola, pia] = customers(2);
    for (const id of [ola, pia]) {
      await rig.grant(id, 'email', 'legitimate_interest');
      await rig.profile(id, `${id}@example.com`, 'Someone');
    }
    const id = await rig.draftAndSchedule({ kind: 'customers', customerIds: [ola, pia] });
    // a port nobody listens on: connection refused
    const down = rig.sender({ SMTP_URL: 'smtp://127.0.0.1:9' });
    expect(await down.sendStep(id, 0)).toMatchObject({
      sent: 0,
      suppressed: 0,
      remaining: 2,
      completed: false,
    });
    down.close();
    const deferred = await deliveryRows(id);
    expect(deferred).toEqual([
      expect.objectContaining({ status: 'pending', attempts: 1, retry_at: expect.any(Date) }),
      expect.objectContaining({ status: 'pending', attempts: 1, retry_at: expect.any(Date) }),
    ]);
    expect(await rig.marketing.store.readStream(`campaignRecipient-${id}-${ola}`)).toEqual([]);
    // not before their retry time, even with the server back
    const up = rig.sender();
    expect(await up.sendStep(id, 0)).toMatchObject({ sent: 0, remaining: 2, completed: false });
    // their time has come
    await rig.marketing.runtime.pool.query(
      `update marketing.campaign_delivery set retry_at = now() - interval '1 second' where campaign_id = $1`,
      [id],
    );
    await rig.mail.mailbox.clear();
    expect(await up.sendStep(id, 0)).toMatchObject({ sent: 2, remaining: 0, completed: true });
    up.close();
    expect((await rig.mail.mailbox.list()).map((m) => m.to[0]).sort()).toEqual(
      [`${ola}@example.com`, `${pia}@example.com`].sort(),
    );
  });
});

describe('costs', () => {
  it('books a cost in the campaign currency onto its total; another currency or a bad amount records nothing', async () => {
    const id = await rig.draftAndSchedule({ kind: 'customers', customerIds: customers(1) });
    const book = async (body: unknown) =>
      rig.marketing.request('POST', `/campaigns/${id}/costs`, body, await as());
    const booked = await book({ amount: 120.5, currency: 'EUR', item: 'design' });
    expect(booked.status).toBe(201);
    expect(booked.body).toMatchObject({ campaignId: id, cost: 130.5 });
    const before = await rig.marketing.lastPosition();
    expect((await book({ amount: 5, currency: 'USD', item: 'ads' })).body).toMatchObject({
      code: 'CAMPAIGN_CURRENCY_MISMATCH',
    });
    const bad = await book({ amount: -1, currency: 'EUR', item: '' });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toMatch(/amount/);
    expect(JSON.stringify(bad.body)).toMatch(/item/);
    expect(await rig.marketing.eventsAfter(before)).toEqual([]);
    expect(await rig.campaign(id)).toMatchObject({ cost: 130.5 });
  });
});

describe('the throttle', () => {
  it('sends at most CAMPAIGN_SEND_PER_MINUTE a minute, each firing a short chunk, the rest when the next minute starts', async () => {
    const recipients = customers(3);
    for (const id of recipients) {
      await rig.grant(id, 'email', 'legitimate_interest');
      await rig.profile(id, `${id}@example.com`, 'Someone');
    }
    const id = await rig.draftAndSchedule({ kind: 'customers', customerIds: recipients });
    const sender = rig.sender({ CAMPAIGN_SEND_PER_MINUTE: '2' });
    const timer = async () =>
      (
        await new DurableTimers({ pool: rig.marketing.runtime.pool, schema: 'marketing' }).pending(
          'campaign-step',
        )
      ).find((t) => t.key === `${id}:0`);
    await rig.mail.mailbox.clear();

    await sender.onTimer({ campaignId: id, step: 0 }, rig.marketing.runtime.pool);
    expect(await rig.mail.mailbox.list()).toHaveLength(2);
    const first = await timer();
    expect(first?.payload).toMatchObject({ campaignId: id, step: 0, sentInWindow: 2 });
    const windowStart = Date.parse((first!.payload as { windowStart: string }).windowStart);
    expect(first!.dueAt.getTime()).toBe(windowStart + 60_000);

    // fired again within the same minute (a poller early, a replica): nothing sent, same due time
    await sender.onTimer(first!.payload as never, rig.marketing.runtime.pool);
    expect(await rig.mail.mailbox.list()).toHaveLength(2);
    expect((await timer())!.dueAt.getTime()).toBe(windowStart + 60_000);

    // the next minute: the last one, and the step is done
    await sender.onTimer(
      { campaignId: id, step: 0, windowStart: new Date(windowStart - 60_000).toISOString(), sentInWindow: 2 },
      rig.marketing.runtime.pool,
    );
    expect(await rig.mail.mailbox.list()).toHaveLength(3);
    expect((await rig.campaign(id)).stepsSent).toMatchObject([{ step: 0, sent: 3 }]);
    sender.close();
  });
});
