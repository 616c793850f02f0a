import { randomBytes, randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { callService, startCrossService, waitFor, type CrossService } from '@crm/test-support';

/**
 * A 2,000-recipient campaign step, and the marketing process SIGKILLed in the middle of it (some
 * messages in the mailbox, not all), then started again: the send goes on where it stopped and
 * every allowed recipient got the message exactly once. The SMTP server's mailbox collapses a
 * message sent again with the same Message-ID, as real receivers do, and counts its receipts: only
 * the messages in flight at the kill (one per concurrent sender at most) may have been delivered
 * twice, none other.
 *
 * Consents are recorded through marketing's API (the ledger is event-sourced and read at send
 * time); the recipients' profiles, a read model, are written directly (see below).
 */
jest.setTimeout(300_000);

const RECIPIENTS = 2_000;
/** Messages in flight at once (each its own transaction): what a SIGKILL can catch between SMTP and commit. */
const CONCURRENCY = 4;
/** Every tenth recipient has no consent: suppressed (`no_consent`), never mailed. */
const allowed = (i: number) => i % 10 !== 0;

let services: CrossService;
let db: Client;
beforeAll(async () => {
  services = await startCrossService(
    {},
    // The whole step in one batch (the throttle is per minute), polled often.
    {
      marketing: {
        CAMPAIGN_SEND_PER_MINUTE: '100000',
        CAMPAIGN_SEND_CONCURRENCY: String(CONCURRENCY),
        CAMPAIGN_POLL_INTERVAL_MS: '100',
      },
    },
  );
  db = new Client({ connectionString: services.databaseUrl });
  await db.connect();
});
afterAll(async () => {
  await db?.end();
  expect(await services?.stop()).toEqual(['graceful', 'graceful', 'graceful']);
});

const marketing = (method: string, path: string, body?: unknown) =>
  callService(services.marketings[0], method, path, body);

/** Runs `task` for 0..count-1, `parallel` at a time; answers the results in order. */
async function inParallel<T>(count: number, parallel: number, task: (i: number) => Promise<T>): Promise<T[]> {
  const results: T[] = new Array(count);
  let next = 0;
  await Promise.all(
    Array.from({ length: parallel }, async () => {
      while (next < count) {
        const i = next++;
        results[i] = await task(i);
      }
    }),
  );
  return results;
}

describe('a campaign send killed in the middle', () => {
  it('mails every allowed recipient exactly once after a SIGKILL and a restart', async () => {
    const run = randomBytes(3).toString('hex');
    const email = (i: number) => `r${i}.${run}@example.com`;
    const customers = Array.from({ length: RECIPIENTS }, () => randomUUID());
    // Their profiles (the read model marketing projects from the leads and pipeline topics) are
    // written directly: 2,000 accounts through pipeline and its topic take minutes on a loaded
    // machine, and the send reads only the profile's address and name (the campaign e2e covers
    // profiles from real events).
    await db.query(
      `insert into marketing.customer_profile (customer_id, email, name)
       select unnest($1::uuid[]), unnest($2::text[]), unnest($3::text[])`,
      [customers, customers.map((_c, i) => email(i)), customers.map((_c, i) => `Recipient ${i}`)],
    );
    // Their consent through the API: the ledger is the customer's event stream, read at send time.
    await inParallel(RECIPIENTS, 16, async (i) => {
      if (!allowed(i)) return;
      const granted = await marketing('POST', `/customers/${customers[i]}/consents`, {
        purpose: 'offers',
        channel: 'email',
        lawfulBasis: 'legitimate_interest',
        source: 'web_form',
      });
      expect(granted.body.outcome).toBe('granted');
    });

    const drafted = await marketing('POST', '/campaigns', {
      name: `Autumn ${run}`,
      purpose: 'offers',
      channel: 'email',
      audience: { kind: 'list', customerIds: customers },
      steps: [{ subject: 'Autumn offers', body: 'Hello {{name}}', waitDays: 0, onlyNonResponders: false }],
      budget: 500,
      cost: 500,
      currency: 'EUR',
    });
    expect(drafted.status).toBe(201);
    const campaignId = drafted.body.campaignId as string;
    const mailbox = services.mail!.mailbox;
    expect(
      (await marketing('POST', `/campaigns/${campaignId}/schedule`, { startAt: new Date().toISOString() }))
        .status,
    ).toBe(200);

    // Killed once some, not all, are in the mailbox.
    await waitFor('the send under way', async () => (await mailbox.stats()).messages >= 200, 60_000, 20);
    expect(await services.killMarketing(0)).toBe('killed');
    const killedAt = Date.now();
    const atKill = await mailbox.stats();
    expect(atKill.messages).toBeLessThan(RECIPIENTS * 0.9);

    await services.restartMarketing(0);
    const campaign = await waitFor(
      'the step sent',
      async () => {
        const r = await marketing('GET', `/campaigns/${campaignId}`);
        return r.body.stepsSent?.length === 1 ? r.body : undefined;
      },
      120_000,
      250,
    );
    const sent = customers.filter((_c, i) => allowed(i)).length;
    expect(campaign.stepsSent).toEqual([
      expect.objectContaining({ step: 0, sent, suppressed: RECIPIENTS - sent }),
    ]);
    expect(campaign.deliveries).toEqual([
      expect.objectContaining({ step: 0, pending: 0, sent, suppressed: RECIPIENTS - sent }),
    ]);

    // The mailbox: each allowed recipient once, with the Message-ID of (campaign, step, customer).
    const messages = await mailbox.list();
    const expected = customers
      .map((customerId, i) => ({ customerId, i }))
      .filter(({ i }) => allowed(i))
      .map(({ customerId, i }) => `${email(i)} <${campaignId}.0.${customerId}@campaigns.crm.example>`)
      .sort();
    expect(messages.map((m) => `${m.envelope.rcptTo.join(',')} ${m.messageId}`).sort()).toEqual(expected);
    // Raw SMTP receipts: beyond one per message, only the messages in flight at the kill (first
    // received before it), each once more.
    const resent = messages.filter((m) => m.receipts > 1);
    expect(resent.length).toBeLessThanOrEqual(CONCURRENCY);
    for (const m of resent) {
      expect(m.receipts).toBe(2);
      expect(Date.parse(m.receivedAt)).toBeLessThanOrEqual(killedAt);
    }
    const extra = resent.length;
    expect(await mailbox.stats()).toEqual({ messages: sent, receipts: sent + extra, duplicates: extra });
    expect(services.mail!.log.filter((l) => l.msg === 'duplicate message collapsed')).toHaveLength(extra);

    // Each recipient's stream records one outcome; the campaign's step is recorded sent once.
    const { rows } = await db.query<{ type: string; streams: number; events: number }>(
      `select type, count(distinct stream_id)::int as streams, count(*)::int as events
         from marketing_eventstore.es_events
        where stream_id like $1 and type in ('CampaignMessageSent', 'CampaignMessageSuppressed')
        group by type order by type`,
      [`campaignRecipient-${campaignId}-%`],
    );
    expect(rows).toEqual([
      { type: 'CampaignMessageSent', streams: sent, events: sent },
      { type: 'CampaignMessageSuppressed', streams: RECIPIENTS - sent, events: RECIPIENTS - sent },
    ]);
    const { rows: stepSent } = await db.query<{ n: number }>(
      `select count(*)::int as n from marketing_eventstore.es_events where stream_id = $1 and type = 'CampaignStepSent'`,
      [`campaign-${campaignId}`],
    );
    expect(stepSent).toEqual([{ n: 1 }]);
  });
});
