import { randomUUID } from 'node:crypto';
import { Injectable, Module, type DynamicModule } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import type { CasePriority, CloudEvent, SlaClockName, SlaTargets } from '@crm/contracts';
import { bindCrmEventHandlers, type BoundEventHandlers } from '@crm/messaging';
import { InProcessService, bearer, publishedEvents, type GivenEvent } from '@crm/test-support';
import { CaseService } from '../src/case/case.service';
import { ServiceReadModelProjection } from '../src/read-model/service.projection';
import { ServiceDeskConfig } from '../src/service-desk.config';
import { ServiceDeskModule } from '../src/service-desk.module';

/** Business hours of these tests: Monday to Friday, 09:00-17:00 UTC, no holidays (2026-06-01 is a Monday). */
export const WEEKDAYS_9_TO_5 = JSON.stringify({
  timeZone: 'UTC',
  weekly: Object.fromEntries([1, 2, 3, 4, 5].map((d) => [d, [{ start: '09:00', end: '17:00' }]])),
  holidays: [],
});

/** Who calls: the bearer token of a demo user of the local OpenID provider (infra/oidc). */
export const as = async (who: string) => ({ authorization: await bearer(who) });

let moduleRef: ModuleRef | undefined;

/** Keeps the application's module reference: the case service the projection measures clocks with. */
@Injectable()
class ModuleRefProbe {
  constructor(ref: ModuleRef) {
    moduleRef = ref;
  }
}

/** A provider of the application the last `startServiceDesk()` started (e.g. to bind a reaction to it). */
export const providerOf = <T>(type: new (...args: never[]) => T): T =>
  moduleRef!.get(type, { strict: false });

/**
 * The service desk in process (its own database, migrated; no Kafka) on the test calendar, and
 * its `service-read-model` projection bound to the application's own case service.
 */
export async function startServiceDesk(): Promise<{ desk: InProcessService; readModel: CaseReadModel }> {
  const desk = await InProcessService.start({
    name: 'service_desk',
    Config: ServiceDeskConfig,
    module: (config): DynamicModule => ({
      module: class ServiceDeskUnderTest {},
      imports: [ServiceDeskModule.forRoot(config)],
      providers: [ModuleRefProbe],
    }),
    env: { SLA_CALENDAR: WEEKDAYS_9_TO_5 },
    eventStoreSchema: 'service_eventstore',
  });
  const cases = moduleRef!.get(CaseService, { strict: false });
  @Module({
    controllers: [ServiceReadModelProjection],
    providers: [{ provide: CaseService, useValue: cases }],
  })
  class ReadModelUnderTest {}
  return { desk, readModel: new CaseReadModel(desk, await bindCrmEventHandlers(ReadModelUnderTest)) };
}

/**
 * The `service-read-model` projection specified as "given these events of a case, then these
 * rows": the events are appended to the case's stream (the state the case service measures the
 * clocks from) and delivered, as crm.service.events publishes them, in one consumer transaction.
 */
export class CaseReadModel {
  private readonly revisions = new Map<string, number>();

  constructor(
    private readonly desk: InProcessService,
    private readonly handlers: BoundEventHandlers,
  ) {}

  /** Appends `events` to the case's stream and projects them; answers them as published. */
  async given(c: GivenCase, ...events: GivenEvent[]): Promise<CloudEvent[]> {
    const from = this.revisions.get(c.caseId) ?? 0;
    await this.desk.seed({ [c.stream]: events });
    this.revisions.set(c.caseId, from + events.length);
    const published = publishedEvents('service', c.caseId, events, { from, customerId: c.customerId });
    await this.deliver(...published);
    return published;
  }

  /** Delivers published events again (a redelivery, or one late), in one consumer transaction. */
  async deliver(...events: CloudEvent[]): Promise<void> {
    await this.desk.runtime.db.transaction(async (manager) => {
      for (const event of events) await this.handlers.deliver('service-read-model', event, manager);
    });
  }

  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- rows of arbitrary queries
  rows<T = any>(sql: string, parameters: unknown[] = []): Promise<T[]> {
    return this.desk.runtime.db.query(sql, parameters);
  }

  close(): Promise<void> {
    return this.handlers.close();
  }
}

