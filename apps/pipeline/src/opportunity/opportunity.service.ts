import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import {
  assertValidEvent,
  commandTime,
  type CommandContext,
  type LossReason,
  type QuoteLine,
} from '@crm/contracts';
import { CommandHandler, notFound, ruleBroken, type CommandHandlerConfig } from '@crm/decider';
import type { EventStore } from '@crm/event-store';
import { EVENT_STORE, assertInScope, recordScope, withinScope, type Principal } from '@crm/service-kit';
import { AccountService } from '../account/account.service';
import { PipelineConfig } from '../pipeline.config';
import { QuoteService } from '../quote/quote.service';
import {
  opportunityDecider,
  type Opportunity,
  type OpportunityCommand,
  type OpportunityDetails,
  type OpportunityState,
} from './opportunity.decider';
import {
  OPPORTUNITY_SCHEMA_VERSIONS,
  opportunityStreamId,
  type OpportunityEvent,
} from './opportunity.events';

export interface OpportunityResult {
  opportunity: Opportunity;
  revision: number;
}

export interface OpenOpportunityInput {
  opportunityId?: string;
  accountId: string;
  name: string;
  ownerId: string;
  amount?: number;
  currency: string;
  expectedCloseDate?: string;
  stage?: string;
  fromLeadId?: string;
  fromCampaignId?: string;
}

/**
 * Commands on opportunities, through the configured pipeline. The caller (the verified principal,
 * none for reactions) may change only the opportunities in their scope: a rep their own, a
 * manager their team's (NOT_RECORD_OWNER otherwise), and give them only to owners of that scope.
 */
@Injectable()
export class OpportunityService {
  private readonly handler: CommandHandler<OpportunityCommand, OpportunityState, OpportunityEvent>;
  private readonly handlerConfig: CommandHandlerConfig<
    OpportunityCommand,
    OpportunityState,
    OpportunityEvent
  >;

  constructor(
    @Inject(EVENT_STORE) store: EventStore,
    private readonly config: PipelineConfig,
    private readonly accounts: AccountService,
    private readonly quotes: QuoteService,
  ) {
    this.handlerConfig = {
      store,
      decider: opportunityDecider,
      schemaVersions: OPPORTUNITY_SCHEMA_VERSIONS,
      // Checked against its published contract before it is stored.
      validateEvent: assertValidEvent,
      customerIdOf: (state) => state!.opened.customerId,
    };
    this.handler = new CommandHandler(this.handlerConfig);
  }

  async open(
    input: OpenOpportunityInput,
    context: CommandContext,
    caller?: Principal,
  ): Promise<OpportunityResult> {
    assertInScope(recordScope(caller, 'write'), input.ownerId, 'opportunity');
    const { state: account } = await this.accounts.load(input.accountId);
    if (!account)
      throw notFound('ACCOUNT_NOT_FOUND', 'no account with this id', { accountId: input.accountId });
    const opportunityId = input.opportunityId ?? randomUUID();
    const { stage, ...rest } = input;
    return this.run(
      opportunityId,
      {
        type: 'OpenOpportunity',
        data: {
          ...rest,
          opportunityId,
          customerId: account.customerId,
          ...(stage ? { stage } : {}),
          stages: this.config.stages,
          at: commandTime(context),
        },
      },
      context,
    );
  }

  moveStage(id: string, stage: string, context: CommandContext, expected?: number, caller?: Principal) {
    return this.run(
      id,
      { type: 'MoveOpportunityStage', data: { stage, stages: this.config.stages, at: commandTime(context) } },
      context,
      expected,
      caller,
    );
  }

  changeDetails(
    id: string,
    changes: OpportunityDetails,
    context: CommandContext,
    expected?: number,
    caller?: Principal,
  ) {
    if (changes.ownerId) assertInScope(recordScope(caller, 'write'), changes.ownerId, 'opportunity');
    return this.run(
      id,
      { type: 'ChangeOpportunityDetails', data: { ...changes, at: commandTime(context) } },
      context,
      expected,
      caller,
    );
  }

  async win(
    id: string,
    quoteId: string | undefined,
    context: CommandContext,
    expected?: number,
    caller?: Principal,
  ) {
    let quote;
    if (quoteId) {
      const { state } = await this.quotes.load(quoteId);
      if (!state) throw notFound('QUOTE_NOT_FOUND', 'no quote with this id', { quoteId });
      quote = {
        quoteId,
        total: state.totals.total,
        currency: state.currency,
        status: state.status,
        opportunityId: state.opportunityId,
      };
    }
    return this.run(
      id,
      { type: 'WinOpportunity', data: { ...(quote ? { quote } : {}), at: commandTime(context) } },
      context,
      expected,
      caller,
    );
  }

  lose(
    id: string,
    reason: LossReason,
    notes: string | undefined,
    context: CommandContext,
    expected?: number,
    caller?: Principal,
  ) {
    return this.run(
      id,
      { type: 'LoseOpportunity', data: { reason, ...(notes ? { notes } : {}), at: commandTime(context) } },
      context,
      expected,
      caller,
    );
  }

  /** Drafts a quote for an open opportunity, in its currency unless another is given. */
  async draftQuote(
    id: string,
    lines: QuoteLine[],
    currency: string | undefined,
    context: CommandContext,
    caller?: Principal,
  ) {
    const { state } = await this.load(id);
    if (!state) throw notFound('OPPORTUNITY_NOT_FOUND', 'no opportunity with this id', { opportunityId: id });
    assertInScope(recordScope(caller, 'write'), state.ownerId, 'opportunity');
    if (state.status !== 'open') throw ruleBroken('OPPORTUNITY_CLOSED', `the opportunity is ${state.status}`);
    return this.quotes.draft(
      { opportunityId: id, customerId: state.opened.customerId, currency: currency ?? state.currency, lines },
      context,
    );
  }

  load(id: string) {
    return this.handler.load(opportunityStreamId(id));
  }

  private async run(
    id: string,
    command: OpportunityCommand,
    context: CommandContext,
    expectedRevision?: number,
    caller?: Principal,
  ): Promise<OpportunityResult> {
    const scope = recordScope(caller, 'write');
    const decider = withinScope(
      opportunityDecider,
      (o) => o?.ownerId,
      (o) => o !== undefined,
      scope,
      'opportunity',
    );
    const handler = new CommandHandler({ ...this.handlerConfig, decider });
    const result = await handler.handle(opportunityStreamId(id), command, context, { expectedRevision });
    return { opportunity: result.state!, revision: result.revision };
  }
}
