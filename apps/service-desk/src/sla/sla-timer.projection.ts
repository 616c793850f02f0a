import { Controller } from '@nestjs/common';
import { Ctx, EventPattern } from '@nestjs/microservices';
import type { CrmEventContext } from '@crm/messaging';
import { CaseService } from '../case/case.service';
import { SLA_TIMER, SlaTimers } from './sla-timers.service';

const CASE_EVENTS = /^crm\.service\.(Case|Sla)[A-Za-z]+\.v\d+$/;

/**
 * Keeps each case's SLA timer at its next due check (consumer `sla-timers`): after every event of
 * a case, in the consumer's transaction, so a timer is set exactly once per event and never lost
 * between a command and its timer. A new business calendar brings every timer forward to now.
 */
@Controller()
export class SlaTimerProjection {
  constructor(
    private readonly cases: CaseService,
    private readonly sla: SlaTimers,
  ) {}

  @EventPattern('crm.service.*', { consumer: 'sla-timers' })
  async caseEvent(@Ctx() ctx: CrmEventContext) {
    const event = ctx.getCloudEvent();
    // A new calendar may move any clock's due time, earlier too: every case is checked again now.
    if (event.type.startsWith('crm.service.BusinessCalendarPublished.'))
      return this.sla.timers.bringForward(ctx.getManager(), SLA_TIMER);
    if (!CASE_EVENTS.test(event.type) || event.type.startsWith('crm.service.CaseRated')) return;
    const { state } = await this.cases.load(event.subject);
    await this.sla.scheduleNext(ctx.getManager(), event.subject, state);
  }
}
