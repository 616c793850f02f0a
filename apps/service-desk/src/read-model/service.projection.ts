import { Controller } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import type { EntityManager, ObjectLiteral } from 'typeorm';
import type { EventData } from '@crm/contracts';
import type { CrmEventContext, CrmEventExtras } from '@crm/messaging';
import { CaseService } from '../case/case.service';
import { UPSERT_CLOCK, clockRows, upsertClockParameters } from './case-clocks';
import { CaseRow } from './service.read-model';

const READ_MODEL: CrmEventExtras = { consumer: 'service-read-model' };

/** Applies `changes` to the case row unless it already reflects this revision or a later one; true when it did. */
async function touch(
  m: EntityManager,
  caseId: string,
  revision: number,
  changes: ObjectLiteral,
  parameters: ObjectLiteral = {},
): Promise<boolean> {
  const result = await m
    .createQueryBuilder()
    .update(CaseRow)
    .set({ ...changes, revision, updatedAt: new Date() })
    .where('case_id = :caseId AND revision < :revision', { ...parameters, caseId, revision })
    .execute();
  return (result.affected ?? 0) > 0;
}

/** Inserts the case row unless it exists (a replay); true when it was inserted. */
async function insertOnce(m: EntityManager, values: Partial<CaseRow>): Promise<boolean> {
  const result = await m
    .createQueryBuilder()
    .insert()
    .into(CaseRow)
    .values(values)
    .orIgnore()
    .returning('1')
    .execute();
  return (result.raw as unknown[]).length > 0;
}

/**
 * Projects the case streams of crm.service.events into `service.case`, `service.case_sla_clock`
 * and `service.case_assignment` (consumer `service-read-model`), each handler inside the
 * consumer's transaction. Idempotent and replay-safe: an event the case row already reflects (its
 * revision or an older one, delivered again or late) changes nothing. After each event it takes,
 * the case's clocks are measured by the case service (business time of the service's calendar)
 * from the case's state at the event's instant: elapsed business minutes of a running clock are
 * those at the case's last event.
 */
@Controller()
export class ServiceReadModelProjection {
  constructor(private readonly cases: CaseService) {}

  @EventPattern('crm.service.CaseOpened', READ_MODEL)
  async opened(@Payload() d: EventData<'CaseOpened'>, @Ctx() ctx: CrmEventContext) {
    const inserted = await insertOnce(ctx.getManager(), {
      caseId: d.caseId,
      customerId: d.customerId,
      knownCustomer: d.knownCustomer,
      status: 'new',
      caseType: d.caseType,
      priority: d.priority,
      channel: d.channel,
      queue: d.queue,
      assigneeId: null,
      subject: d.subject,
      requesterName: d.requester.name ?? null,
      requesterEmail: d.requester.email ?? null,
      requesterPhone: d.requester.phone ?? null,
      productRef: d.productRef ?? null,
      followsUpCaseId: d.followsUpCaseId ?? null,
      policyId: d.sla.policyId,
      policyVersion: d.sla.version,
      openedAt: new Date(d.openedAt),
      breached: false,
      revision: ctx.getRevision(),
      updatedAt: new Date(),
    });
    if (inserted) await this.measureClocks(ctx, d.caseId, d.openedAt);
  }

  @EventPattern('crm.service.CaseReplied', READ_MODEL)
  async replied(@Payload() d: EventData<'CaseReplied'>, @Ctx() ctx: CrmEventContext) {
    const firstResponse = d.author.kind === 'agent' && d.visibility === 'public';
    const changes = firstResponse
      ? { firstResponseAt: () => 'COALESCE(first_response_at, CAST(:repliedAt AS timestamptz))' }
      : {};
    await this.apply(ctx, d.caseId, d.repliedAt, changes, { repliedAt: d.repliedAt });
  }

  @EventPattern('crm.service.CaseStatusChanged', READ_MODEL)
  async statusChanged(@Payload() d: EventData<'CaseStatusChanged'>, @Ctx() ctx: CrmEventContext) {
    const at = new Date(d.changedAt);
    const changes =
      d.to === 'solved'
        ? { status: d.to, solvedAt: at }
        : d.to === 'closed'
          ? { status: d.to, closedAt: at }
          : // Reopened (or waiting): not solved any more.
            { status: d.to, solvedAt: null };
    await this.apply(ctx, d.caseId, d.changedAt, changes);
  }

