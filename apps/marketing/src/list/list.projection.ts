import { Controller } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import type { EventData } from '@crm/contracts';
import type { CrmEventContext, CrmEventExtras } from '@crm/messaging';
import { returned } from '../profile/profile.queries';

const LISTS: CrmEventExtras = { consumer: 'marketing-lists' };

/**
 * Static lists from crm.marketing.events (consumer `marketing-lists`, in the consumer's
 * transaction): `marketing.static_list` and its members `marketing.static_list_member`,
 * idempotent by the revision of the list's stream (an event delivered again or late changes nothing).
 */
@Controller()
export class ListProjection {
  @EventPattern('crm.marketing.StaticListCreated', LISTS)
  async created(@Payload() d: EventData<'StaticListCreated'>, @Ctx() ctx: CrmEventContext) {
    await ctx.getManager().query(
      `INSERT INTO marketing.static_list (list_id, name, description, created_at, revision)
       VALUES ($1, $2, $3, $4, $5) ON CONFLICT (list_id) DO NOTHING`,
      [d.listId, d.name, d.description ?? null, new Date(d.createdAt), ctx.getRevision()],
    );
  }

  @EventPattern('crm.marketing.StaticListMembersAdded', LISTS)
  async added(@Payload() d: EventData<'StaticListMembersAdded'>, @Ctx() ctx: CrmEventContext) {
    if (!(await this.firstTime(ctx, d.listId))) return;
    await ctx.getManager().query(
      `INSERT INTO marketing.static_list_member (list_id, customer_id, added_at, import_id)
       SELECT $1, unnest($2::uuid[]), $3, $4 ON CONFLICT DO NOTHING`,
      [d.listId, d.customerIds, new Date(d.addedAt), d.import?.importId ?? null],
    );
  }

  @EventPattern('crm.marketing.StaticListMembersRemoved', LISTS)
  async removed(@Payload() d: EventData<'StaticListMembersRemoved'>, @Ctx() ctx: CrmEventContext) {
    if (!(await this.firstTime(ctx, d.listId))) return;
    await ctx
      .getManager()
      .query(
        'DELETE FROM marketing.static_list_member WHERE list_id = $1 AND customer_id = any($2::uuid[])',
        [d.listId, d.customerIds],
      );
  }

  /** Records the list stream's revision; false when the projection took this event already. */
  private async firstTime(ctx: CrmEventContext, listId: string): Promise<boolean> {
    const rows = returned(
      await ctx.getManager().query(
        `UPDATE marketing.static_list SET revision = $2, updated_at = now() WHERE list_id = $1 AND revision < $2
         RETURNING 1`,
        [listId, ctx.getRevision()],
      ),
    );
    return rows.length > 0;
  }
}
