import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { assertValidEvent, commandTime, type CommandContext, type QuoteLine } from '@crm/contracts';
import { CommandHandler } from '@crm/decider';
import type { EventStore } from '@crm/event-store';
import { EVENT_STORE } from '@crm/service-kit';
import { PipelineConfig } from '../pipeline.config';
import { quoteDecider, type Quote, type QuoteCommand, type QuoteState } from './quote.decider';
import { QUOTE_SCHEMA_VERSIONS, quoteStreamId, type QuoteEvent } from './quote.events';

export interface QuoteResult {
  quote: Quote;
  revision: number;
}

/** Commands on quotes; drafting goes through the opportunity (see OpportunityService.draftQuote). */
@Injectable()
export class QuoteService {
  private readonly handler: CommandHandler<QuoteCommand, QuoteState, QuoteEvent>;

  constructor(
    @Inject(EVENT_STORE) store: EventStore,
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

  revise(quoteId: string, lines: QuoteLine[], context: CommandContext, expected?: number) {
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

  approveDiscount(quoteId: string, approverRoles: string[], context: CommandContext, expected?: number) {
    const approverId = context.actor ?? 'unknown';
    return this.run(
      quoteId,
      { type: 'ApproveQuoteDiscount', data: { approverId, approverRoles, at: commandTime(context) } },
      context,
      expected,
    );
  }

  send(quoteId: string, context: CommandContext, expected?: number) {
    return this.run(quoteId, { type: 'SendQuote', data: { at: commandTime(context) } }, context, expected);
  }

  accept(quoteId: string, context: CommandContext, expected?: number) {
    return this.run(quoteId, { type: 'AcceptQuote', data: { at: commandTime(context) } }, context, expected);
  }

  reject(quoteId: string, reason: string | undefined, context: CommandContext, expected?: number) {
    return this.run(
      quoteId,
      { type: 'RejectQuote', data: { ...(reason ? { reason } : {}), at: commandTime(context) } },
      context,
      expected,
    );
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
