import { Controller, Logger } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { deterministicUuid, type EventData } from '@crm/contracts';
import { CrmEventContext } from '@crm/messaging';
import { reactionContext } from '@crm/service-kit';
import { AccountService } from '../account/account.service';
import { OpportunityService } from '../opportunity/opportunity.service';

const OBJECTIVE_NAMES = { cross_sell: 'Cross-sell', up_sell: 'Up-sell' } as const;

/** The id of the opportunity a campaign opens for a customer: one per (campaign, customer). */
export const opportunityFromCampaignId = (campaignId: string, customerId: string) =>
  deterministicUuid('opportunity-from-campaign-response', campaignId, customerId);

/**
 * Expansion: an acquired customer's response to a cross-sell or up-sell campaign (marketing's
 * `CampaignExpansionResponded`, consumer `opportunity-from-campaign` on crm.marketing.events)
 * opens an opportunity for the customer's account (the account id is the customer id), owned by
 * the account's owner, in the campaign's currency, with the campaign as its source
 * (`fromCampaignId`).
 *
 * Exactly once however often Kafka delivers the response: the consumer dedupes by event id, and
 * a redelivery after a crash (or the same response published again) finds the opportunity already
 * there (its id derives from the campaign and the customer, and the decider answers an opening
 * from the same campaign with no event).
 *
 * Skipped, with a warning log (and nothing opened): a customer with no account in pipeline, or an
 * account without an owner. Marketing calls a customer acquired only once pipeline recorded their
 * first win on the account, so neither should happen; an account is not opened here, as the
 * response carries no profile to open it with.
 */
@Controller()
export class CampaignExpansionReaction {
  private readonly logger = new Logger('opportunity-from-campaign');

  constructor(
    private readonly accounts: AccountService,
    private readonly opportunities: OpportunityService,
  ) {}

  @EventPattern('crm.marketing.CampaignExpansionResponded', { consumer: 'opportunity-from-campaign' })
  async responded(@Payload() response: EventData<'CampaignExpansionResponded'>, @Ctx() ctx: CrmEventContext) {
    const { campaignId, customerId } = response;
    const opportunityId = opportunityFromCampaignId(campaignId, customerId);
    const { state: account } = await this.accounts.load(customerId);
    if (!account?.ownerId) {
      this.logger.warn({
        msg: account
          ? 'campaign expansion response: the account has no owner, no opportunity opened'
          : 'campaign expansion response: the customer has no account, no opportunity opened',
        campaignId,
        customerId,
        skipped: account ? 'account_without_owner' : 'no_account',
      });
      return;
    }
    const opened = await this.opportunities.open(
      {
        opportunityId,
        accountId: customerId,
        name: `${account.profile.name}: ${OBJECTIVE_NAMES[response.objective]} ${response.campaignName}`,
        ownerId: account.ownerId,
        currency: response.currency,
        fromCampaignId: campaignId,
      },
      reactionContext(ctx.getCloudEvent(), 'pipeline:opportunity-from-campaign'),
    );
    this.logger.log({
      msg: 'campaign expansion response: opportunity opened (or open already)',
      campaignId,
      customerId,
      opportunityId,
      revision: opened.revision,
    });
  }
}
