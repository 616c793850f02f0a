import { Controller } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import type { EventData } from '@crm/contracts';
import type { CrmEventContext } from '@crm/messaging';
import { ERASED, maskedColumns } from '@crm/service-kit';

/**
 * Masks the personal columns of an erased customer's profile (consumer `marketing-erasure`, on
 * crm.leads.events): `email` and `name` read `[erased]` and stay so (`erased_at` keeps later
 * events of the profile projection from writing them again). A customer without a profile yet
 * gets a row that is erased from the start. What segments test (stage, revenue, ...) stays. Lines
 * of CSV imports holding the customer's address read `[erased]` too.
 */
@Controller()
export class ProfileErasureProjection {
  @EventPattern('crm.leads.CustomerErased', { consumer: 'marketing-erasure' })
  async erased(@Payload() d: EventData<'CustomerErased'>, @Ctx() ctx: CrmEventContext) {
    const m = ctx.getManager();
    // The address as a CSV import met it (a rejected or staged line) is masked with the profile.
    await m.query(
      `UPDATE marketing.list_import_rejection SET value = $1
        WHERE lower(value) = (SELECT lower(email) FROM marketing.customer_profile WHERE customer_id = $2)`,
      [ERASED, d.customerId],
    );
    await m.query(
      `UPDATE marketing.list_import_row SET value = $1
        WHERE lower(value) = (SELECT lower(email) FROM marketing.customer_profile WHERE customer_id = $2)`,
      [ERASED, d.customerId],
    );
    await m.query(
      `INSERT INTO marketing.customer_profile (customer_id, erased_at) VALUES ($1, $2) ON CONFLICT DO NOTHING`,
      [d.customerId, new Date(d.erasedAt)],
    );
    await m.query(
      `UPDATE marketing.customer_profile
          SET ${maskedColumns(['email', 'name'])}, erased_at = COALESCE(erased_at, $3), updated_at = now()
        WHERE customer_id = $2`,
      [ERASED, d.customerId, new Date(d.erasedAt)],
    );
  }
}
