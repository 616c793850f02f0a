import { Controller } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import type { EntityManager, ObjectLiteral, EntityTarget } from 'typeorm';
import type { EventData } from '@crm/contracts';
import { CrmEventContext, type CrmEventExtras } from '@crm/messaging';
import { AccountRow, ContactRow } from './account.read-model';
import { OpportunityRow, QuoteRow } from './opportunity.read-model';

const READ_MODEL: CrmEventExtras = { consumer: 'pipeline-read-model' };

/** A read model row that carries its aggregate's revision, the ETag readers get. */
type Row = { target: EntityTarget<ObjectLiteral>; key: string };
const ACCOUNT: Row = { target: AccountRow, key: 'account_id' };
const OPPORTUNITY: Row = { target: OpportunityRow, key: 'opportunity_id' };
const QUOTE: Row = { target: QuoteRow, key: 'quote_id' };

/** Applies `changes` unless the row already reflects this revision or a later one; true when it did. */
async function touch(
  m: EntityManager,
  row: Row,
  id: string,
  revision: number,
  changes: ObjectLiteral,
  parameters: ObjectLiteral = {},
): Promise<boolean> {
  const result = await m
    .createQueryBuilder()
    .update(row.target)
    .set({ ...changes, revision, updatedAt: new Date() })
    .where(`${row.key} = :id AND revision < :revision`, { ...parameters, id, revision })
    .execute();
  return (result.affected ?? 0) > 0;
}

/** Every event also moves its aggregate row's revision (the event's subject), once applied. */
const revised = (ctx: CrmEventContext, row: Row) =>
  touch(ctx.getManager(), row, ctx.getCloudEvent().subject, ctx.getRevision(), {});

/** Inserts the row unless it exists (a replay); true when it was inserted. */
async function insertOnce(
  m: EntityManager,
  target: EntityTarget<ObjectLiteral>,
  values: ObjectLiteral,
): Promise<boolean> {
  const result = await m
    .createQueryBuilder()
    .insert()
    .into(target)
    .values(values)
    .orIgnore()
    .returning('1')
    .execute();
  return (result.raw as unknown[]).length > 0;
}

async function enterStage(m: EntityManager, opportunityId: string, stage: string, at: Date) {
  await m.query(
    `UPDATE pipeline.opportunity_stage_history SET left_at = $2 WHERE opportunity_id = $1 AND left_at IS NULL`,
    [opportunityId, at],
  );
  await m.query(
    `INSERT INTO pipeline.opportunity_stage_history (opportunity_id, seq, stage, entered_at)
     SELECT $1, COALESCE(MAX(seq), 0) + 1, $2, $3 FROM pipeline.opportunity_stage_history WHERE opportunity_id = $1`,
    [opportunityId, stage, at],
  );
}

async function closeOpportunity(
  ctx: CrmEventContext,
  id: string,
  at: Date,
  changes: Partial<OpportunityRow>,
) {
  const m = ctx.getManager();
  // The stage history follows the row: an event the row already reflects (a replay) leaves it alone.
  if (await touch(m, OPPORTUNITY, id, ctx.getRevision(), { ...changes, closedAt: at }))
    await m.query(
      `UPDATE pipeline.opportunity_stage_history SET left_at = $2 WHERE opportunity_id = $1 AND left_at IS NULL`,
      [id, at],
    );
}

/** Quote totals as the numeric columns keep them. */
const totals = (d: Pick<EventData<'QuoteRevised'>, 'lines' | 'totals' | 'approvalRequired'>) => ({
  lines: d.lines,
  subtotal: String(d.totals.subtotal),
  discount: String(d.totals.discount),
  total: String(d.totals.total),
  maxDiscountPercent: String(d.totals.maxDiscountPercent),
  approvalRequired: d.approvalRequired,
});

/**
 * Projects crm.pipeline.events into the pipeline read models (consumer `pipeline-read-model`),
 * each handler inside the consumer's transaction (exactly once). The data comes through its
 * contract: an event that breaks it, or of a version this service cannot read, never reaches a
 * handler (it is parked as `contract-violation`). Types without a handler here are skipped.
 */
