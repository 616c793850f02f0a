import { Controller } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import type { EventData } from '@crm/contracts';
import type { CrmEventContext } from '@crm/messaging';
import { attribute, type Touch } from './attribution';

/**
 * Attributes won revenue to campaigns (consumer `marketing-attribution`, on crm.pipeline.events):
 * an `OpportunityWon` (it carries the customer and the amount; `AccountWinRecorded` is pipeline's
 * record of the same win on the account, not counted again) is split over the campaigns that
 * touched the customer at or before `wonAt` (a message sent: `marketing.campaign_delivery`; a
 * response: `marketing.campaign_response`), by every model (`attribution.ts`), into
 * `marketing.campaign_attribution`. Exactly once: the consumer's dedupe, and the rows' key
 * (opportunity, model, campaign) for a win delivered again. A win with no touch before it adds nothing.
 */
@Controller()
export class AttributionProjection {
  @EventPattern('crm.pipeline.OpportunityWon', { consumer: 'marketing-attribution' })
  async won(@Payload() won: EventData<'OpportunityWon'>, @Ctx() ctx: CrmEventContext) {
    const m = ctx.getManager();
    const touches: Touch[] = (
      (await m.query(
        `select campaign_id, attempted_at as at from marketing.campaign_delivery
          where customer_id = $1 and status = 'sent' and attempted_at <= $2
         union all
         select campaign_id, responded_at as at from marketing.campaign_response
          where customer_id = $1 and responded_at <= $2`,
        [won.customerId, new Date(won.wonAt)],
      )) as { campaign_id: string; at: Date }[]
    ).map((r) => ({ campaignId: r.campaign_id, at: new Date(r.at).toISOString() }));
    for (const a of attribute({ amount: won.amount, wonAt: won.wonAt }, touches))
      await m.query(
        `insert into marketing.campaign_attribution
           (opportunity_id, model, campaign_id, customer_id, share, revenue, currency, won_at)
         values ($1, $2, $3, $4, $5, $6, $7, $8) on conflict do nothing`,
        [
          won.opportunityId,
          a.model,
          a.campaignId,
          won.customerId,
          a.share,
          a.revenue,
          won.currency,
          new Date(won.wonAt),
        ],
      );
  }
}
