import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import {
  assertValidEvent,
  commandTime,
  type AssignmentMethod,
  type CommandContext,
  type SlaClockName,
} from '@crm/contracts';
import { CommandHandler, notFound, type HandleOptions } from '@crm/decider';
import type { EventStore } from '@crm/event-store';
import { EVENT_STORE, isCustomerOnly, notRecordOwner, type Principal } from '@crm/service-kit';
import { ServiceDeskConfig } from '../service-desk.config';
import { caseDecider, type ActiveCase, type CaseCommand, type CaseState } from './case.decider';
import type { EscalateDto, OpenCaseDto, RatingDto, ReplyDto } from './case.dto';
import { CASE_STREAM_SCHEMA_VERSIONS, caseStreamId, type CaseEvent } from './case.events';
import { dueAt, elapsedBusinessTime, isPaused, type SlaClock } from './case.sla';
import { SlaSettingsService } from '../sla/sla-settings.service';
import { targetsFor } from '../sla/sla-settings.decider';

/** The customer id of a requester (a caller who is only a customer), else undefined. */
export const requesterOf = (caller: Principal | undefined): string | undefined =>
  caller && isCustomerOnly(caller.roles) ? caller.ownerId : undefined;

export interface CaseResult {
  case: ActiveCase;
  revision: number;
}

/** An SLA clock as agents see it. */
export interface ClockView {
  clock: SlaClockName;
  targetMinutes: number;
  elapsedBusinessMinutes: number;
  pausedSpans: number;
  dueAt: string | null;
  state: 'running' | 'paused' | 'met' | 'breached';
}

