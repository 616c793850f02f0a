import { Controller, Inject } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { assertValidEvent, hasContract, type EventData } from '@crm/contracts';
import { CommandHandler } from '@crm/decider';
import type { EventStore } from '@crm/event-store';
import type { CrmEventContext } from '@crm/messaging';
import { EVENT_STORE, reactionContext } from '@crm/service-kit';
import {
  customerHealthDecider,
  customerHealthStreamId,
  type CustomerHealth,
  type CustomerHealthCommand,
  type CustomerHealthEvent,
} from './customer-health.decider';

const CONSUMER = { consumer: 'customer-health' };

/**
 * What the service context learns about customers and decides for their lifecycle (consumer
 * `customer-health`): acquisitions from crm.pipeline.events, complaints, ratings and breaches from
 * its own events; `retention` and `at_risk` are published on crm.service.events.
 */
@Controller()
export class CustomerHealthReaction {
  private readonly handler: CommandHandler<CustomerHealthCommand, CustomerHealth, CustomerHealthEvent>;

  constructor(@Inject(EVENT_STORE) store: EventStore) {
    this.handler = new CommandHandler({
      store,
      decider: customerHealthDecider,
      schemaVersions: {
        CustomerAcquisitionNoted: 1,
        CustomerComplaintNoted: 1,
        CustomerLifecycleStageReached: 1,
      },
      // The published stage is checked against its contract; the notes are internal.
      validateEvent: (type, version, data) =>
        hasContract(type) ? assertValidEvent(type, version, data) : undefined,
      customerIdOf: (_state, command) => command.data.customerId,
    });
  }

  private note(command: CustomerHealthCommand, ctx: CrmEventContext) {
    return this.handler.handle(
      customerHealthStreamId(command.data.customerId),
      command,
      reactionContext(ctx.getCloudEvent(), 'service-desk:customer-health'),
    );
  }

  @EventPattern('crm.pipeline.CustomerLifecycleStageReached', CONSUMER)
  async acquired(@Payload() d: EventData<'CustomerLifecycleStageReached'>, @Ctx() ctx: CrmEventContext) {
    if (d.stage !== 'acquisition' && d.stage !== 'expansion') return;
    await this.note({ type: 'NoteAcquisition', data: { customerId: d.customerId, at: d.reachedAt } }, ctx);
  }

  @EventPattern('crm.service.CaseOpened', CONSUMER)
  async opened(@Payload() d: EventData<'CaseOpened'>, @Ctx() ctx: CrmEventContext) {
    const data = { customerId: d.customerId, caseId: d.caseId, caseType: d.caseType, at: d.openedAt };
    await this.note({ type: 'NoteCaseOpened', data }, ctx);
  }

  @EventPattern('crm.service.CaseRated', CONSUMER)
  async rated(@Payload() d: EventData<'CaseRated'>, @Ctx() ctx: CrmEventContext) {
    const data = { customerId: d.customerId, caseId: d.caseId, score: d.score, at: d.ratedAt };
    await this.note({ type: 'NoteCaseRated', data }, ctx);
  }

  @EventPattern('crm.service.NetPromoterScoreGiven', CONSUMER)
  async npsGiven(@Payload() d: EventData<'NetPromoterScoreGiven'>, @Ctx() ctx: CrmEventContext) {
    const data = { customerId: d.customerId, caseId: d.caseId, score: d.score, at: d.givenAt };
    await this.note({ type: 'NoteNpsGiven', data }, ctx);
  }

  @EventPattern('crm.service.SlaBreached', CONSUMER)
  async breached(@Payload() d: EventData<'SlaBreached'>, @Ctx() ctx: CrmEventContext) {
    const customerId = ctx.getCloudEvent().customerid;
    await this.note(
      {
        type: 'NoteSlaBreached',
        data: { customerId, caseId: d.caseId, priority: d.priority, at: d.breachedAt },
      },
      ctx,
    );
  }
}