  @EventPattern('crm.service.CaseAssigned', READ_MODEL)
  async assigned(@Payload() d: EventData<'CaseAssigned'>, @Ctx() ctx: CrmEventContext) {
    const m = ctx.getManager();
    if (!(await touch(m, d.caseId, ctx.getRevision(), { assigneeId: d.agentId }))) return;
    await m.query(
      `INSERT INTO service.case_assignment (case_id, revision, agent_id, queue, method, assigned_at)
       SELECT case_id, $2, $3, queue, $4, $5 FROM service.case WHERE case_id = $1
       ON CONFLICT DO NOTHING`,
      [d.caseId, ctx.getRevision(), d.agentId, d.method, new Date(d.assignedAt)],
    );
    await this.measureClocks(ctx, d.caseId, d.assignedAt);
  }

  @EventPattern('crm.service.CaseEscalated', READ_MODEL)
  async escalated(@Payload() d: EventData<'CaseEscalated'>, @Ctx() ctx: CrmEventContext) {
    await this.apply(ctx, d.caseId, d.escalatedAt, { queue: d.toQueue, priority: d.priority });
  }

  @EventPattern('crm.service.SlaWarningReached', READ_MODEL)
  async warned(@Payload() d: EventData<'SlaWarningReached'>, @Ctx() ctx: CrmEventContext) {
    if (!(await this.apply(ctx, d.caseId, d.reachedAt, {}))) return;
    await this.markClock(ctx.getManager(), d.caseId, d.clock, 'warned_at', d.reachedAt);
  }

  @EventPattern('crm.service.SlaBreached', READ_MODEL)
  async breached(@Payload() d: EventData<'SlaBreached'>, @Ctx() ctx: CrmEventContext) {
    if (!(await this.apply(ctx, d.caseId, d.breachedAt, { breached: true }))) return;
    await this.markClock(ctx.getManager(), d.caseId, d.clock, 'breached_at', d.breachedAt);
  }

  @EventPattern('crm.service.CaseRated', READ_MODEL)
  async rated(@Payload() d: EventData<'CaseRated'>, @Ctx() ctx: CrmEventContext) {
    await this.apply(ctx, d.caseId, d.ratedAt, { csat: d.score, ratedAt: new Date(d.ratedAt) });
  }

  @EventPattern('crm.service.NetPromoterScoreGiven', READ_MODEL)
  async npsGiven(@Payload() d: EventData<'NetPromoterScoreGiven'>, @Ctx() ctx: CrmEventContext) {
    await this.apply(ctx, d.caseId, d.givenAt, {
      nps: d.score,
      npsCategory: d.category,
      npsGivenAt: new Date(d.givenAt),
    });
  }

  @EventPattern('crm.service.CaseArticleLinked', READ_MODEL)
  async articleLinked(@Payload() d: EventData<'CaseArticleLinked'>, @Ctx() ctx: CrmEventContext) {
    await this.apply(ctx, d.caseId, d.linkedAt, {});
  }

  /** The event's changes to the case row and its revision, then its clocks; false for an event the row has. */
  private async apply(
    ctx: CrmEventContext,
    caseId: string,
    at: string,
    changes: ObjectLiteral,
    parameters: ObjectLiteral = {},
  ): Promise<boolean> {
    if (!(await touch(ctx.getManager(), caseId, ctx.getRevision(), changes, parameters))) return false;
    await this.measureClocks(ctx, caseId, at);
    return true;
  }

  /** The case's clocks as the case service measures them at `at`, from the case's current state. */
  private async measureClocks(ctx: CrmEventContext, caseId: string, at: string) {
    const { state, revision } = await this.cases.load(caseId);
    if (state.status === 'none') return;
    const instant = Date.parse(at);
    const m = ctx.getManager();
    for (const row of clockRows(state, this.cases.clocks(state, instant), revision, new Date(instant)))
      await m.query(UPSERT_CLOCK, upsertClockParameters(row));
  }

  /** When a clock's current run was warned (breached): never a run that started after it. */
  private async markClock(
    m: EntityManager,
    caseId: string,
    clock: string,
    column: 'warned_at' | 'breached_at',
    at: string,
  ) {
    await m.query(
      `UPDATE service.case_sla_clock SET ${column} = COALESCE(${column}, $3)
        WHERE case_id = $1 AND clock = $2 AND started_at <= $3`,
      [caseId, clock, new Date(at)],
    );
  }
}