@Controller()
export class PipelineReadModelProjection {
  @EventPattern('crm.pipeline.AccountOpened', READ_MODEL)
  async accountOpened(@Payload() d: EventData<'AccountOpened'>, @Ctx() ctx: CrmEventContext) {
    await insertOnce(ctx.getManager(), AccountRow, {
      accountId: d.accountId,
      customerId: d.customerId,
      name: d.profile.name,
      kind: d.profile.kind,
      customerType: d.profile.customerType,
      email: d.profile.email ?? null,
      phone: d.profile.phone ?? null,
      profile: d.profile,
      ownerId: d.ownerId ?? null,
      fromLeadId: d.fromLeadId ?? null,
      lifecycleStage: 'interest',
      revision: ctx.getRevision(),
      openedAt: new Date(d.openedAt),
      updatedAt: new Date(),
    });
    await revised(ctx, ACCOUNT);
  }

  @EventPattern('crm.pipeline.AccountProfileUpdated', READ_MODEL)
  async profileUpdated(@Payload() d: EventData<'AccountProfileUpdated'>, @Ctx() ctx: CrmEventContext) {
    const c = d.changes;
    const changes = {
      profile: () => `profile || CAST(:changes AS jsonb)`,
      ...(c.name !== undefined ? { name: c.name } : {}),
      ...(c.kind !== undefined ? { kind: c.kind } : {}),
      ...(c.customerType !== undefined ? { customerType: c.customerType } : {}),
      ...(c.email !== undefined ? { email: c.email } : {}),
      ...(c.phone !== undefined ? { phone: c.phone } : {}),
    };
    await touch(ctx.getManager(), ACCOUNT, d.accountId, ctx.getRevision(), changes, {
      changes: JSON.stringify(c),
    });
    await revised(ctx, ACCOUNT);
  }

  @EventPattern('crm.pipeline.ContactAdded', READ_MODEL)
  async contactAdded(@Payload() d: EventData<'ContactAdded'>, @Ctx() ctx: CrmEventContext) {
    await insertOnce(ctx.getManager(), ContactRow, {
      contactId: d.contactId,
      accountId: d.accountId,
      name: d.name,
      email: d.email ?? null,
      phone: d.phone ?? null,
      role: d.role,
      title: d.title ?? null,
    });
    await revised(ctx, ACCOUNT);
  }

  @EventPattern('crm.pipeline.ContactUpdated', READ_MODEL)
  async contactUpdated(@Payload() d: EventData<'ContactUpdated'>, @Ctx() ctx: CrmEventContext) {
    await ctx.getManager().getRepository(ContactRow).update({ contactId: d.contactId }, d.changes);
    await revised(ctx, ACCOUNT);
  }

  @EventPattern('crm.pipeline.AccountWinRecorded', READ_MODEL)
  async winRecorded(@Payload() d: EventData<'AccountWinRecorded'>, @Ctx() ctx: CrmEventContext) {
    const changes = { wonRevenue: () => 'won_revenue + CAST(:amount AS numeric)' };
    await touch(ctx.getManager(), ACCOUNT, d.accountId, ctx.getRevision(), changes, {
      amount: String(d.amount),
    });
    await revised(ctx, ACCOUNT);
  }

  @EventPattern('crm.pipeline.CustomerLifecycleStageReached', READ_MODEL)
  async stageReached(@Payload() d: EventData<'CustomerLifecycleStageReached'>, @Ctx() ctx: CrmEventContext) {
    await touch(ctx.getManager(), ACCOUNT, d.customerId, ctx.getRevision(), { lifecycleStage: d.stage });
    await revised(ctx, ACCOUNT);
  }

  @EventPattern('crm.pipeline.OpportunityOpened', READ_MODEL)
  async opportunityOpened(@Payload() d: EventData<'OpportunityOpened'>, @Ctx() ctx: CrmEventContext) {
    const m = ctx.getManager();
    const inserted = await insertOnce(m, OpportunityRow, {
      opportunityId: d.opportunityId,
      accountId: d.accountId,
      customerId: d.customerId,
      name: d.name,
      ownerId: d.ownerId,
      stage: d.stage,
      probability: d.probability,
      forecastCategory: d.forecastCategory,
      status: 'open',
      amount: d.amount ?? null,
      currency: d.currency,
      expectedCloseDate: d.expectedCloseDate ?? null,
      fromLeadId: d.fromLeadId ?? null,
      fromCampaignId: d.fromCampaignId ?? null,
      revision: ctx.getRevision(),
      openedAt: new Date(d.openedAt),
      updatedAt: new Date(),
    });
    if (inserted) await enterStage(m, d.opportunityId, d.stage, new Date(d.openedAt));
    await revised(ctx, OPPORTUNITY);
  }

