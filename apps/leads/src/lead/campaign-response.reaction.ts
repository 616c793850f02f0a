import { Controller, Logger } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import type { EventData } from '@crm/contracts';
import { CrmEventContext } from '@crm/messaging';
import { reactionContext } from '@crm/service-kit';
import { LeadService } from './lead.service';

/**
 * A campaign response from someone who is not a customer yet becomes a lead with the campaign as
 * its source (consumer `lead-from-campaign`, on crm.marketing.events). Exactly once however often
 * Kafka delivers the response: the consumer dedupes by event id, and a redelivery after a crash
 * finds the lead already there (its id derives from the campaign and the customer) and captures
 * nothing; the e-mail claim of that lead is its own, so claiming it again changes nothing.
 */
@Controller()
export class CampaignResponseReaction {
  private readonly logger = new Logger('lead-from-campaign');

  constructor(private readonly leads: LeadService) {}

  @EventPattern('crm.marketing.CampaignProspectResponded', { consumer: 'lead-from-campaign' })
  async responded(@Payload() response: EventData<'CampaignProspectResponded'>, @Ctx() ctx: CrmEventContext) {
    const context = reactionContext(ctx.getCloudEvent(), 'leads:lead-from-campaign');
    const outcome = await this.leads.captureFromCampaign(response, context);
    this.logger.log({
      msg: outcome.captured ? 'campaign response captured as a lead' : 'campaign response: no new lead',
      campaignId: response.campaignId,
      ...outcome,
    });
  }
}
