import { loadConfig } from '@crm/service-kit';
import { InProcessService, LocalMailServer, bearer } from '@crm/test-support';
import { DurableTimers } from '@crm/timers';
import { CampaignSender } from '../src/campaign/campaign-sender';
import { MarketingConfig } from '../src/marketing.config';
import { MarketingModule } from '../src/marketing.module';

const SECRET = 'a test secret of the consent links';
export const as = async () => ({ authorization: await bearer('max') });

/**
 * The marketing service in process (its own PostgreSQL database) sending over real SMTP: the
 * local mail server (infra/smtp) as a process of its own, its mailbox the witness; `settings`
 * beside the defaults (e.g. an `SMTP_URL` nobody listens on).
 */
export class CampaignRig {
  private constructor(
    readonly marketing: InProcessService,
    readonly mail: LocalMailServer,
    private readonly env: Record<string, string>,
  ) {}

  static async start(settings: Record<string, string> = {}): Promise<CampaignRig> {
    const mail = await LocalMailServer.start();
    const env = {
      CONSENT_LINK_SECRET: SECRET,
      SMTP_URL: mail.smtpUrl,
      CAMPAIGN_POLL_INTERVAL_MS: '50',
      ...settings,
    };
    const marketing = await InProcessService.start({
      name: 'marketing',
      Config: MarketingConfig,
      module: (config) => MarketingModule.forRoot(config),
      env,
      eventStoreSchema: 'marketing_eventstore',
    });
    return new CampaignRig(marketing, mail, env);
  }

  async stop(): Promise<void> {
    await this.marketing.stop();
    await this.mail.stop();
  }

  /** Consent for offers on a channel, its double opt-in confirmed through the signed link. */
  async grant(customerId: string, channel: string, lawfulBasis = 'consent'): Promise<void> {
    const { status, body } = await this.marketing.request(
      'POST',
      `/customers/${customerId}/consents`,
      { purpose: 'offers', channel, lawfulBasis, source: 'web_form' },
      await as(),
    );
    expect(status).toBe(201);
    if (body.confirmationLink)
      expect(
        (await this.marketing.request('POST', body.confirmationLink, undefined, { authorization: '' }))
          .status,
      ).toBe(200);
  }

  /** A row of the profile read model (what the profile projection writes from other contexts). */
  async profile(customerId: string, email: string | null, name: string): Promise<void> {
    await this.marketing.runtime.pool.query(
      `insert into marketing.customer_profile (customer_id, email, name) values ($1, $2, $3)`,
      [customerId, email, name],
    );
  }

  /** A sender beside the service's own, with the same settings (`over`: some changed). */
  sender(over: Record<string, string> = {}): CampaignSender {
    return new CampaignSender({
      pool: this.marketing.runtime.pool,
      store: this.marketing.runtime.store,
      config: loadConfig(MarketingConfig, { ...this.env, ...over }),
      timers: new DurableTimers({ pool: this.marketing.runtime.pool, schema: 'marketing' }),
    });
  }

  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the JSON the API answers
  async campaign(id: string): Promise<any> {
    return (await this.marketing.request('GET', `/campaigns/${id}`, undefined, await as())).body;
  }

  /** Drafts a one-step offers campaign to `audience` and schedules it an hour on (timers leave it). */
  async draftAndSchedule(audience: Record<string, unknown>, over: Record<string, unknown> = {}) {
    const drafted = await this.marketing.request(
      'POST',
      '/campaigns',
      {
        name: 'Offers',
        purpose: 'offers',
        channel: 'email',
        audience,
        steps: [
          { subject: 'For you, {{name}}', body: 'Hello {{name}}.', waitDays: 0, onlyNonResponders: false },
        ],
        budget: 100,
        cost: 10,
        currency: 'EUR',
        ...over,
      },
      await as(),
    );
    expect(drafted.status).toBe(201);
    const id: string = drafted.body.campaignId;
    const startAt = new Date(Date.now() + 3_600_000).toISOString();
    expect(
      (await this.marketing.request('POST', `/campaigns/${id}/schedule`, { startAt }, await as())).status,
    ).toBe(200);
    return id;
  }
}

export async function waitUntil(check: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
