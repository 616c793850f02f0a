import { Controller, Logger } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { deterministicUuid, type EventData } from '@crm/contracts';
import { CrmEventContext } from '@crm/messaging';
import { reactionContext } from '@crm/service-kit';
import { AccountService } from '../account/account.service';
import { OpportunityService } from '../opportunity/opportunity.service';
import { PipelineConfig } from '../pipeline.config';

/**
 * Acquisition starts where interest ends: a converted lead becomes (or is linked to) the
 * customer's account, with the person as a contact, and an opportunity is opened for them.
 *
 * Exactly once however often Kafka delivers the conversion: the consumer dedupes by event id, and
 * should a crash come between these appends and that dedupe row, the redelivery finds the
 * account, contact and opportunity already there (their ids derive from the lead id) and the
 * deciders answer with no new events.
 */
@Controller()
export class LeadConversionReaction {
  private readonly logger = new Logger('lead-conversion');

  constructor(
    private readonly accounts: AccountService,
    private readonly opportunities: OpportunityService,
    private readonly config: PipelineConfig,
  ) {}

  /**
   * Reacts to `LeadConverted` only (consumer `lead-conversion`), read through its contract: a
   * conversion whose data breaks it, or of a version this service cannot read, never gets here
   * (it is parked as `contract-violation`), so nothing is opened for it.
   */
  @EventPattern('crm.leads.LeadConverted', { consumer: 'lead-conversion' })
  async leadConverted(@Payload() lead: EventData<'LeadConverted'>, @Ctx() ctx: CrmEventContext) {
    const context = reactionContext(ctx.getCloudEvent(), 'pipeline:lead-conversion');
    const { state: existing } = await this.accounts.load(lead.customerId);
    if (!existing) {
      await this.accounts.open(
        {
          customerId: lead.customerId,
          profile: {
            name: lead.companyName ?? lead.personName ?? 'unnamed',
            kind: lead.companyName ? 'company' : 'person',
            customerType: lead.customerType,
            ...(lead.email ? { email: lead.email } : {}),
            ...(lead.phone ? { phone: lead.phone } : {}),
            ...(lead.companySize !== undefined ? { companySize: lead.companySize } : {}),
            ...(lead.interests.length > 0 ? { psychographics: { interests: lead.interests } } : {}),
          },
          ownerId: lead.ownerId,
          fromLeadId: lead.leadId,
        },
        context,
      );
    }
    if (lead.personName) {
      await this.accounts.addContact(
        lead.customerId,
        {
          contactId: deterministicUuid('contact-from-lead', lead.leadId),
          name: lead.personName,
          ...(lead.email ? { email: lead.email } : {}),
          ...(lead.phone ? { phone: lead.phone } : {}),
          role: 'decision_maker',
        },
        context,
      );
    }
    const topic = lead.interests.length > 0 ? lead.interests.join(', ') : 'new business';
    const opened = await this.opportunities.open(
      {
        opportunityId: deterministicUuid('opportunity-from-lead', lead.leadId),
        accountId: lead.customerId,
        name: `${lead.companyName ?? lead.personName ?? 'Customer'}: ${topic}`,
        ownerId: lead.ownerId,
        currency: this.config.DEFAULT_CURRENCY,
        fromLeadId: lead.leadId,
      },
      context,
    );
    this.logger.log({
      msg: 'lead converted into an opportunity',
      leadId: lead.leadId,
      opportunityId: opened.opportunity.opened.opportunityId,
    });
  }
}