export interface CaseOptions {
  customerId?: string;
  queue?: string;
  caseType?: string;
  priority?: CasePriority;
  channel?: string;
  requester?: { name?: string; email?: string; phone?: string };
  subject?: string;
  policy?: Partial<SlaTargets>;
}

/** The normal policy of these tests: first response 60, next response 120, resolution 960 business minutes. */
export const NORMAL_POLICY: SlaTargets = {
  policyId: 'priority-normal',
  version: 3,
  firstResponseMinutes: 60,
  nextResponseMinutes: 120,
  resolutionMinutes: 960,
  warningShare: 0.8,
};

/** A case opened at `openedAt` and builders of the events its stream may hold. */
export function aCase(openedAt: string, options: CaseOptions = {}) {
  const caseId = randomUUID();
  const customerId = options.customerId ?? randomUUID();
  const priority = options.priority ?? 'normal';
  const sla = { ...NORMAL_POLICY, ...options.policy };
  const reply = (kind: 'agent' | 'customer', id: string, at: string): GivenEvent => ({
    type: 'CaseReplied',
    data: {
      caseId,
      replyId: randomUUID(),
      author: { kind, id },
      channel: 'email',
      visibility: 'public',
      body: kind === 'agent' ? 'Here is what we found.' : 'It still fails.',
      repliedAt: at,
    },
  });
  const status = (from: string, to: string, at: string): GivenEvent => ({
    type: 'CaseStatusChanged',
    data: { caseId, from, to, changedAt: at },
  });
  const clockFacts = (clock: SlaClockName, dueAt: string) => ({
    caseId,
    clock,
    targetMinutes:
      clock === 'first_response'
        ? sla.firstResponseMinutes
        : clock === 'next_response'
          ? sla.nextResponseMinutes
          : sla.resolutionMinutes,
    dueAt,
  });
  return {
    caseId,
    customerId,
    stream: `case-${caseId}`,
    opened: (): GivenEvent => ({
      type: 'CaseOpened',
      data: {
        caseId,
        customerId,
        knownCustomer: options.customerId !== undefined,
        requester: options.requester ?? { name: 'Olga Ruiz', email: 'olga@acme.example' },
        channel: options.channel ?? 'email',
        caseType: options.caseType ?? 'service_request',
        priority,
        subject: options.subject ?? 'Invoice question',
        queue: options.queue ?? 'billing',
        sla,
        openedAt,
      },
    }),
    status,
    /** The first public agent reply of a new case: it opens the case, then the reply. */
    answered: (at: string, agentId = 'sam'): GivenEvent[] => [
      status('new', 'open', at),
      reply('agent', agentId, at),
    ],
    agentReply: (at: string, agentId = 'sam') => reply('agent', agentId, at),
    customerReply: (at: string) => reply('customer', 'requester', at),
    assigned: (agentId: string, at: string, method = 'manual'): GivenEvent => ({
      type: 'CaseAssigned',
      data: { caseId, agentId, method, assignedAt: at },
    }),
    escalated: (fromQueue: string, toQueue: string, raisedTo: CasePriority, at: string): GivenEvent => ({
      type: 'CaseEscalated',
      data: { caseId, fromQueue, toQueue, priority: raisedTo, reason: 'sla_breached', escalatedAt: at },
    }),
    warned: (clock: SlaClockName, at: string, dueAt: string): GivenEvent => ({
      type: 'SlaWarningReached',
      data: { ...clockFacts(clock, dueAt), reachedAt: at },
    }),
    breached: (clock: SlaClockName, at: string, dueAt = at): GivenEvent => ({
      type: 'SlaBreached',
      data: { ...clockFacts(clock, dueAt), priority, breachedAt: at },
    }),
    rated: (score: number, at: string): GivenEvent => ({
      type: 'CaseRated',
      data: { caseId, customerId, score, ratedAt: at },
    }),
    nps: (score: number, at: string): GivenEvent => ({
      type: 'NetPromoterScoreGiven',
      data: {
        caseId,
        customerId,
        score,
        category: score >= 9 ? 'promoter' : score >= 7 ? 'passive' : 'detractor',
        givenAt: at,
      },
    }),
  };
}

export type GivenCase = ReturnType<typeof aCase>;
