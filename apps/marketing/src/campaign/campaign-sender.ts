import { randomUUID } from 'node:crypto';
import { createTransport, type Transporter } from 'nodemailer';
import type { Pool } from 'pg';
import {
  assertValidEvent,
  ORGANISATION_CUSTOMER_ID,
  upcastStoredEvent,
  type CampaignSuppressionReason,
} from '@crm/contracts';
import { CommandHandler } from '@crm/decider';
import type { EventStore } from '@crm/event-store';
import type { DurableTimers, Queryable } from '@crm/timers';
import { consentDecider, type ConsentCommand, type ConsentState } from '../consent/consent.decider';
import {
  CONSENT_STREAM_SCHEMA_VERSIONS,
  consentStreamId,
  type ConsentEvent,
} from '../consent/consent.events';
import { consentAt } from '../consent/consent.rules';
import type { MarketingConfig } from '../marketing.config';
import {
  campaignDecider,
  recipientDecider,
  stepDueAt,
  type CampaignCommand,
  type CampaignState,
  type RecipientCommand,
  type RecipientState,
} from './campaign.decider';
import {
  CAMPAIGN_STREAM_SCHEMA_VERSIONS,
  RECIPIENT_STREAM_SCHEMA_VERSIONS,
  campaignStreamId,
  recipientStreamId,
  type CampaignEvent,
  type RecipientEvent,
} from './campaign.events';
import { mergeFields } from './merge-fields';
import { signUnsubscribe } from './unsubscribe.link';
import { listMembersOf, type StaticListMembers } from '../list/list-members';
import { trackedMail } from '../response/tracked-mail';
import { classifySmtpFailure } from './smtp-failure';

/** The durable timer of a campaign step: key `<campaignId>:<step>`, due when the step is. */
export const CAMPAIGN_STEP_TIMER = 'campaign-step';
export const stepTimerKey = (campaignId: string, step: number) => `${campaignId}:${step}`;

/**
 * The SMTP Message-ID of a step to a recipient: derived from (campaign, step, customer), never
 * random, so a message sent again after a crash carries the same Message-ID as the first.
 */
export const campaignMessageId = (campaignId: string, step: number, customerId: string) =>
  `<${campaignId}.${step}.${customerId}@campaigns.crm.example>`;

/** Where a campaign's recipients are addressed from (the customer profile). */
export interface Recipient {
  email: string | null;
  name: string | null;
}
export interface RecipientDirectory {
  find(customerId: string): Promise<Recipient | undefined>;
}

/** The profiles' e-mail address and name, from `marketing.customer_profile` (the profile read model). */
export class PostgresRecipientDirectory implements RecipientDirectory {
  constructor(private readonly db: Queryable) {}
  async find(customerId: string): Promise<Recipient | undefined> {
    const { rows } = (await this.db.query(
      'select email, name from marketing.customer_profile where customer_id = $1',
      [customerId],
    )) as { rows: Recipient[] };
    return rows[0];
  }
}

/** The members of a segment when a step goes out. */
export type SegmentMembers = (segmentId: string) => Promise<string[]>;

/** The segment's current members, from the membership read model (`marketing.segment_membership`). */
const currentMembers =
  (pool: Pool): SegmentMembers =>
  async (segmentId) => {
    const { rows } = await pool.query<{ customer_id: string }>(
      'select customer_id from marketing.segment_membership where segment_id = $1 order by customer_id',
      [segmentId],
    );
    return rows.map((r) => r.customer_id);
  };

export interface CampaignSenderOptions {
  pool: Pool;
  store: EventStore;
  config: MarketingConfig;
  timers: DurableTimers;
  directory?: RecipientDirectory;
  segmentMembers?: SegmentMembers;
  listMembers?: StaticListMembers;
  transport?: Transporter;
  /** Who the events name as their actor. */
  actor?: string;
}

/** What a step's timer carries: the step, and how much of the current minute's rate it used. */
export interface StepTimerPayload {
  campaignId: string;
  step: number;
  /** When the current minute of the throttle started (ISO 8601). */
  windowStart?: string;
  /** Recipients attempted since then. */
  sentInWindow?: number;
}