/** Commands on cases, decided by the case decider with the service's business calendar. */
@Injectable()
export class CaseService {
  /** The handler deciding with business time as of a settings revision. */
  private handler?: { revision: number; handler: CommandHandler<CaseCommand, CaseState, CaseEvent> };

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly config: ServiceDeskConfig,
    private readonly settings: SlaSettingsService,
  ) {}

  /** The command handler with the newest service levels (caught up before every command). */
  private async current(): Promise<CommandHandler<CaseCommand, CaseState, CaseEvent>> {
    const { revision } = await this.settings.current();
    if (this.handler?.revision !== revision)
      this.handler = {
        revision,
        handler: new CommandHandler({
          store: this.store,
          decider: caseDecider(this.settings.time),
          schemaVersions: CASE_STREAM_SCHEMA_VERSIONS,
          validateEvent: assertValidEvent,
          customerIdOf: (state) => (state as ActiveCase).customerId,
        }),
      };
    return this.handler.handler;
  }

  /** Opens a case; a requester (customer-only caller) opens one for themselves only. */
  async open(dto: OpenCaseDto, context: CommandContext, caller?: Principal): Promise<CaseResult> {
    const requester = requesterOf(caller);
    if (requester !== undefined && dto.customerId !== undefined && dto.customerId !== requester)
      throw notRecordOwner('customer');
    const customerId = requester ?? dto.customerId;
    if (dto.followsUpCaseId && (await this.load(dto.followsUpCaseId)).state.status === 'none')
      throw notFound('CASE_NOT_FOUND', 'the case to follow up does not exist', {
        caseId: dto.followsUpCaseId,
      });
    const caseId = randomUUID();
    const priority = dto.priority ?? 'normal';
    const { state: settings } = await this.settings.current();
    return this.run(
      caseId,
      {
        type: 'OpenCase',
        data: {
          caseId,
          customerId: customerId ?? randomUUID(),
          knownCustomer: customerId !== undefined,
          requester: { ...dto.requester },
          channel: dto.channel,
          caseType: dto.caseType,
          priority,
          subject: dto.subject,
          ...(dto.description ? { description: dto.description } : {}),
          ...(dto.productRef ? { productRef: dto.productRef } : {}),
          queue: dto.queue ?? dto.caseType,
          sla: targetsFor(settings, priority, dto.caseType),
          ...(dto.followsUpCaseId ? { followsUpCaseId: dto.followsUpCaseId } : {}),
          at: commandTime(context),
        },
      },
      context,
      { newStream: true },
    );
  }

  async reply(
    caseId: string,
    dto: ReplyDto,
    context: CommandContext,
    caller: Principal,
    expectedRevision?: number,
  ) {
    // A requester replies as the customer, on their own case only.
    const requester = requesterOf(caller);
    if (requester !== undefined) {
      await this.loadFor(caseId, caller);
      dto = { ...dto, authorKind: 'customer' };
    }
    return this.run(
      caseId,
      {
        type: 'ReplyToCase',
        data: {
          replyId: randomUUID(),
          author: {
            kind: dto.authorKind,
            id:
              dto.authorKind === 'agent'
                ? caller.ownerId
                : requester !== undefined
                  ? caller.subject
                  : 'requester',
          },
          channel: dto.channel,
          visibility: dto.visibility,
          body: dto.body,
          at: commandTime(context),
          reopenWindowMs: this.config.CASE_REOPEN_WINDOW_HOURS * 3_600_000,
        },
      },
      context,
      { expectedRevision },
    );
  }

  changeStatus(
    caseId: string,
    to: 'open' | 'pending' | 'on_hold',
    context: CommandContext,
    expectedRevision?: number,
  ) {
    return this.run(caseId, { type: 'ChangeCaseStatus', data: { to, at: commandTime(context) } }, context, {
      expectedRevision,
    });
  }

  solve(caseId: string, context: CommandContext, expectedRevision?: number) {
    return this.run(caseId, { type: 'SolveCase', data: { at: commandTime(context) } }, context, {
      expectedRevision,
    });
  }

  close(caseId: string, context: CommandContext, expectedRevision?: number) {
    return this.run(caseId, { type: 'CloseCase', data: { at: commandTime(context) } }, context, {
      expectedRevision,
    });
  }

  escalate(caseId: string, dto: EscalateDto, context: CommandContext, expectedRevision?: number) {
    return this.run(
      caseId,
      { type: 'EscalateCase', data: { toQueue: dto.toQueue, at: commandTime(context) } },
      context,
      {
        expectedRevision,
      },
    );
  }

  assign(
    caseId: string,
    agentId: string,
    method: AssignmentMethod,
    context: CommandContext,
    expectedRevision?: number,
  ) {
    return this.run(
      caseId,
      { type: 'AssignCase', data: { agentId, method, at: commandTime(context) } },
      context,
      { expectedRevision },
    );
  }

  rate(caseId: string, answer: RatingDto, context: CommandContext) {
    const { score, comment, recommend } = answer;
    const data = {
      score,
      ...(comment ? { comment } : {}),
      ...(recommend !== undefined ? { recommend } : {}),
      at: commandTime(context),
    };
    return this.run(caseId, { type: 'RateCase', data }, context);
  }

  /** Links a knowledge base article (the version the agent saw) to the case. */
  linkArticle(
    caseId: string,
    article: { articleId: string; articleVersion: number },
    context: CommandContext,
    expectedRevision?: number,
  ) {
    return this.run(
      caseId,
      { type: 'LinkArticle', data: { ...article, at: commandTime(context) } },
      context,
      {
        expectedRevision,
      },
    );
  }

  /** What the case's clocks reached by now, published even if nobody touched the case. */
  checkSla(caseId: string, context: CommandContext) {
    return this.run(caseId, { type: 'CheckSla', data: { at: commandTime(context) } }, context);
  }

  /**
   * The case for this caller: 404 CASE_NOT_FOUND when there is none, or when a requester asks for
   * another customer's case (whether it exists is theirs to know no more than its content).
   */
  async loadFor(caseId: string, caller: Principal): Promise<{ state: ActiveCase; revision: number }> {
    const { state, revision } = await this.load(caseId);
    const requester = requesterOf(caller);
    if (state.status === 'none' || (requester !== undefined && state.customerId !== requester))
      throw notFound('CASE_NOT_FOUND', 'no case with this id');
    return { state, revision };
  }

  /** The case as its events decide it; also catches up the service levels `clocks` counts in. */
  async load(caseId: string): Promise<{ state: CaseState; revision: number }> {
    return (await this.current()).load(caseStreamId(caseId));
  }

  /** The clocks of a case at `at`, in business time of the calendars as of the last `load`. */
  clocks(c: ActiveCase, at: number): ClockView[] {
    const time = this.settings.time;
    return Object.values(c.clocks)
      .filter((k): k is SlaClock => k !== undefined)
      .map((k) => {
        const due = dueAt(time, k);
        return {
          clock: k.name,
          targetMinutes: k.targetMs / 60_000,
          elapsedBusinessMinutes: Math.round(elapsedBusinessTime(time, k, at) / 600) / 100,
          pausedSpans: k.pauses.length,
          dueAt: due === undefined ? null : new Date(due).toISOString(),
          state: k.breached
            ? 'breached'
            : k.stoppedAt !== undefined
              ? 'met'
              : isPaused(k)
                ? 'paused'
                : 'running',
        };
      });
  }

  private async run(
    caseId: string,
    command: CaseCommand,
    context: CommandContext,
    options: HandleOptions = {},
  ): Promise<CaseResult> {
    const handler = await this.current();
    const result = await handler.handle(caseStreamId(caseId), command, context, options);
    return { case: result.state as ActiveCase, revision: result.revision };
  }
}
