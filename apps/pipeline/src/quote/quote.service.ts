import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { assertValidEvent, commandTime, type CommandContext, type QuoteLine } from '@crm/contracts';
import { CommandHandler, fold } from '@crm/decider';
import type { EventStore } from '@crm/event-store';
import { EVENT_STORE, assertInScope, recordScope, type Principal } from '@crm/service-kit';
import { opportunityDecider } from '../opportunity/opportunity.decider';
import { opportunityStreamId, type OpportunityEvent } from '../opportunity/opportunity.events';
import { PipelineConfig } from '../pipeline.config';
import { quoteDecider, type Quote, type QuoteCommand, type QuoteState } from './quote.decider';
import { QUOTE_SCHEMA_VERSIONS, quoteStreamId, type QuoteEvent } from './quote.events';

export interface QuoteResult {
  quote: Quote;
  revision: number;
}

/**
 * Commands on quotes; drafting goes through the opportunity (see OpportunityService.draftQuote).
 * A quote belongs to its opportunity's owner: the caller may change it only if that owner is in
 * their scope (a rep's own, a manager's team), as for the opportunity itself.
 */
@Injectable()
export class QuoteService {
  private readonly handler: CommandHandler<QuoteCommand, QuoteState, QuoteEvent>;

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly config: PipelineConfig,
  ) {
    this.handler = new CommandHandler({
      store,
      decider: quoteDecider,
      schemaVersions: QUOTE_SCHEMA_VERSIONS,
      // Checked against its published contract before it is stored.
      validateEvent: assertValidEvent,
      customerIdOf: (state) => state!.customerId,
    });
  }

  load(quoteId: string) {
    return this.handler.load(quoteStreamId(quoteId));
  }

  draft(
    input: { opportunityId: string; customerId: string; currency: string; lines: QuoteLine[] },
    context: CommandContext,
  ) {
    const quoteId = randomUUID();
    const threshold = this.config.QUOTE_DISCOUNT_APPROVAL_THRESHOLD;
    return this.run(
      quoteId,
      {
        type: 'DraftQuote',
        data: { ...input, quoteId, discountApprovalThreshold: threshold, at: commandTime(context) },
      },
      context,
    );
  }

  async revise(
    quoteId: string,
    lines: QuoteLine[],
    context: CommandContext,
    expected?: number,
    caller?: Principal,
  ) {
    await this.assertCaller(quoteId, caller);
    const threshold = this.config.QUOTE_DISCOUNT_APPROVAL_THRESHOLD;
    return this.run(
      quoteId,
      {
        type: 'ReviseQuote',
        data: { lines, discountApprovalThreshold: threshold, at: commandTime(context) },
      },
      context,
      expected,
    );
  }

  /** The approver is the caller: their `sub` and roles, from their verified token. */
  async approveDiscount(quoteId: string, caller: Principal, context: CommandContext, expected?: number) {
    await this.assertCaller(quoteId, caller);
    const approverId = caller.subject;
    const approverRoles = caller.roles;
    return this.run(
      quoteId,
      { type: 'ApproveQuoteDiscount', data: { approverId, approverRoles, at: commandTime(context) } },
      context,
      expected,
    );
  }

  async send(quoteId: string, context: CommandContext, expected?: number, caller?: Principal) {
    await this.assertCaller(quoteId, caller);
    return this.run(quoteId, { type: 'SendQuote', data: { at: commandTime(context) } }, context, expected);
  }

  async accept(quoteId: string, context: CommandContext, expected?: number, caller?: Principal) {
    await this.assertCaller(quoteId, caller);
    return this.run(quoteId, { type: 'AcceptQuote', data: { at: commandTime(context) } }, context, expected);
  }

  async reject(
    quoteId: string,
    reason: string | undefined,
    context: CommandContext,
    expected?: number,
    caller?: Principal,
  ) {
    await this.assertCaller(quoteId, caller);
    return this.run(
      quoteId,
      { type: 'RejectQuote', data: { ...(reason ? { reason } : {}), at: commandTime(context) } },
      context,
      expected,
    );
  }

  /**
   * NOT_RECORD_OWNER unless the owner of the quote's opportunity (from its stream) is in the
   * caller's scope. An unknown quote is left to the decider (404).
   */
  private async assertCaller(quoteId: string, caller: Principal | undefined): Promise<void> {
    const scope = recordScope(caller, 'write');
    if (scope.all) return;
    const { state: quote } = await this.load(quoteId);
    if (!quote) return;
    const recorded = await this.store.readStream(opportunityStreamId(quote.opportunityId));
    const opportunity = fold(
      opportunityDecider,
      recorded.map((e) => ({ type: e.type, data: e.data }) as OpportunityEvent),
    );
    assertInScope(scope, opportunity?.ownerId, 'quote');
  }

  private async run(
    quoteId: string,
    command: QuoteCommand,
    context: CommandContext,
    expectedRevision?: number,
  ): Promise<QuoteResult> {
    const result = await this.handler.handle(quoteStreamId(quoteId), command, context, { expectedRevision });
    return { quote: result.state!, revision: result.revision };
  }
}
