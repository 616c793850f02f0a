import { Body, Controller, Get, HttpCode, Param, Post, Put, Res, applyDecorators } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import type { CommandContext } from '@crm/contracts';
import {
  ApiCommandResult,
  ApiIfMatch,
  ApiProblems,
  BODY_COMMAND_PROBLEMS,
  CommandCtx,
  CurrentPrincipal,
  ETAG_HEADER,
  IfMatchRevision,
  NO_BODY_COMMAND_PROBLEMS,
  NoBody,
  QUERY_PROBLEMS,
  Roles,
  etagFor,
  type Principal,
  type ProblemStatus,
  type Role,
} from '@crm/service-kit';
import { OpportunityQueries } from '../read-model/opportunity.queries';
import { QuoteIdParams, QuoteLinesDto, RejectQuoteDto } from './quote.dto';
import { QuoteService, type QuoteResult } from './quote.service';

export function quoteAccepted(res: Response, { quote: q, revision }: QuoteResult) {
  res.setHeader('ETag', etagFor(revision));
  return {
    id: q.quoteId,
    opportunityId: q.opportunityId,
    revision,
    status: q.status,
    currency: q.currency,
    lines: q.lines,
    totals: q.totals,
    approvalRequired: q.approvalRequired,
    approved: q.approved,
  };
}

const NOT_FOUND = 'No quote with this id (QUOTE_NOT_FOUND)';

/** A quote is its opportunity's: its owner's reps and managers work it (see OpportunityController). */
const WORKERS: [Role, ...Role[]] = ['sales_rep', 'sales_manager', 'admin'];
const READERS: [Role, ...Role[]] = [...WORKERS, 'analyst', 'integrator'];
const NOT_SENT = 'The quote has not been sent (QUOTE_NOT_SENT)';
/** A command on an existing quote, with If-Match. */
const command = (
  operationId: string,
  summary: string,
  problems: Partial<Record<ProblemStatus, string>> & { 422: string },
) =>
  applyDecorators(
    ApiOperation({ operationId, summary }),
    ApiCommandResult({ status: 200, description: 'Done (or already so), with the totals' }),
    ApiIfMatch('quote'),
    ApiProblems({ 404: NOT_FOUND, ...problems }),
  );

@ApiTags('quotes')
@Controller('quotes')
export class QuoteController {
  constructor(
    private readonly quotes: QuoteService,
    private readonly queries: OpportunityQueries,
  ) {}

  @Get(':id')
  @Roles(...READERS)
  @ApiOperation({ operationId: 'getQuote', summary: 'Read a quote with its lines and totals' })
  @ApiOkResponse({ description: 'The quote, as the read model has it', headers: ETAG_HEADER })
  @ApiProblems({ ...QUERY_PROBLEMS, 404: NOT_FOUND })
  async get(
    @Param() { id }: QuoteIdParams,
    @CurrentPrincipal() caller: Principal,
    @Res({ passthrough: true }) res: Response,
  ) {
    const quote = await this.queries.quote(id, caller);
    res.setHeader('ETag', etagFor(quote.revision));
    return quote;
  }

  @Put(':id/lines')
  @Roles(...WORKERS)
  @command('reviseQuoteLines', 'Replace the lines of a draft quote', {
    ...BODY_COMMAND_PROBLEMS,
    400: `${BODY_COMMAND_PROBLEMS[400]}; no lines (QUOTE_NEEDS_LINES) or an invalid one (INVALID_QUOTE_LINE)`,
    422: 'The quote was sent and can no longer change (QUOTE_ALREADY_SENT)',
  })
  async revise(
    @Param() { id }: QuoteIdParams,
    @Body() dto: QuoteLinesDto,
    @IfMatchRevision() expected: number | undefined,
    @CommandCtx() context: CommandContext,
    @CurrentPrincipal() caller: Principal,
    @Res({ passthrough: true }) res: Response,
  ) {
    const lines = dto.lines.map((l) => ({ ...l, discountPercent: l.discountPercent ?? 0 }));
    return quoteAccepted(res, await this.quotes.revise(id, lines, context, expected, caller));
  }

  @Post(':id/approve-discount')
  // A manager's decision, whoever else may run the platform: not even admins approve discounts.
  @Roles('sales_manager')
  @HttpCode(200)
  @command('approveQuoteDiscount', "Approve the quote's discount (sales managers)", {
    ...NO_BODY_COMMAND_PROBLEMS,
    403: "The caller is not a sales manager (ROLE_NOT_ALLOWED, MANAGER_ROLE_REQUIRED), or the opportunity's owner is not in their team (NOT_RECORD_OWNER)",
    422: 'The quote was sent and can no longer change (QUOTE_ALREADY_SENT)',
  })
  async approve(
    @Param() { id }: QuoteIdParams,
    @NoBody() _body: undefined,
    @IfMatchRevision() expected: number | undefined,
    @CommandCtx() context: CommandContext,
    @CurrentPrincipal() caller: Principal,
    @Res({ passthrough: true }) res: Response,
  ) {
    return quoteAccepted(res, await this.quotes.approveDiscount(id, caller, context, expected));
  }

  @Post(':id/send')
  @Roles(...WORKERS)
  @HttpCode(200)
  @command('sendQuote', 'Send the quote to the customer', {
    ...NO_BODY_COMMAND_PROBLEMS,
    422: 'The quote was rejected (QUOTE_REJECTED), or its discount awaits approval (DISCOUNT_NEEDS_APPROVAL)',
  })
  async send(
    @Param() { id }: QuoteIdParams,
    @NoBody() _body: undefined,
    @IfMatchRevision() expected: number | undefined,
    @CommandCtx() context: CommandContext,
    @CurrentPrincipal() caller: Principal,
    @Res({ passthrough: true }) res: Response,
  ) {
    return quoteAccepted(res, await this.quotes.send(id, context, expected, caller));
  }

  @Post(':id/accept')
  @Roles(...WORKERS)
  @HttpCode(200)
  @command('acceptQuote', "Record the customer's acceptance of the quote", {
    ...NO_BODY_COMMAND_PROBLEMS,
    422: `${NOT_SENT}, or it was rejected (QUOTE_REJECTED)`,
  })
  async accept(
    @Param() { id }: QuoteIdParams,
    @NoBody() _body: undefined,
    @IfMatchRevision() expected: number | undefined,
    @CommandCtx() context: CommandContext,
    @CurrentPrincipal() caller: Principal,
    @Res({ passthrough: true }) res: Response,
  ) {
    return quoteAccepted(res, await this.quotes.accept(id, context, expected, caller));
  }

  @Post(':id/reject')
  @Roles(...WORKERS)
  @HttpCode(200)
  @command('rejectQuote', "Record the customer's rejection of the quote, with a reason", {
    ...BODY_COMMAND_PROBLEMS,
    422: `${NOT_SENT}, or it was accepted (QUOTE_ACCEPTED)`,
  })
  async reject(
    @Param() { id }: QuoteIdParams,
    @Body() dto: RejectQuoteDto,
    @IfMatchRevision() expected: number | undefined,
    @CommandCtx() context: CommandContext,
    @CurrentPrincipal() caller: Principal,
    @Res({ passthrough: true }) res: Response,
  ) {
    return quoteAccepted(res, await this.quotes.reject(id, dto.reason, context, expected, caller));
  }
}
