import { randomUUID } from 'node:crypto';
import {
  Catch,
  Controller,
  Injectable,
  Module,
  UseFilters,
  UseInterceptors,
  type CallHandler,
  type ExecutionContext,
  type NestInterceptor,
  type RpcExceptionFilter,
  type Type,
} from '@nestjs/common';
import { Ctx, EventPattern, MessagePattern, Payload } from '@nestjs/microservices';
import { of, tap, type Observable } from 'rxjs';
import type { EntityManager } from 'typeorm';
import { ContractViolationError, toCloudEvent, type EventData } from '@crm/contracts';
import { CrmEventContext } from './crm-event-context';
import { bindCrmEventHandlers } from './start-crm-events';

const lead = (type: string, data: unknown, context = 'leads') =>
  toCloudEvent(
    context,
    {
      id: randomUUID(),
      type,
      streamId: `lead-${randomUUID()}`,
      revision: 5,
      data,
      metadata: {
        customerId: randomUUID(),
        correlationId: randomUUID(),
        causationId: randomUUID(),
        schemaVersion: 1,
        occurredAt: new Date().toISOString(),
      },
    },
    randomUUID(),
  );
const assigned = () => lead('LeadAssigned', { leadId: randomUUID(), ownerId: 'rep-7', method: 'manual' });
const workStarted = () =>
  lead('LeadWorkStarted', { leadId: randomUUID(), startedAt: new Date().toISOString() });
const manager = {} as EntityManager;

/** What the handlers of these tests saw, in order. */
const seen: string[] = [];

class Obsolete extends Error {}

@Injectable()
class Recorder implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const event = context.switchToRpc().getContext<CrmEventContext>().getCloudEvent();
    seen.push(`before ${event.type}`);
    return next.handle().pipe(tap(() => seen.push(`after ${event.type}`)));
  }
}

@Catch(Obsolete)
class SkipObsolete implements RpcExceptionFilter<Obsolete> {
  catch(): Observable<unknown> {
    seen.push('obsolete: skipped');
    return of(undefined);
  }
}

@Controller()
@UseInterceptors(Recorder)
@UseFilters(SkipObsolete)
class Summary {
  @EventPattern('crm.leads.LeadAssigned', { consumer: 'summary' })
  assigned(@Payload() d: EventData<'LeadAssigned'>, @Ctx() ctx: CrmEventContext) {
    seen.push(`summary assigned ${d.ownerId} at ${ctx.getRevision()} in ${ctx.getConsumer()}`);
    if (d.ownerId === 'obsolete') throw new Obsolete();
    if (d.ownerId === 'deadlock') throw Object.assign(new Error('deadlock detected'), { code: '40P01' });
  }

  @EventPattern('crm.leads.*', { consumer: 'summary' })
  other(@Payload() data: unknown, @Ctx() ctx: CrmEventContext) {
    seen.push(`summary other ${ctx.getPattern()} ${data === undefined ? 'untyped' : 'typed'}`);
  }
}

@Controller()
class Owners {
  @EventPattern('crm.leads.LeadAssigned', { consumer: 'owners' })
  async assigned(@Payload() d: EventData<'LeadAssigned'>, @Ctx() ctx: CrmEventContext) {
    await Promise.resolve();
    seen.push(
      `owners assigned ${d.ownerId} with ${ctx.getManager() === manager ? 'the batch' : 'another'} manager`,
    );
  }
}

@Module({ controllers: [Summary, Owners], providers: [Recorder] })
class Consumers {}

