import { Controller } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import type { EntityManager } from 'typeorm';
import type { EventData, SourceAttribution } from '@crm/contracts';
import { CrmEventContext, type CrmEventExtras } from '@crm/messaging';
import { ERASED, maskedColumns } from '@crm/service-kit';
import { LeadEngagement, LeadSummary } from './lead.read-model';

const LEAD_SUMMARY: CrmEventExtras = { consumer: 'lead-summary' };

/** The attribution fields that are set, as the jsonb column keeps them. */
const attribution = (source: SourceAttribution): Record<string, string> =>
  Object.fromEntries(Object.entries(source).filter((e): e is [string, string] => e[1] !== undefined));

async function update(m: EntityManager, leadId: string, revision: number, changes: Partial<LeadSummary>) {
  await m
    .createQueryBuilder()
    .update(LeadSummary)
    .set({ ...changes, revision, updatedAt: new Date() })
    .where('lead_id = :leadId AND revision < :revision', { leadId, revision })
    .execute();
}

/**
 * Every event of a lead moves the lead's revision, the stream revision its ETag shows, so that a
 * reader's ETag is the revision a command will be checked against; events this model does not
 * show (e.g. lifecycle stages) move only that.
 */
const revised = (ctx: CrmEventContext) =>
  update(ctx.getManager(), ctx.getCloudEvent().subject, ctx.getRevision(), {});

/**
 * Projects crm.leads.events into the lead read model (consumer `lead-summary`). Each handler runs
 * in the consumer's transaction, which also records the event id: each event is applied exactly
 * once. The data comes through its contract: an event that breaks it, or of a version this
 * service cannot read, never reaches a handler (it is parked as `contract-violation`).
 */
@Controller()
export class LeadSummaryProjection {
  @EventPattern('crm.leads.LeadCaptured', LEAD_SUMMARY)
  async captured(@Payload() d: EventData<'LeadCaptured'>, @Ctx() ctx: CrmEventContext) {
    await ctx
      .getManager()
      .createQueryBuilder()
      .insert()
      .into(LeadSummary)
      .values({
        leadId: d.leadId,
        customerId: d.customerId,
        status: 'new',
        ownerId: null,
        channel: d.channel,
        customerType: d.customerType,
        personName: d.personName ?? null,
        companyName: d.companyName ?? null,
        email: d.email ?? null,
        phone: d.phone ?? null,
        companySize: d.companySize ?? null,
        interests: d.interests,
        source: attribution(d.source),
        notes: d.notes ?? null,
        engagementCount: 0,
        revision: ctx.getRevision(),
        capturedAt: new Date(d.capturedAt),
        updatedAt: new Date(),
      })
      .orIgnore()
      .execute();
    await revised(ctx);
  }

  @EventPattern('crm.leads.LeadAssigned', LEAD_SUMMARY)
  async assigned(@Payload() d: EventData<'LeadAssigned'>, @Ctx() ctx: CrmEventContext) {
    await update(ctx.getManager(), d.leadId, ctx.getRevision(), { ownerId: d.ownerId });
    await revised(ctx);
  }

  @EventPattern('crm.leads.LeadEngagementRecorded', LEAD_SUMMARY)
  async engaged(@Payload() d: EventData<'LeadEngagementRecorded'>, @Ctx() ctx: CrmEventContext) {
    const m = ctx.getManager();
    await m
      .createQueryBuilder()
      .insert()
      .into(LeadEngagement)
      .values({
        engagementId: d.engagementId,
        leadId: d.leadId,
        kind: d.kind,
        channel: d.channel,
        occurredAt: new Date(d.occurredAt),
        summary: d.summary ?? null,
      })
      .orIgnore()
      .execute();
    await update(m, d.leadId, ctx.getRevision(), {
      engagementCount: () => 'engagement_count + 1',
      lastEngagedAt: () =>
        `GREATEST(last_engaged_at, '${new Date(d.occurredAt).toISOString()}'::timestamptz)`,
    } as unknown as Partial<LeadSummary>);
    await revised(ctx);
  }

  @EventPattern('crm.leads.LeadWorkStarted', LEAD_SUMMARY)
  async workStarted(@Payload() d: EventData<'LeadWorkStarted'>, @Ctx() ctx: CrmEventContext) {
    await update(ctx.getManager(), d.leadId, ctx.getRevision(), { status: 'working' });
    await revised(ctx);
  }

  @EventPattern('crm.leads.LeadQualified', LEAD_SUMMARY)
  async qualified(@Payload() d: EventData<'LeadQualified'>, @Ctx() ctx: CrmEventContext) {
    await update(ctx.getManager(), d.leadId, ctx.getRevision(), {
      status: 'qualified',
      score: d.score,
      scoreBreakdown: d.scoreBreakdown,
      qualifiedAt: new Date(d.qualifiedAt),
    });
    await revised(ctx);
  }

  @EventPattern('crm.leads.LeadDisqualified', LEAD_SUMMARY)
  async disqualified(@Payload() d: EventData<'LeadDisqualified'>, @Ctx() ctx: CrmEventContext) {
    await update(ctx.getManager(), d.leadId, ctx.getRevision(), {
      status: 'disqualified',
      disqualificationReason: d.reason,
      disqualifiedAt: new Date(d.disqualifiedAt),
    });
    await revised(ctx);
  }

  @EventPattern('crm.leads.LeadConverted', LEAD_SUMMARY)
  async converted(@Payload() d: EventData<'LeadConverted'>, @Ctx() ctx: CrmEventContext) {
    await update(ctx.getManager(), d.leadId, ctx.getRevision(), {
      status: 'converted',
      convertedAt: new Date(d.convertedAt),
    });
    await revised(ctx);
  }

  /** Any other event of the leads context: lifecycle stages, types newer than these contracts. */
  @EventPattern('crm.leads.*', LEAD_SUMMARY)
  async other(@Ctx() ctx: CrmEventContext) {
    await revised(ctx);
  }

  /** The customer was erased: what their leads said about them reads `[erased]`; counts and stages stay. */
  @EventPattern('crm.leads.CustomerErased', LEAD_SUMMARY)
  async erased(@Payload() d: EventData<'CustomerErased'>, @Ctx() ctx: CrmEventContext) {
    const m = ctx.getManager();
    await m.query(
      `update leads.lead_engagement set ${maskedColumns(['summary'])}
        where lead_id in (select lead_id from leads.lead_summary where customer_id = $2)`,
      [ERASED, d.customerId],
    );
    await m.query(
      `update leads.lead_summary set ${maskedColumns(['person_name', 'email', 'phone', 'notes'])}
        where customer_id = $2`,
      [ERASED, d.customerId],
    );
  }
}
