import type { Queryable } from '@crm/timers';

/**
 * The members of a static list when a campaign step goes out: the port a campaign's list audience
 * (`{kind: 'list', listId}`, once `CampaignDrafted` has a version that takes it) is resolved
 * through, as `SegmentMembers` resolves a segment audience (src/campaign/campaign-sender.ts).
 */
export type StaticListMembers = (listId: string) => Promise<string[]>;

/** The list's current members, from the read model `marketing.static_list_member`. */
export const currentListMembers =
  (db: Queryable): StaticListMembers =>
  async (listId) => {
    const { rows } = (await db.query(
      'select customer_id from marketing.static_list_member where list_id = $1 order by customer_id',
      [listId],
    )) as { rows: { customer_id: string }[] };
    return rows.map((r) => r.customer_id);
  };