describe('CrmEventsTransport', () => {
  beforeEach(() => seen.splice(0));

  it("hands each event to its consumer's handler of its type, else of its context's *, else to none", async () => {
    const handlers = await bindCrmEventHandlers(Consumers);
    try {
      const event = assigned();
      await handlers.deliver('summary', event, manager);
      await handlers.deliver('owners', event, manager);
      await handlers.deliver('summary', workStarted(), manager);
      await handlers.deliver('owners', workStarted(), manager); // no handler: nothing runs
      await handlers.deliver('summary', lead('LeadFromTheFuture', { x: 1 }), manager);
      await handlers.deliver('summary', lead('OpportunityWon', {}, 'other'), manager); // not a leads event
      expect(seen).toEqual([
        'before crm.leads.LeadAssigned.v1',
        'summary assigned rep-7 at 5 in summary',
        'after crm.leads.LeadAssigned.v1',
        'owners assigned rep-7 with the batch manager',
        'before crm.leads.LeadWorkStarted.v1',
        'summary other crm.leads.* typed',
        'after crm.leads.LeadWorkStarted.v1',
        'before crm.leads.LeadFromTheFuture.v1',
        'summary other crm.leads.* untyped',
        'after crm.leads.LeadFromTheFuture.v1',
      ]);
    } finally {
      await handlers.close();
    }
  });

  it("gives back what a handler threw, unchanged, unless the handler's own filter decides", async () => {
    const handlers = await bindCrmEventHandlers(Consumers);
    try {
      const deadlock = lead('LeadAssigned', { leadId: randomUUID(), ownerId: 'deadlock', method: 'manual' });
      // The consumer needs the real error: a deadlock is retried for as long as it lasts, never parked.
      await expect(handlers.deliver('summary', deadlock, manager)).rejects.toMatchObject({
        message: 'deadlock detected',
        code: '40P01',
      });
      const obsolete = lead('LeadAssigned', { leadId: randomUUID(), ownerId: 'obsolete', method: 'manual' });
      await expect(handlers.deliver('summary', obsolete, manager)).resolves.toBeUndefined();
      expect(seen).toContain('obsolete: skipped');
      const poison = lead('LeadAssigned', { leadId: 'not-a-uuid' });
      await expect(handlers.deliver('summary', poison, manager)).rejects.toThrow(ContractViolationError);
      expect(seen.filter((s) => s.startsWith('summary assigned'))).toHaveLength(2); // not the poison
    } finally {
      await handlers.close();
    }
  });

  describe('refuses at start a handler it could not deliver to', () => {
    const refusal = async (controller: Type<unknown>) => {
      @Module({ controllers: [controller] })
      class Refused {}
      return bindCrmEventHandlers(Refused).then(
        (handlers) => handlers.close().then(() => 'started'),
        (error: Error) => error.message,
      );
    };

    it('without a consumer, with a typo, a version, or another context', async () => {
      @Controller()
      class NoConsumer {
        @EventPattern('crm.leads.LeadAssigned')
        handle() {}
      }
      @Controller()
      class Typo {
        @EventPattern('crm.leads.LeadAsigned', { consumer: 'x' })
        handle() {}
      }
      @Controller()
      class Versioned {
        @EventPattern('crm.leads.LeadAssigned.v1', { consumer: 'x' })
        handle() {}
      }
      @Controller()
      class WrongContext {
        @EventPattern('crm.pipeline.LeadAssigned', { consumer: 'x' })
        handle() {}
      }
      expect(await refusal(NoConsumer)).toMatch(/name its consumer/);
      expect(await refusal(Typo)).toMatch(/no LeadAsigned published by leads/);
      expect(await refusal(Versioned)).toMatch(/without its version/);
      expect(await refusal(WrongContext)).toMatch(/no LeadAssigned published by pipeline/);
    });

    it('a request-response @MessagePattern, and two handlers of one consumer for one type', async () => {
      @Controller()
      class RequestResponse {
        @MessagePattern('crm.leads.LeadAssigned', { consumer: 'x' })
        handle() {}
      }
      @Controller()
      class Twice {
        @EventPattern('crm.leads.LeadAssigned', { consumer: 'x' })
        one() {}
        @EventPattern('crm.leads.LeadAssigned', { consumer: 'x' })
        two() {}
      }
      expect(await refusal(RequestResponse)).toMatch(/use @EventPattern/);
      expect(await refusal(Twice)).toMatch(/two handlers/);
    });
  });
});
