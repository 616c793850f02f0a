import { Controller } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { AccountProfile, mapPersonalData, type EventData } from '@crm/contracts';
import type { CrmEventContext } from '@crm/messaging';
import { ERASED, maskedColumns } from '@crm/service-kit';

/**
 * Masks what the pipeline read model shows about an erased customer (consumer `pipeline-erasure`,
 * on crm.leads.events): names, e-mails, phones and the personal parts of the account profile read
 * `[erased]`, as the customer's events now do. Amounts, stages and dates stay, so every report
 * and forecast keeps its figures.
 */
@Controller()
export class PipelineErasureProjection {
  @EventPattern('crm.leads.CustomerErased', { consumer: 'pipeline-erasure' })
  async erased(@Payload() d: EventData<'CustomerErased'>, @Ctx() ctx: CrmEventContext) {
    const m = ctx.getManager();
    const accounts: { account_id: string; profile: unknown }[] = await m.query(
      'select account_id, profile from pipeline.account where customer_id = $1',
      [d.customerId],
    );
    for (const account of accounts)
      await m.query(
        `update pipeline.account set ${maskedColumns(['name', 'email', 'phone'])}, profile = $3
          where account_id = $2`,
        [ERASED, account.account_id, mapPersonalData(AccountProfile, account.profile, () => ERASED)],
      );
    await m.query(
      `update pipeline.contact set ${maskedColumns(['name', 'email', 'phone'])}
        where account_id in (select account_id from pipeline.account where customer_id = $2)`,
      [ERASED, d.customerId],
    );
    await m.query(
      `update pipeline.opportunity set ${maskedColumns(['name', 'lost_notes'])} where customer_id = $2`,
      [ERASED, d.customerId],
    );
  }
}
