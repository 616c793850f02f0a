import { Controller } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import type { EventData } from '@crm/contracts';
import type { CrmEventContext, CrmEventExtras } from '@crm/messaging';
import { SegmentMembershipService } from '../segment/segment-membership.service';
import { returned, type Sql } from './profile.queries';

const PROFILES: CrmEventExtras = { consumer: 'marketing-profiles' };

/**
 * A change of one column: `set` writes the value, `personal` too unless the customer was erased,
 * `add` adds it, `latest` keeps the later instant, `sql` is an expression of the parameter `$n`.
 */
export type Change =
  | [column: string, value: unknown, mode?: 'set' | 'personal' | 'add' | 'latest']
  | [column: string, value: unknown, mode: 'sql', expression: (p: string) => string];

/** The SET list of `changes`, their parameters numbered from `first`. */
export function setClause(changes: Change[], first: number): { sql: string; values: unknown[] } {
  const parts = changes.map(([column, , mode = 'set', expression], i) => {
    const p = `$${first + i}`;
    if (mode === 'personal') return `${column} = CASE WHEN erased_at IS NULL THEN ${p} ELSE ${column} END`;
    if (mode === 'add') return `${column} = ${column} + ${p}`;
    if (mode === 'latest') return `${column} = GREATEST(${column}, ${p})`;
    if (mode === 'sql') return `${column} = ${expression!(p)}`;
    return `${column} = ${p}`;
  });
  return { sql: parts.join(', '), values: changes.map(([, value]) => value) };
}

/**
 * Applies one event's changes to the customer's profile row (made when missing) unless the row
 * already took this event or a later one of the same stream (`revisions`: stream subject → last
 * revision applied); true when it changed the row.
 */
export async function applyToProfile(
  db: Sql,
  customerId: string,
  subject: string,
  revision: number,
  changes: Change[],
): Promise<boolean> {
  await db.query('INSERT INTO marketing.customer_profile (customer_id) VALUES ($1) ON CONFLICT DO NOTHING', [
    customerId,
  ]);
  const set = setClause(changes, 4);
  const rows = returned(
    await db.query(
      `UPDATE marketing.customer_profile
        SET ${set.sql}${set.sql ? ', ' : ''}revisions = revisions || jsonb_build_object($2::text, $3::int),
            updated_at = now()
      WHERE customer_id = $1 AND COALESCE((revisions ->> $2)::int, -1) < $3
      RETURNING 1`,
      [customerId, subject, revision, ...set.values],
    ),
  );
  return rows.length > 0;
}

const INTERESTS = (interests: string[]) => [...new Set(interests.map((i) => i.trim()).filter(Boolean))];

/**
 * Projects what segment rules test about each customer into `marketing.customer_profile`
 * (consumer `marketing-profiles`, inside the consumer's transaction, idempotent per stream
 * revision) from crm.leads.events, crm.pipeline.events and crm.service.events. After a change to
 * a row, the customer's memberships are evaluated again against every current segment.
 */
@Controller()
export class ProfileProjection {
  constructor(private readonly memberships: SegmentMembershipService) {}

  @EventPattern('crm.leads.LeadCaptured', PROFILES)
  captured(@Payload() d: EventData<'LeadCaptured'>, @Ctx() ctx: CrmEventContext) {
    const name = d.personName ?? d.companyName;
    return this.apply(ctx, d.customerId, [
      ...(name ? ([['name', name, 'personal']] as Change[]) : []),
      ...(d.email ? ([['email', d.email, 'personal']] as Change[]) : []),
      ['customer_type', d.customerType],
      ['interests', INTERESTS(d.interests)],
    ]);
  }

  @EventPattern('crm.leads.LeadAssigned', PROFILES)
  assigned(@Payload() d: EventData<'LeadAssigned'>, @Ctx() ctx: CrmEventContext) {
    return this.apply(ctx, ctx.getCloudEvent().customerid, [['owner_id', d.ownerId]]);
  }

  @EventPattern('crm.leads.LeadConverted', PROFILES)
  converted(@Payload() d: EventData<'LeadConverted'>, @Ctx() ctx: CrmEventContext) {
    return this.apply(ctx, d.customerId, [
      ['customer_type', d.customerType],
      ['interests', INTERESTS(d.interests)],
      ['owner_id', d.ownerId],
    ]);
  }

  @EventPattern('crm.leads.CustomerLifecycleStageReached', PROFILES)
  leadStage(@Payload() d: EventData<'CustomerLifecycleStageReached'>, @Ctx() ctx: CrmEventContext) {
    return this.stage(d, ctx);
  }

  @EventPattern('crm.pipeline.CustomerLifecycleStageReached', PROFILES)
  pipelineStage(@Payload() d: EventData<'CustomerLifecycleStageReached'>, @Ctx() ctx: CrmEventContext) {
    return this.stage(d, ctx);
  }

