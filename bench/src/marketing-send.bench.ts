import { randomUUID } from 'node:crypto';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { createTransport } from 'nodemailer';
import { assertValidEvent } from '@crm/contracts';
import { PostgresEventStore } from '@crm/event-store';
import { LocalMailServer, callService, waitFor } from '@crm/test-support';
import { inParallel, startMarketing, waitForQuiet, type MarketingRun } from './marketing-process';
import { round } from './stats';

export interface CampaignSendFigures {
  recipients: number;
  /** CAMPAIGN_SEND_CONCURRENCY given to the process (BENCH_CAMPAIGN_CONCURRENCY, default 4 as the service). */
  concurrency: string;
  seedSeconds: number;
  /** Relay and consumers taking the seeded consents, before the send. */
  drainBeforeSendSeconds: number;
  /** From the step's due time to the last message the SMTP server received. */
  sendSeconds: number;
  /** Messages received / sendSeconds: the whole step (recipients listed, consent, SMTP, ledger, events). */
  messagesPerSecond: number;
  /** From the first message received to the last: the steady rate. */
  steadyMessagesPerSecond: number;
  /** From the due time until `CampaignStepSent` was recorded. */
  stepDoneSeconds: number;
  ledger: { sent: number; suppressed: number; bounced: number; pending: number };
  mailbox: {
    /** Distinct Message-IDs of the campaign in the mailbox. */
    messages: number;
    /** SMTP deliveries of them (a file's `receipts`, 1 where the server keeps no such count). */
    deliveries: number;
    /** Deliveries beyond one per Message-ID (files and receipts counted): must be 0. */
    duplicates: number;
    /** Sent in the ledger, not in the mailbox; and in the mailbox, not sent in the ledger. */
    missing: number;
    unexpected: number;
  };
  baseline: SmtpBaseline[];
  /** messagesPerSecond / the first baseline's messages/s. */
  ratio: number;
}

export interface SmtpBaseline {
  what: string;
  messages: number;
  connections: number;
  messagesPerSecond: number;
}

const BODY =
  'Hello {{name}}, our spring offers are here: https://shop.crm.example/spring?src=mail. See you soon.';
const SEGMENT_RULE = { field: 'country', op: 'eq', value: 'ZZ' };

async function expectStatus(what: string, response: { status: number; body: unknown }, status: number) {
  if (response.status !== status)
    throw new Error(`${what} answered ${response.status}: ${JSON.stringify(response.body)}`);
  return response.body as Record<string, unknown>;
}

/**
 * The audience, seeded directly (the figure is the send, not the seeding): `recipients` profiles
 * with an address, members of one segment, each with an e-mail consent for `offers` on the basis
 * of legitimate interest (allowed at once) as `ConsentGranted` appended to the service's event
 * store through its API, as the consent decider would record it (so the relay publishes them and
 * the sender's consent check folds a real ledger stream per recipient).
 */
async function seed(run: MarketingRun, segmentId: string, recipients: number): Promise<string[]> {
  const customers = Array.from({ length: recipients }, () => randomUUID());
  for (let from = 0; from < recipients; from += 5000) {
    const ids = customers.slice(from, from + 5000);
    await run.pool.query(
      `insert into marketing.customer_profile (customer_id, email, name, country)
       select id, 'bench.' || n || '@example.com', 'Customer ' || n, 'ZZ'
         from unnest($1::uuid[]) with ordinality as t(id, n)`,
      [ids],
    );
    await run.pool.query(
      `insert into marketing.segment_membership (segment_id, customer_id, segment_version, joined_at)
       select $2, id, 1, now() from unnest($1::uuid[]) as t(id)`,
      [ids, segmentId],
    );
  }
  const store = new PostgresEventStore({ pool: run.pool, schema: 'marketing_eventstore' });
  const at = new Date().toISOString();
  await inParallel(recipients, 8, async (i) => {
    const customerId = customers[i];
    const data = {
      customerId,
      purpose: 'offers',
      channel: 'email',
      lawfulBasis: 'legitimate_interest',
      source: 'import',
      evidence: { formVersion: 'bench-1' },
      effectiveAt: at,
      recordedAt: at,
    };
    if (i === 0) assertValidEvent('ConsentGranted', 1, data);
    await store.append(
      `consent-${customerId}`,
      [
        {
          id: randomUUID(),
          type: 'ConsentGranted',
          data,
          metadata: {
            customerId,
            correlationId: randomUUID(),
            causationId: randomUUID(),
            schemaVersion: 1,
            occurredAt: at,
            actor: 'bench:seed',
          },
        },
      ],
      'no_stream',
    );
  });
  return customers;
}