  @EventPattern('crm.pipeline.OpportunityStageChanged', READ_MODEL)
  async stageChanged(@Payload() d: EventData<'OpportunityStageChanged'>, @Ctx() ctx: CrmEventContext) {
    const m = ctx.getManager();
    const moved = await touch(m, OPPORTUNITY, d.opportunityId, ctx.getRevision(), {
      stage: d.to,
      probability: d.probability,
      forecastCategory: d.forecastCategory,
    });
    // Only a change the row takes enters the history: a stage change older than the row (delivered
    // late, or a dead letter replayed after later events) would otherwise become the current stage.
    if (moved) await enterStage(m, d.opportunityId, d.to, new Date(d.changedAt));
  }

  @EventPattern('crm.pipeline.OpportunityDetailsChanged', READ_MODEL)
  async detailsChanged(@Payload() d: EventData<'OpportunityDetailsChanged'>, @Ctx() ctx: CrmEventContext) {
    await touch(ctx.getManager(), OPPORTUNITY, d.opportunityId, ctx.getRevision(), { ...d.changes });
    await revised(ctx, OPPORTUNITY);
  }

  @EventPattern('crm.pipeline.OpportunityWon', READ_MODEL)
  won(@Payload() d: EventData<'OpportunityWon'>, @Ctx() ctx: CrmEventContext) {
    return closeOpportunity(ctx, d.opportunityId, new Date(d.wonAt), {
      status: 'won',
      probability: 100,
      forecastCategory: 'closed',
      amount: String(d.amount),
      currency: d.currency,
      quoteId: d.quoteId ?? null,
    });
  }

  @EventPattern('crm.pipeline.OpportunityLost', READ_MODEL)
  lost(@Payload() d: EventData<'OpportunityLost'>, @Ctx() ctx: CrmEventContext) {
    return closeOpportunity(ctx, d.opportunityId, new Date(d.lostAt), {
      status: 'lost',
      probability: 0,
      forecastCategory: 'omitted',
      lostReason: d.reason,
      lostNotes: d.notes ?? null,
    });
  }

  @EventPattern('crm.pipeline.QuoteDrafted', READ_MODEL)
  async quoteDrafted(@Payload() d: EventData<'QuoteDrafted'>, @Ctx() ctx: CrmEventContext) {
    await insertOnce(ctx.getManager(), QuoteRow, {
      quoteId: d.quoteId,
      opportunityId: d.opportunityId,
      status: 'draft',
      currency: d.currency,
      ...totals(d),
      revision: ctx.getRevision(),
      updatedAt: new Date(),
    });
    await revised(ctx, QUOTE);
  }

  @EventPattern('crm.pipeline.QuoteRevised', READ_MODEL)
  async quoteRevised(@Payload() d: EventData<'QuoteRevised'>, @Ctx() ctx: CrmEventContext) {
    await this.quote(ctx, d.quoteId, { ...totals(d), approvedBy: null });
  }

  @EventPattern('crm.pipeline.QuoteDiscountApproved', READ_MODEL)
  async discountApproved(@Payload() d: EventData<'QuoteDiscountApproved'>, @Ctx() ctx: CrmEventContext) {
    await this.quote(ctx, d.quoteId, { approvedBy: d.approvedBy });
  }

  @EventPattern('crm.pipeline.QuoteSent', READ_MODEL)
  async quoteSent(@Payload() d: EventData<'QuoteSent'>, @Ctx() ctx: CrmEventContext) {
    await this.quote(ctx, d.quoteId, { status: 'sent' });
  }

  @EventPattern('crm.pipeline.QuoteAccepted', READ_MODEL)
  async quoteAccepted(@Payload() d: EventData<'QuoteAccepted'>, @Ctx() ctx: CrmEventContext) {
    await this.quote(ctx, d.quoteId, { status: 'accepted' });
  }

  @EventPattern('crm.pipeline.QuoteRejected', READ_MODEL)
  async quoteRejected(@Payload() d: EventData<'QuoteRejected'>, @Ctx() ctx: CrmEventContext) {
    await this.quote(ctx, d.quoteId, { status: 'rejected' });
  }

  private async quote(ctx: CrmEventContext, quoteId: string, changes: Partial<QuoteRow>) {
    await touch(ctx.getManager(), QUOTE, quoteId, ctx.getRevision(), changes);
    await revised(ctx, QUOTE);
  }
}