  @EventPattern('crm.pipeline.AccountOpened', PROFILES)
  accountOpened(@Payload() d: EventData<'AccountOpened'>, @Ctx() ctx: CrmEventContext) {
    const p = d.profile;
    return this.apply(ctx, d.customerId, [
      ['name', p.name, 'personal'],
      ...(p.email ? ([['email', p.email, 'personal']] as Change[]) : []),
      ['customer_type', p.customerType],
      ...(p.address?.country ? ([['country', p.address.country.toUpperCase()]] as Change[]) : []),
      ...(d.ownerId ? ([['owner_id', d.ownerId]] as Change[]) : []),
    ]);
  }

  @EventPattern('crm.pipeline.AccountProfileUpdated', PROFILES)
  profileUpdated(@Payload() d: EventData<'AccountProfileUpdated'>, @Ctx() ctx: CrmEventContext) {
    const c = d.changes;
    return this.apply(ctx, ctx.getCloudEvent().customerid, [
      ...(c.name ? ([['name', c.name, 'personal']] as Change[]) : []),
      ...(c.email ? ([['email', c.email, 'personal']] as Change[]) : []),
      ...(c.customerType ? ([['customer_type', c.customerType]] as Change[]) : []),
      ...(c.address ? ([['country', c.address.country?.toUpperCase() ?? null]] as Change[]) : []),
    ]);
  }

  @EventPattern('crm.pipeline.AccountWinRecorded', PROFILES)
  win(@Payload() d: EventData<'AccountWinRecorded'>, @Ctx() ctx: CrmEventContext) {
    return this.apply(ctx, ctx.getCloudEvent().customerid, [
      ['won_revenue', d.amount, 'add'],
      ['last_purchase_at', new Date(d.wonAt), 'latest'],
    ]);
  }

  @EventPattern('crm.service.CaseOpened', PROFILES)
  async caseOpened(@Payload() d: EventData<'CaseOpened'>, @Ctx() ctx: CrmEventContext) {
    if (d.caseType !== 'complaint') return;
    await ctx.getManager().query(
      `INSERT INTO marketing.customer_complaint (case_id, customer_id, open, revision)
         VALUES ($1, $2, true, $3) ON CONFLICT DO NOTHING`,
      [d.caseId, d.customerId, ctx.getRevision()],
    );
    await this.complaints(ctx, d.customerId);
  }

  @EventPattern('crm.service.CaseStatusChanged', PROFILES)
  async caseStatusChanged(@Payload() d: EventData<'CaseStatusChanged'>, @Ctx() ctx: CrmEventContext) {
    const open = d.to !== 'solved' && d.to !== 'closed';
    const [changed] = returned<{ customer_id: string }>(
      await ctx.getManager().query(
        `UPDATE marketing.customer_complaint SET open = $2, revision = $3
        WHERE case_id = $1 AND revision < $3 RETURNING customer_id`,
        [d.caseId, open, ctx.getRevision()],
      ),
    );
    // Not a complaint, or a status this complaint had taken already.
    if (changed) await this.complaints(ctx, changed.customer_id);
  }

  @EventPattern('crm.service.CaseRated', PROFILES)
  rated(@Payload() d: EventData<'CaseRated'>, @Ctx() ctx: CrmEventContext) {
    return this.apply(ctx, d.customerId, [['csat', d.score]]);
  }

  private stage(d: EventData<'CustomerLifecycleStageReached'>, ctx: CrmEventContext) {
    // Stages come from two topics: the one reached last (by its time) stands.
    const at = new Date(d.reachedAt);
    return this.apply(ctx, d.customerId, [
      [
        'lifecycle_stage',
        d.stage,
        'sql',
        (p) => `CASE WHEN lifecycle_stage_at IS NULL OR lifecycle_stage_at <= $${Number(p.slice(1)) + 1}
                 THEN ${p} ELSE lifecycle_stage END`,
      ],
      ['lifecycle_stage_at', at, 'latest'],
    ]);
  }

  /** The customer's open complaints, counted again from the complaints the projection keeps. */
  private complaints(ctx: CrmEventContext, customerId: string) {
    return this.apply(ctx, customerId, [
      [
        'open_complaints',
        customerId,
        'sql',
        (p) => `(SELECT count(*)::int FROM marketing.customer_complaint WHERE customer_id = ${p} AND open)`,
      ],
    ]);
  }

  private async apply(ctx: CrmEventContext, customerId: string, changes: Change[]) {
    const m = ctx.getManager();
    const { subject } = ctx.getCloudEvent();
    if (await applyToProfile(m, customerId, subject, ctx.getRevision(), changes))
      await this.memberships.profileChanged(customerId, ctx);
  }
}