interface StoredMail {
  messageId: string | null;
  receivedAt: string;
  receipts?: number;
  text: string;
  html: string | null;
  subject: string;
}

/** Every message file of the mailbox folder, read raw (not through the server's reader). */
async function readMailbox(dir: string): Promise<StoredMail[]> {
  const names = (await readdir(dir)).filter((n) => /^\d{13}-[0-9a-f]{12}\.json$/.test(n));
  const messages: StoredMail[] = [];
  await inParallel(names.length, 32, async (i) => {
    messages.push(JSON.parse(await readFile(join(dir, names[i]), 'utf8')) as StoredMail);
  });
  return messages;
}

/** Raw nodemailer to the same server, no ledger: `messages` sends of the campaign's own message. */
async function smtpBaseline(
  smtpUrl: string,
  sample: StoredMail,
  messages: number,
  connections: number,
  pooled: boolean,
): Promise<SmtpBaseline> {
  const transport = pooled
    ? createTransport({ url: smtpUrl, pool: true, maxConnections: connections, maxMessages: Infinity })
    : createTransport(smtpUrl);
  const started = performance.now();
  await inParallel(messages, connections, async (i) => {
    await transport.sendMail({
      from: 'CRM Marketing <marketing@crm.example>',
      to: `baseline.${i}@example.com`,
      subject: sample.subject,
      text: sample.text,
      html: sample.html ?? undefined,
      messageId: `<baseline.${i}.${randomUUID()}@bench.crm.example>`,
      list: { unsubscribe: { url: 'http://127.0.0.1:3004/unsubscribe/x', comment: 'Unsubscribe' } },
      headers: { 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' },
    });
  });
  const seconds = (performance.now() - started) / 1000;
  transport.close();
  return {
    what: pooled
      ? `pooled transport, ${connections} connections`
      : `a connection per message, ${connections} at once`,
    messages,
    connections,
    messagesPerSecond: round(messages / seconds, 0),
  };
}

const progress = (what: string) => console.error(`[marketing-send] ${new Date().toISOString()} ${what}`);

/**
 * A campaign step to `recipients` customers of a segment, sent by a real marketing process to a
 * private SMTP server process (infra/smtp, its own ports and mailbox folder): messages per second
 * from the step's due time to the last message received, and duplicates counted per Message-ID in
 * the raw mailbox files (with their receipts). Then raw nodemailer sends of the same message to the
 * same server, without the ledger, as the baseline of the same run.
 */
export async function benchCampaignSend(recipients: number): Promise<CampaignSendFigures> {
  // The service's default (CAMPAIGN_SEND_CONCURRENCY 4), given explicitly: the baseline uses as many connections.
  const concurrency = process.env.BENCH_CAMPAIGN_CONCURRENCY ?? '4';
  const mail = await LocalMailServer.start();
  let run: MarketingRun | undefined;
  try {
    run = await startMarketing('crm_bench_mkt_send', {
      SMTP_URL: mail.smtpUrl,
      CAMPAIGN_SEND_PER_MINUTE: '100000',
      CAMPAIGN_POLL_INTERVAL_MS: '100',
      CAMPAIGN_SEND_CONCURRENCY: concurrency,
    });
    const segment = await expectStatus(
      'defining the segment',
      await callService(run.service, 'POST', '/segments', { name: 'Bench audience', rule: SEGMENT_RULE }),
      201,
    );
    const segmentId = String(segment.segmentId);
    // Defined (and evaluated over no profile yet) before the audience is seeded.
    await waitForQuiet(run, 'the segment to be projected', 60_000, 100);
    const seedStarted = performance.now();
    progress(`seeding ${recipients} recipients`);
    await seed(run, segmentId, recipients);
    const seedSeconds = (performance.now() - seedStarted) / 1000;
    const drainStarted = performance.now();
    progress('waiting for the relay and consumers to take the seeded consents');
    await waitForQuiet(run, 'the seeded consents to be published and consumed', 3_600_000, 500, progress);
    const drainBeforeSendSeconds = (performance.now() - drainStarted) / 1000;

    const drafted = await expectStatus(
      'drafting the campaign',
      await callService(run.service, 'POST', '/campaigns', {
        name: 'Bench spring offers',
        purpose: 'offers',
        channel: 'email',
        audience: { kind: 'segment', segmentId },
        steps: [{ subject: 'Spring offers for {{name}}', body: BODY, waitDays: 0, onlyNonResponders: false }],
        budget: 1000,
        cost: 100,
        currency: 'EUR',
      }),
      201,
    );
    const campaignId = String(drafted.campaignId);
    const dueAt = new Date(Date.now() + 2000);
    await expectStatus(
      'scheduling the campaign',
      await callService(run.service, 'POST', `/campaigns/${campaignId}/schedule`, {
        startAt: dueAt.toISOString(),
      }),
      200,
    );
    progress(`campaign ${campaignId} due at ${dueAt.toISOString()}`);
    let lastReport = Date.now();
    await waitFor(
      'the step to be sent',
      async () => {
        const { rows } = await run!.pool.query<{ n: string }>(
          `select count(*) as n from marketing_eventstore.es_events
            where type = 'CampaignStepSent' and stream_id = $1`,
          [`campaign-${campaignId}`],
        );
        if (Date.now() - lastReport > 30_000) {
          lastReport = Date.now();
          const { rows: done } = await run!.pool.query<{ n: string }>(
            `select count(*) as n from marketing.campaign_delivery where campaign_id = $1 and status <> 'pending'`,
            [campaignId],
          );
          progress(`${done[0].n} of ${recipients} done`);
        }
        return Number(rows[0].n) > 0;
      },
      Math.max(1_800_000, recipients * 100),
      250,
    );
    const stepDoneSeconds = (Date.now() - dueAt.getTime()) / 1000;

    const { rows: ledgerRows } = await run.pool.query<{ status: string; message_id: string | null }>(
      'select status, message_id from marketing.campaign_delivery where campaign_id = $1',
      [campaignId],
    );
    const ledger = { sent: 0, suppressed: 0, bounced: 0, pending: 0 };
    for (const r of ledgerRows) ledger[r.status as keyof typeof ledger]++;
    const sentIds = new Set(ledgerRows.filter((r) => r.status === 'sent').map((r) => r.message_id));

    progress('counting the mailbox');
    const inbox = await readMailbox(mail.mailboxDir);
    const byId = new Map<string, number>();
    let deliveries = 0;
    const received: number[] = [];
    for (const m of inbox) {
      if (!m.messageId?.endsWith('@campaigns.crm.example>')) continue;
      const receipts = m.receipts ?? 1;
      deliveries += receipts;
      byId.set(m.messageId, (byId.get(m.messageId) ?? 0) + receipts);
      received.push(Date.parse(m.receivedAt));
    }
    const last = Math.max(...received);
    const first = Math.min(...received);
    const sendSeconds = (last - dueAt.getTime()) / 1000;
    const messages = byId.size;

    const sample = inbox.find((m) => m.messageId?.endsWith('@campaigns.crm.example>'))!;
    const baselineMessages = Number(process.env.BENCH_SMTP_BASELINE_MESSAGES ?? Math.min(recipients, 5000));
    const connections = Number(concurrency);
    progress('raw nodemailer baselines');
    const baseline = [
      await smtpBaseline(mail.smtpUrl, sample, baselineMessages, connections, true),
      // What the sender did before its transport was pooled (fewer: it is slow).
      await smtpBaseline(mail.smtpUrl, sample, Math.min(baselineMessages, 500), connections, false),
    ];
    const messagesPerSecond = round(messages / sendSeconds, 1);
    return {
      recipients,
      concurrency,
      seedSeconds: round(seedSeconds),
      drainBeforeSendSeconds: round(drainBeforeSendSeconds),
      sendSeconds: round(sendSeconds),
      messagesPerSecond,
      steadyMessagesPerSecond: round((messages - 1) / ((last - first) / 1000), 1),
      stepDoneSeconds: round(stepDoneSeconds),
      ledger,
      mailbox: {
        messages,
        deliveries,
        duplicates: deliveries - messages,
        missing: [...sentIds].filter((id) => id === null || !byId.has(id)).length,
        unexpected: [...byId.keys()].filter((id) => !sentIds.has(id)).length,
      },
      baseline,
      ratio: round(messagesPerSecond / baseline[0].messagesPerSecond, 3),
    };
  } finally {
    await run?.stop();
    await mail.stop(); // removes the mailbox folder
  }
}
