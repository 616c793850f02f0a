import { Controller, Logger } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import type { EventData } from '@crm/contracts';
import { DomainError } from '@crm/decider';
import type { CrmEventContext } from '@crm/messaging';
import { reactionContext } from '@crm/service-kit';
import { CaseService } from '../case/case.service';
import { SupportTeamService } from './support-team.service';

const CONSUMER = { consumer: 'case-assignment' };

/**
 * Assigns the cases that arrive in a queue assigning by round robin or least load (consumer
 * `case-assignment`): opened there, or escalated to it. A case someone assigned in its queue
 * meanwhile, or that moved on, is left alone; with no agent available it waits in its queue.
 */
@Controller()
export class CaseAssignmentReaction {
  private readonly logger = new Logger('case-assignment');

  constructor(
    private readonly team: SupportTeamService,
    private readonly cases: CaseService,
  ) {}

  @EventPattern('crm.service.CaseOpened', CONSUMER)
  opened(@Payload() d: EventData<'CaseOpened'>, @Ctx() ctx: CrmEventContext) {
    return this.arrived(d.caseId, d.queue, ctx);
  }

  @EventPattern('crm.service.CaseEscalated', CONSUMER)
  escalated(@Payload() d: EventData<'CaseEscalated'>, @Ctx() ctx: CrmEventContext) {
    return this.arrived(d.caseId, d.toQueue, ctx);
  }

  private async arrived(caseId: string, queue: string, ctx: CrmEventContext) {
    const method = (await this.team.current()).state.queues[queue]?.assignment ?? 'manual';
    if (method === 'manual') return;
    const { state: c } = await this.cases.load(caseId);
    if (c.status === 'none' || c.status === 'closed' || c.queue !== queue) return;
    if (c.agentId !== undefined && c.assignedQueue === queue) return;
    const context = reactionContext(ctx.getCloudEvent(), 'service-desk:case-assignment');
    try {
      await this.team.assignBy(caseId, method, context, ctx.getManager());
    } catch (error) {
      if (!(error instanceof DomainError && error.code === 'NO_AGENT_AVAILABLE')) throw error;
      this.logger.warn({ msg: 'no agent available: the case waits in its queue', caseId, queue });
    }
  }
}
