import { Body, Controller, Get, HttpCode, Param, Post, Put, Res } from '@nestjs/common';
import { ApiForbiddenResponse, ApiHeader, ApiTags, ApiUnprocessableEntityResponse } from '@nestjs/swagger';
import type { Response } from 'express';
import type { CommandContext } from '@crm/contracts';
import { ActorRoles, CommandCtx, IfMatchRevision, etagFor } from '@crm/service-kit';
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

@ApiTags('quotes')
@ApiUnprocessableEntityResponse({
  description: 'A business rule forbids the command (e.g. discount not approved)',
})
@Controller('quotes')
export class QuoteController {
  constructor(
    private readonly quotes: QuoteService,
    private readonly queries: OpportunityQueries,
  ) {}

  @Get(':id')
  async get(@Param() { id }: QuoteIdParams, @Res({ passthrough: true }) res: Response) {
    const quote = await this.queries.quote(id);
    res.setHeader('ETag', etagFor(quote.revision));
    return quote;
  }

  @Put(':id/lines')
  async revise(
    @Param() { id }: QuoteIdParams,
    @Body() dto: QuoteLinesDto,
    @IfMatchRevision() expected: number | undefined,
    @CommandCtx() context: CommandContext,
    @Res({ passthrough: true }) res: Response,
  ) {
    const lines = dto.lines.map((l) => ({ ...l, discountPercent: l.discountPercent ?? 0 }));
    return quoteAccepted(res, await this.quotes.revise(id, lines, context, expected));
  }

  @Post(':id/approve-discount')
  @HttpCode(200)
  @ApiHeader({ name: 'X-Actor-Roles', description: 'Set by the gateway; must include manager' })
  @ApiForbiddenResponse({ description: 'The caller is not a manager' })
  async approve(
    @Param() { id }: QuoteIdParams,
    @ActorRoles() roles: string[],
    @IfMatchRevision() expected: number | undefined,
    @CommandCtx() context: CommandContext,
    @Res({ passthrough: true }) res: Response,
  ) {
    return quoteAccepted(res, await this.quotes.approveDiscount(id, roles, context, expected));
  }

  @Post(':id/send')
  @HttpCode(200)
  async send(
    @Param() { id }: QuoteIdParams,
    @IfMatchRevision() expected: number | undefined,
    @CommandCtx() context: CommandContext,
    @Res({ passthrough: true }) res: Response,
  ) {
    return quoteAccepted(res, await this.quotes.send(id, context, expected));
  }

  @Post(':id/accept')
  @HttpCode(200)
  async accept(
    @Param() { id }: QuoteIdParams,
    @IfMatchRevision() expected: number | undefined,
    @CommandCtx() context: CommandContext,
    @Res({ passthrough: true }) res: Response,
  ) {
    return quoteAccepted(res, await this.quotes.accept(id, context, expected));
  }

  @Post(':id/reject')
  @HttpCode(200)
  async reject(
    @Param() { id }: QuoteIdParams,
    @Body() dto: RejectQuoteDto,
    @IfMatchRevision() expected: number | undefined,
    @CommandCtx() context: CommandContext,
    @Res({ passthrough: true }) res: Response,
  ) {
    return quoteAccepted(res, await this.quotes.reject(id, dto.reason, context, expected));
  }
}
