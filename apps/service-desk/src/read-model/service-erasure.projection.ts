import { Controller } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import type { EventData } from '@crm/contracts';
import type { CrmEventContext } from '@crm/messaging';
import { ERASED, maskedColumns } from '@crm/service-kit';

/** The personal columns of `service.case`: what an erasure masks. */
export const PERSONAL_CASE_COLUMNS = ['requester_name', 'requester_email', 'requester_phone', 'subject'];

/**
 * Masks what the service read model shows about an erased customer (consumer `service-erasure`,
 * on crm.leads.events): the requester's name, e-mail and phone and the subject of each of their
 * cases read `[erased]`, as the customer's events now do. Statuses, queues, clocks, ratings and
 * dates stay, so every backlog, compliance and satisfaction figure keeps its value.
 */
@Controller()
export class ServiceErasureProjection {
  @EventPattern('crm.leads.CustomerErased', { consumer: 'service-erasure' })
  async erased(@Payload() d: EventData<'CustomerErased'>, @Ctx() ctx: CrmEventContext) {
    await ctx
      .getManager()
      .query(`update service.case set ${maskedColumns(PERSONAL_CASE_COLUMNS)} where customer_id = $2`, [
        ERASED,
        d.customerId,
      ]);
  }
}
