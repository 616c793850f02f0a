import { randomUUID } from 'node:crypto';
import {
  Inject,
  Injectable,
  Logger,
  NotFoundException,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import {
  assertValidEvent,
  commandTime,
  ORGANISATION_CUSTOMER_ID,
  upcastStoredEvent,
  type CommandContext,
} from '@crm/contracts';
import { CommandHandler, notFound, ruleBroken } from '@crm/decider';
import { PLATFORM_RUNTIME, type PlatformRuntime } from '@crm/service-kit';
import { DurableTimers } from '@crm/timers';
import { ConsentService } from '../consent/consent.service';
import { MarketingConfig } from '../marketing.config';
import { CAMPAIGN_STEP_TIMER, CampaignSender, stepTimerKey, type StepTimerPayload } from './campaign-sender';
import { campaignDecider, type CampaignCommand, type CampaignState } from './campaign.decider';
import { audienceOf, type CampaignDto } from './campaign.dto';
import { CAMPAIGN_STREAM_SCHEMA_VERSIONS, campaignStreamId, type CampaignEvent } from './campaign.events';
import { listStreamId } from '../list/list.events';
import { segmentStreamId } from '../segment/segment.events';
import { verifyUnsubscribe } from './unsubscribe.link';

/**
 * Campaigns over HTTP (draft, revise, schedule, read) and their sending: each step a durable timer
 * (table `marketing.durable_timers`, kind `campaign-step`) polled by every replica; a due step is
 * sent by `CampaignSender` in throttled batches; the one-click unsubscribe withdraws consent.
 */
@Injectable()
export class CampaignService implements OnApplicationBootstrap, OnApplicationShutdown {
  readonly timers: DurableTimers;
  readonly sender: CampaignSender;
  private readonly handler: CommandHandler<CampaignCommand, CampaignState, CampaignEvent>;
  private readonly logger = new Logger('campaigns');
  private readonly pool: PlatformRuntime['pool'];
  private readonly store: PlatformRuntime['store'];

  constructor(
    @Inject(PLATFORM_RUNTIME) runtime: PlatformRuntime,
    private readonly config: MarketingConfig,
    private readonly consents: ConsentService,
  ) {
    this.pool = runtime.pool;
    this.store = runtime.store;
    this.timers = new DurableTimers({
      pool: runtime.pool,
      schema: 'marketing',
      kinds: [CAMPAIGN_STEP_TIMER],
      pollIntervalMs: config.CAMPAIGN_POLL_INTERVAL_MS,
      batchSize: 10,
      onError: (error, timer) =>
        this.logger.warn({
          msg: 'campaign step failed; tried again later',
          timer: timer?.key,
          error: String(error),
        }),
    });
    this.sender = new CampaignSender({
      pool: runtime.pool,
      store: runtime.store,
      config,
      timers: this.timers,
    });
    this.handler = new CommandHandler({
      store: runtime.store,
      decider: campaignDecider,
      schemaVersions: CAMPAIGN_STREAM_SCHEMA_VERSIONS,
      validateEvent: assertValidEvent,
      upcast: upcastStoredEvent,
      customerIdOf: () => ORGANISATION_CUSTOMER_ID,
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.timers.migrate();
    this.timers.start((timer, db) => this.sender.onTimer(timer.payload as StepTimerPayload, db));
  }

  async onApplicationShutdown(): Promise<void> {
    await this.timers.stop();
    this.sender.close();
  }

  /**
   * What the decider is given: the audience as the contract has it, the objective (default
   * `acquisition`). A segment or list that does not exist is the caller's mistake (422), not an
   * empty audience found when the step goes out.
   */
  private async contentOf(dto: CampaignDto) {
    const audience = audienceOf(dto.audience);
    const [stream, field] =
      audience.kind === 'segment'
        ? [segmentStreamId(audience.segmentId), 'audience.segmentId']
        : audience.kind === 'list'
          ? [listStreamId(audience.listId), 'audience.listId']
          : [undefined, undefined];
    if (stream && (await this.store.readStream(stream, { maxCount: 1 })).length === 0)
      throw ruleBroken(
        'CAMPAIGN_AUDIENCE_NOT_FOUND',
        `no ${audience.kind} ${stream.slice(stream.indexOf('-') + 1)}`,
        {
          field,
        },
      );
    return { ...dto, objective: dto.objective ?? ('acquisition' as const), audience };
  }

  async draft(dto: CampaignDto, context: CommandContext) {
    const campaignId = randomUUID();
    const data = { ...(await this.contentOf(dto)), campaignId, at: commandTime(context) };
    const { revision } = await this.handler.handle(
      campaignStreamId(campaignId),
      { type: 'DraftCampaign', data },
      context,
      { newStream: true },
    );
    return { campaignId, revision };
  }

  async revise(campaignId: string, dto: CampaignDto, context: CommandContext, expectedRevision?: number) {
    const data = { ...(await this.contentOf(dto)), campaignId, at: commandTime(context) };
    const { revision } = await this.handler.handle(
      campaignStreamId(campaignId),
      { type: 'ReviseCampaign', data },
      context,
      { expectedRevision },
    );
    return { campaignId, revision };
  }

  async recordCost(
    campaignId: string,
    cost: { amount: number; currency: string; item: string },
    context: CommandContext,
    expectedRevision?: number,
  ) {
    const { revision, state } = await this.handler.handle(
      campaignStreamId(campaignId),
      { type: 'RecordCost', data: { campaignId, ...cost, at: commandTime(context) } },
      context,
      { expectedRevision },
    );
    return { campaignId, revision, cost: state.status === 'none' ? 0 : state.cost };
  }

  /** Records the schedule, then sets the first step's timer (a crash between them: schedule again). */
  async schedule(campaignId: string, startAt: string, context: CommandContext) {
    const { revision } = await this.handler.handle(
      campaignStreamId(campaignId),
      {
        type: 'ScheduleCampaign',
        data: { campaignId, startAt: new Date(startAt).toISOString(), at: commandTime(context) },
      },
      context,
    );
    await this.timers.schedule(
      this.pool,
      CAMPAIGN_STEP_TIMER,
      stepTimerKey(campaignId, 0),
      new Date(startAt),
      {
        campaignId,
        step: 0,
      },
    );
    this.timers.nudge();
    return { campaignId, revision };
  }

  async get(campaignId: string) {
    const { state, revision } = await this.handler.load(campaignStreamId(campaignId));
    if (state.status === 'none') throw notFound('CAMPAIGN_NOT_FOUND', `no campaign ${campaignId}`);
    return { ...state, revision, deliveries: await this.sender.deliveryCounts(campaignId) };
  }

  /** The recipient's one-click unsubscribe: their e-mail consent for the campaign's purpose withdrawn. */
  async unsubscribe(token: string, context: CommandContext) {
    const link = verifyUnsubscribe(this.config.consentLinkSecret, token);
    if (!link)
      throw new NotFoundException({
        statusCode: 404,
        code: 'UNSUBSCRIBE_LINK_INVALID',
        message: 'this unsubscribe link is not valid',
      });
    return this.consents.withdraw(
      link.customerId,
      { purpose: link.purpose, channel: 'email', source: 'unsubscribe_link' },
      context,
    );
  }
}