export interface StepProgress {
  sent: number;
  suppressed: number;
  /** Recipients still pending (a later batch: the throttle). */
  remaining: number;
  /** Recipients this call sent, suppressed or deferred. */
  attempted: number;
  /** The step is done: every recipient sent or suppressed, `CampaignStepSent` recorded. */
  completed: boolean;
}

/**
 * Sends campaign steps over SMTP, once per recipient, with consent checked as each message goes.
 *
 * The send ledger `marketing.campaign_delivery` has a row per (campaign, step, customer), inserted
 * pending before anything is sent (idempotently: the primary key). Each message is its own
 * transaction: claim one pending row `FOR UPDATE SKIP LOCKED`, check consent (`consentAt`, the
 * campaign's purpose, e-mail, at now as known now) and the address, send (or not), record the
 * recipient's event, mark the row sent or suppressed, commit. While the row is locked no other
 * sender takes it; once committed, no sender ever takes it again. So:
 * - nobody is skipped: a row leaves `pending` only in the transaction that sent or suppressed it;
 *   a sender that dies mid-way rolls back and the row is claimed again later;
 * - nobody is sent twice, except in one window: the SMTP server accepted the message and the
 *   process died (or lost the database) before the commit. Then the row is still pending and the
 *   message is sent again (at least once, never lost). The resend carries the same Message-ID
 *   (`campaignMessageId`), so the duplicate is detectable (receivers that collapse by Message-ID
 *   show one), and the recipient's stream still records one `CampaignMessageSent` (its decider
 *   records each step once).
 */
export class CampaignSender {
  readonly transport: Transporter;
  private readonly campaigns: CommandHandler<CampaignCommand, CampaignState, CampaignEvent>;
  private readonly recipients: CommandHandler<RecipientCommand, RecipientState, RecipientEvent>;
  private readonly consents: CommandHandler<ConsentCommand, ConsentState, ConsentEvent>;
  private readonly directory: RecipientDirectory;
  private readonly segmentMembers: SegmentMembers;
  private readonly listMembers: StaticListMembers;
  private readonly context;

  constructor(private readonly options: CampaignSenderOptions) {
    const { store, pool, config } = options;
    // A pool of SMTP connections, one per concurrent sender: no TCP and SMTP handshake per message.
    this.transport =
      options.transport ??
      createTransport({
        url: config.SMTP_URL,
        pool: true,
        maxConnections: config.CAMPAIGN_SEND_CONCURRENCY,
        maxMessages: Infinity,
      });
    this.directory = options.directory ?? new PostgresRecipientDirectory(pool);
    this.segmentMembers = options.segmentMembers ?? currentMembers(pool);
    this.listMembers = options.listMembers ?? listMembersOf(store);
    this.context = () => ({
      commandId: randomUUID(),
      correlationId: randomUUID(),
      actor: options.actor ?? 'marketing:campaign-sender',
    });
    this.campaigns = new CommandHandler({
      store,
      decider: campaignDecider,
      schemaVersions: CAMPAIGN_STREAM_SCHEMA_VERSIONS,
      validateEvent: assertValidEvent,
      upcast: upcastStoredEvent,
      customerIdOf: () => ORGANISATION_CUSTOMER_ID,
    });
    this.recipients = new CommandHandler({
      store,
      decider: recipientDecider,
      schemaVersions: RECIPIENT_STREAM_SCHEMA_VERSIONS,
      validateEvent: assertValidEvent,
      customerIdOf: (_state, command) => command.data.customerId,
    });
    this.consents = new CommandHandler({
      store,
      decider: consentDecider,
      schemaVersions: CONSENT_STREAM_SCHEMA_VERSIONS,
      customerIdOf: (_state, command) => command.data.customerId,
    });
  }

