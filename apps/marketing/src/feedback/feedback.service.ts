import { Inject, Injectable, NotFoundException } from '@nestjs/common';
import { commandTime, type CommandContext } from '@crm/contracts';
import { PLATFORM_RUNTIME, type PlatformRuntime } from '@crm/service-kit';
import { CampaignService } from '../campaign/campaign.service';
import { ConsentService } from '../consent/consent.service';
import { parseCampaignMessageId, type CampaignMessage } from './campaign-message';
import type { BounceDto, ComplaintDto } from './feedback.dto';

export type BounceOutcome =
  | (CampaignMessage & { outcome: 'bounced' | 'unchanged'; hard: true })
  | (CampaignMessage & { outcome: 'ignored'; hard: false });

/**
 * Reports of mail systems about campaign messages, by their Message-ID: a permanent bounce (5xx)
 * is recorded on the recipient and suppresses e-mail (`CampaignSender.recordBounce`); a temporary
 * one (4xx) records nothing; an abuse report suppresses e-mail (`complaint`) and withdraws the
 * e-mail consent of the campaign's purpose. Only a message the service sent is accepted.
 */
@Injectable()
export class FeedbackService {
  constructor(
    @Inject(PLATFORM_RUNTIME) private readonly runtime: PlatformRuntime,
    private readonly campaigns: CampaignService,
    private readonly consents: ConsentService,
  ) {}

  async bounce(dto: BounceDto, context: CommandContext): Promise<BounceOutcome> {
    const message = parseCampaignMessageId(dto.messageId)!;
    const status = await this.deliveryOf(message);
    if (dto.smtpCode < 500) return { ...message, outcome: 'ignored', hard: false };
    if (status === 'bounced') return { ...message, outcome: 'unchanged', hard: true };
    await this.campaigns.sender.recordBounce({
      ...message,
      smtpCode: dto.smtpCode,
      ...(dto.smtpStatus ? { smtpStatus: dto.smtpStatus } : {}),
      at: commandTime(context),
    });
    return { ...message, outcome: 'bounced', hard: true };
  }

  async complaint(dto: ComplaintDto, context: CommandContext) {
    const message = parseCampaignMessageId(dto.messageId)!;
    await this.deliveryOf(message);
    const { purpose } = await this.campaigns.get(message.campaignId);
    const feedbackType = dto.feedbackType ?? 'abuse';
    const { recorded, revision } = await this.consents.complaint(
      message.customerId,
      { purpose, note: `ARF ${feedbackType} report of ${message.messageId}` },
      context,
    );
    return {
      ...message,
      purpose,
      outcome: recorded.length > 0 ? ('recorded' as const) : ('unchanged' as const),
      recorded,
      revision,
    };
  }

  /** The send ledger's status of the message; 404 when the service never sent it. */
  private async deliveryOf({ campaignId, step, customerId, messageId }: CampaignMessage) {
    const { rows } = await this.runtime.pool.query<{ status: string }>(
      `select status from marketing.campaign_delivery
        where campaign_id = $1 and step = $2 and customer_id = $3 and status in ('sent', 'bounced')`,
      [campaignId, step, customerId],
    );
    if (!rows[0])
      throw new NotFoundException({
        statusCode: 404,
        code: 'CAMPAIGN_MESSAGE_NOT_FOUND',
        message: `no campaign message ${messageId} was sent`,
      });
    return rows[0].status;
  }
}
