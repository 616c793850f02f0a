import { Controller } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import type { EventData } from '@crm/contracts';
import type { CrmEventContext, CrmEventExtras } from '@crm/messaging';
import { returned } from '../profile/profile.queries';
import { SegmentMembershipService } from './segment-membership.service';

const SEGMENTS: CrmEventExtras = { consumer: 'marketing-segments' };

/**
 * Segments from crm.marketing.events (consumer `marketing-segments`, in the consumer's
 * transaction): definitions into `marketing.segment` (by version: an older or repeated one
 * changes nothing), and for a new version only its evaluation over every profile scheduled (done
 * in chunks outside this transaction: `SegmentEvaluation`); memberships into
 * `marketing.segment_membership` (current) and `marketing.segment_membership_history` (joined /
 * left intervals), idempotent by the revision of the customer's membership stream. A change of a
 * customer's consent evaluates the segments that test consent again.
 */
@Controller()
export class SegmentProjection {
  constructor(private readonly memberships: SegmentMembershipService) {}

  @EventPattern('crm.marketing.SegmentDefined', SEGMENTS)
  defined(@Payload() d: EventData<'SegmentDefined'>, @Ctx() ctx: CrmEventContext) {
    const { definedAt, ...definition } = d;
    return this.definition(ctx, { ...definition, at: definedAt, redefinedAt: null });
  }

  @EventPattern('crm.marketing.SegmentRedefined', SEGMENTS)
  redefined(@Payload() d: EventData<'SegmentRedefined'>, @Ctx() ctx: CrmEventContext) {
    return this.definition(ctx, { ...d, at: d.redefinedAt });
  }

  @EventPattern('crm.marketing.SegmentMemberJoined', SEGMENTS)
  async joined(@Payload() d: EventData<'SegmentMemberJoined'>, @Ctx() ctx: CrmEventContext) {
    const m = ctx.getManager();
    if (!(await this.firstTime(ctx, d.customerId))) return;
    const at = new Date(d.joinedAt);
    await m.query(
      `INSERT INTO marketing.segment_membership (segment_id, customer_id, segment_version, joined_at)
       VALUES ($1, $2, $3, $4) ON CONFLICT (segment_id, customer_id) DO NOTHING`,
      [d.segmentId, d.customerId, d.segmentVersion, at],
    );
    await m.query(
      `INSERT INTO marketing.segment_membership_history (segment_id, customer_id, segment_version, joined_at)
       VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`,
      [d.segmentId, d.customerId, d.segmentVersion, at],
    );
  }

  @EventPattern('crm.marketing.SegmentMemberLeft', SEGMENTS)
  async left(@Payload() d: EventData<'SegmentMemberLeft'>, @Ctx() ctx: CrmEventContext) {
    const m = ctx.getManager();
    if (!(await this.firstTime(ctx, d.customerId))) return;
    await m.query('DELETE FROM marketing.segment_membership WHERE segment_id = $1 AND customer_id = $2', [
      d.segmentId,
      d.customerId,
    ]);
    await m.query(
      `UPDATE marketing.segment_membership_history SET left_at = $3, left_version = $4
        WHERE segment_id = $1 AND customer_id = $2 AND left_at IS NULL`,
      [d.segmentId, d.customerId, new Date(d.leftAt), d.segmentVersion],
    );
  }

  @EventPattern('crm.marketing.ConsentGranted', SEGMENTS)
  granted(@Payload() d: EventData<'ConsentGranted'>, @Ctx() ctx: CrmEventContext) {
    return this.memberships.consentChanged(d.customerId, ctx);
  }

  @EventPattern('crm.marketing.ConsentWithdrawn', SEGMENTS)
  withdrawn(@Payload() d: EventData<'ConsentWithdrawn'>, @Ctx() ctx: CrmEventContext) {
    return this.memberships.consentChanged(d.customerId, ctx);
  }

  @EventPattern('crm.marketing.ContactSuppressed', SEGMENTS)
  suppressed(@Payload() d: EventData<'ContactSuppressed'>, @Ctx() ctx: CrmEventContext) {
    return this.memberships.consentChanged(d.customerId, ctx);
  }

  private async definition(
    ctx: CrmEventContext,
    d: Omit<EventData<'SegmentRedefined'>, 'redefinedAt'> & { at: string; redefinedAt: string | null },
  ) {
    const rows = returned(
      await ctx.getManager().query(
        `INSERT INTO marketing.segment AS s (segment_id, name, description, rule, version, defined_at, redefined_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (segment_id) DO UPDATE
          SET name = excluded.name, description = excluded.description, rule = excluded.rule,
              version = excluded.version, redefined_at = excluded.redefined_at, updated_at = now()
        WHERE s.version < excluded.version
       RETURNING 1`,
        [
          d.segmentId,
          d.name,
          d.description ?? null,
          JSON.stringify(d.rule),
          d.version,
          new Date(d.at),
          d.redefinedAt,
        ],
      ),
    );
    if (rows.length === 0) return;
    await this.memberships.segmentChanged({ segmentId: d.segmentId, version: d.version, rule: d.rule }, ctx);
  }

  /** Records the membership stream's revision; false when the projection took this event already. */
  private async firstTime(ctx: CrmEventContext, customerId: string): Promise<boolean> {
    const rows = returned(
      await ctx.getManager().query(
        `INSERT INTO marketing.segment_membership_stream AS s (customer_id, revision) VALUES ($1, $2)
       ON CONFLICT (customer_id) DO UPDATE SET revision = excluded.revision WHERE s.revision < excluded.revision
       RETURNING 1`,
        [customerId, ctx.getRevision()],
      ),
    );
    return rows.length > 0;
  }
}