  /**
   * A due step timer: a short chunk of the step (at most `CAMPAIGN_SEND_CHUNK_MS` of sending, and
   * no more than the per-minute rate leaves), then the timer again: at once while the minute's
   * allowance lasts, else when the next minute starts. The timer's transaction stays open while its
   * handler runs, and an open transaction holds back every event-store reader of the PostgreSQL
   * server (the relays' transaction-id fence): so it is kept to a chunk, never a whole step.
   */
  async onTimer(payload: StepTimerPayload, db: Queryable): Promise<void> {
    const { config } = this.options;
    const now = Date.now();
    const fresh = !payload.windowStart || now - Date.parse(payload.windowStart) >= 60_000;
    const windowStart = fresh ? now : Date.parse(payload.windowStart!);
    const used = fresh ? 0 : (payload.sentInWindow ?? 0);
    const next = (at: number, sentInWindow: number) =>
      this.options.timers.schedule(
        db,
        CAMPAIGN_STEP_TIMER,
        stepTimerKey(payload.campaignId, payload.step),
        new Date(at),
        {
          campaignId: payload.campaignId,
          step: payload.step,
          windowStart: new Date(windowStart).toISOString(),
          sentInWindow,
        } satisfies StepTimerPayload,
      );
    const allowance = config.CAMPAIGN_SEND_PER_MINUTE - used;
    if (allowance <= 0) return next(windowStart + 60_000, used);
    const progress = await this.sendStep(payload.campaignId, payload.step, {
      limit: allowance,
      budgetMs: config.CAMPAIGN_SEND_CHUNK_MS,
      db,
    });
    if (!progress || progress.completed) return;
    const sentInWindow = used + progress.attempted;
    await next(sentInWindow >= config.CAMPAIGN_SEND_PER_MINUTE ? windowStart + 60_000 : now, sentInWindow);
  }

  /**
   * Sends step `step` of the campaign to up to `limit` recipients not done yet; when none is left,
   * records the step sent and sets the next step's timer (through `db`, default the pool).
   * Undefined: the campaign is not scheduled, or that step is done already.
   */
  async sendStep(
    campaignId: string,
    step: number,
    {
      limit = Infinity,
      budgetMs = Infinity,
      db = this.options.pool as Queryable,
    }: { limit?: number; budgetMs?: number; db?: Queryable } = {},
  ): Promise<StepProgress | undefined> {
    const { state } = await this.campaigns.load(campaignStreamId(campaignId));
    if (state.status === 'none' || state.status === 'draft' || step >= state.steps.length) return undefined;
    if (state.stepsSent.some((s) => s.step === step)) return undefined;
    await this.addRecipients(state, step);
    // CAMPAIGN_SEND_CONCURRENCY senders claim rows side by side (SKIP LOCKED keeps them apart),
    // `limit` attempts between them, none started after `budgetMs`.
    const deadline = Date.now() + budgetMs;
    let claimed = 0;
    let attempted = 0;
    const worker = async () => {
      while (claimed < limit && Date.now() < deadline) {
        claimed++;
        if (!(await this.sendOne(state, step))) return;
        attempted++;
      }
    };
    await Promise.all(
      Array.from({ length: Math.max(1, this.options.config.CAMPAIGN_SEND_CONCURRENCY) }, worker),
    );
    const counts = await this.counts(campaignId, step);
    if (counts.remaining > 0) return { ...counts, attempted, completed: false };
    const { state: after } = await this.campaigns.handle(
      campaignStreamId(campaignId),
      {
        type: 'RecordStepSent',
        data: {
          campaignId,
          step,
          sent: counts.sent,
          suppressed: counts.suppressed,
          at: new Date().toISOString(),
        },
      },
      this.context(),
    );
    const next = stepDueAt(after, step + 1);
    if (next)
      await this.options.timers.schedule(db, CAMPAIGN_STEP_TIMER, stepTimerKey(campaignId, step + 1), next, {
        campaignId,
        step: step + 1,
      });
    return { ...counts, attempted, completed: true };
  }

  /** Sent, suppressed and pending recipients per step. */
  async deliveryCounts(campaignId: string) {
    const { rows } = await this.options.pool.query<{ step: number; status: string; count: number }>(
      `select step, status, count(*)::int as count from marketing.campaign_delivery
        where campaign_id = $1 group by step, status order by step`,
      [campaignId],
    );
    type Counts = { step: number; pending: number; sent: number; suppressed: number; bounced: number };
    const steps = new Map<number, Counts>();
    for (const { step, status, count } of rows) {
      const entry = steps.get(step) ?? { step, pending: 0, sent: 0, suppressed: 0, bounced: 0 };
      entry[status as 'pending' | 'sent' | 'suppressed' | 'bounced'] = count;
      steps.set(step, entry);
    }
    return [...steps.values()];
  }

  /**
   * A recipient's server refused the step's message for good, while sending (an SMTP 5xx) or later
   * (a bounce report naming its Message-ID): the bounce on the recipient's stream, e-mail suppressed
   * in their consent ledger (`hard_bounce`: no campaign reaches the address again), the send ledger
   * row `bounced`. Each part is idempotent, so a report delivered twice, or a retry after a crash
   * half-way, records nothing more. `db`: the transaction holding the row, if any.
   */
  async recordBounce(
    bounce: {
      campaignId: string;
      step: number;
      customerId: string;
      messageId: string;
      smtpCode?: number;
      smtpStatus?: string;
      at: string;
    },
    db: Queryable = this.options.pool,
  ): Promise<void> {
    const { campaignId, step, customerId, messageId, at } = bounce;
    await this.recipients.handle(
      recipientStreamId(campaignId, customerId),
      { type: 'RecordBounce', data: bounce },
      this.context(),
    );
    await this.consents.handle(
      consentStreamId(customerId),
      { type: 'SuppressContact', data: { customerId, reason: 'hard_bounce', channel: 'email', at } },
      this.context(),
    );
    await db.query(
      `update marketing.campaign_delivery
          set status = 'bounced', message_id = $4, attempted_at = now(), retry_at = null,
              reason = $5
        where campaign_id = $1 and step = $2 and customer_id = $3`,
      [campaignId, step, customerId, messageId, bounce.smtpStatus ?? String(bounce.smtpCode ?? 'bounced')],
    );
  }

  close(): void {
    this.transport.close();
  }

  private async counts(campaignId: string, step: number) {
    const found = (await this.deliveryCounts(campaignId)).find((s) => s.step === step);
    // A message bounced while sending was not delivered: the step counts it as suppressed.
    return {
      sent: found?.sent ?? 0,
      suppressed: (found?.suppressed ?? 0) + (found?.bounced ?? 0),
      remaining: found?.pending ?? 0,
    };
  }

  /**
   * The step's recipients as pending rows, written once by the step's first firing (one statement).
   * Only non-responders: those sent the step before who responded to no earlier step
   * (`marketing.campaign_response`).
   */
  private async addRecipients(state: Exclude<CampaignState, { status: 'none' }>, step: number) {
    const { pool } = this.options;
    const campaignId = state.campaignId;
    // One statement writes them all: once any row of the step is there, every one is.
    const { rows: written } = await pool.query(
      'select 1 from marketing.campaign_delivery where campaign_id = $1 and step = $2 limit 1',
      [campaignId, step],
    );
    if (written.length > 0) return;
    let customerIds: string[];
    if (state.steps[step].onlyNonResponders) {
      const { rows } = await pool.query<{ customer_id: string }>(
        `select d.customer_id from marketing.campaign_delivery d
          where d.campaign_id = $1 and d.step = $2 and d.status = 'sent'
            and not exists (select 1 from marketing.campaign_response r
                             where r.campaign_id = d.campaign_id and r.customer_id = d.customer_id and r.step < $3)`,
        [campaignId, step - 1, step],
      );
      customerIds = rows.map((r) => r.customer_id);
    } else if (state.audience.kind === 'customers') customerIds = state.audience.customerIds;
    else if (state.audience.kind === 'segment')
      customerIds = await this.segmentMembers(state.audience.segmentId);
    else customerIds = await this.listMembers(state.audience.listId);
    await pool.query(
      `insert into marketing.campaign_delivery (campaign_id, step, customer_id)
       select $1, $2, unnest($3::uuid[]) on conflict do nothing`,
      [campaignId, step, customerIds],
    );
  }

  /** One pending recipient of the step, in its own transaction; false when none is left to claim. */
  private async sendOne(state: Exclude<CampaignState, { status: 'none' }>, step: number): Promise<boolean> {
    const { campaignId, purpose } = state;
    const client = await this.options.pool.connect();
    try {
      await client.query('begin');
      const { rows } = await client.query<{ customer_id: string }>(
        `select customer_id from marketing.campaign_delivery
          where campaign_id = $1 and step = $2 and status = 'pending'
            and (retry_at is null or retry_at <= now())
          order by customer_id limit 1 for update skip locked`,
        [campaignId, step],
      );
      if (rows.length === 0) {
        await client.query('commit');
        return false;
      }
      const customerId = rows[0].customer_id;
      const now = new Date().toISOString();
      const { state: ledger } = await this.consents.load(consentStreamId(customerId));
      const answer = consentAt(ledger.ledger, { purpose, channel: 'email', at: now, asKnownAt: now });
      const recipient = answer.allowed ? await this.directory.find(customerId) : undefined;
      const reason: CampaignSuppressionReason | undefined = !answer.allowed
        ? answer.reason
        : recipient?.email
          ? undefined
          : 'no_address';
      const stream = recipientStreamId(campaignId, customerId);
      const base = { campaignId, step, customerId, at: now };
      if (reason) {
        await this.recipients.handle(
          stream,
          { type: 'RecordDelivery', data: { ...base, outcome: 'suppressed', reason } },
          this.context(),
        );
        await client.query(
          `update marketing.campaign_delivery set status = 'suppressed', reason = $4, attempted_at = now()
            where campaign_id = $1 and step = $2 and customer_id = $3`,
          [campaignId, step, customerId, reason],
        );
      } else {
        const messageId = campaignMessageId(campaignId, step, customerId);
        const failure = await this.mail(state, step, customerId, recipient!, messageId).then(
          () => undefined,
          classifySmtpFailure,
        );
        if (failure?.kind === 'permanent') {
          await this.recordBounce({ ...base, messageId, ...failure.smtp }, client);
          await client.query('commit');
          return true;
        }
        if (failure?.kind === 'temporary') {
          await client.query(
            `update marketing.campaign_delivery
                set attempts = attempts + 1, last_error = $4, attempted_at = now(),
                    retry_at = now() + least(interval '1 hour', interval '30 seconds' * power(2, attempts))
              where campaign_id = $1 and step = $2 and customer_id = $3`,
            [campaignId, step, customerId, failure.error.slice(0, 500)],
          );
          await client.query('commit');
          return true;
        }
        await this.recipients.handle(
          stream,
          { type: 'RecordDelivery', data: { ...base, outcome: 'sent', messageId } },
          this.context(),
        );
        await client.query(
          `update marketing.campaign_delivery set status = 'sent', message_id = $4, attempted_at = now()
            where campaign_id = $1 and step = $2 and customer_id = $3`,
          [campaignId, step, customerId, messageId],
        );
      }
      await client.query('commit');
      return true;
    } catch (error) {
      await client.query('rollback').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  private async mail(
    state: Exclude<CampaignState, { status: 'none' }>,
    step: number,
    customerId: string,
    recipient: Recipient,
    messageId: string,
  ) {
    const { config } = this.options;
    const profile = { name: recipient.name, email: recipient.email };
    const token = signUnsubscribe(config.consentLinkSecret, customerId, state.purpose);
    const base = config.CAMPAIGN_PUBLIC_URL.replace(/\/$/, '');
    const unsubscribe = `${base}/unsubscribe/${token}`;
    const body = trackedMail(mergeFields(state.steps[step].body, profile), {
      secret: config.consentLinkSecret,
      baseUrl: base,
      target: { campaignId: state.campaignId, step, customerId },
      unsubscribe,
    });
    await this.transport.sendMail({
      from: config.CAMPAIGN_FROM,
      to: recipient.email!,
      subject: mergeFields(state.steps[step].subject, profile),
      text: body.text,
      html: body.html,
      messageId,
      list: { unsubscribe: { url: unsubscribe, comment: 'Unsubscribe' } },
      headers: { 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' },
    });
  }
}
