import { Body, Controller, Get, HttpCode, Param, Patch, Post, Query, Res } from '@nestjs/common';
import {
  ApiConflictResponse,
  ApiNotFoundResponse,
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import type { Response } from 'express';
import type { CommandContext } from '@crm/contracts';
import { CommandCtx, IfMatchRevision, etagFor } from '@crm/service-kit';
import { OpportunityQueries } from '../read-model/opportunity.queries';
import { DraftQuoteDto } from '../quote/quote.dto';
import { quoteAccepted } from '../quote/quote.controller';
import {
  ChangeOpportunityDto,
  ListOpportunitiesQuery,
  LoseOpportunityDto,
  MoveStageDto,
  OpenOpportunityDto,
  OpportunityIdParams,
  WinOpportunityDto,
} from './opportunity.dto';
import { OpportunityService, type OpportunityResult } from './opportunity.service';

function accepted(res: Response, { opportunity: o, revision }: OpportunityResult) {
  res.setHeader('ETag', etagFor(revision));
  return {
    id: o.opened.opportunityId,
    accountId: o.opened.accountId,
    customerId: o.opened.customerId,
    revision,
    status: o.status,
    stage: o.stage,
    probability: o.probability,
    forecastCategory: o.forecastCategory,
    ...(o.amount !== undefined ? { amount: o.amount } : {}),
    currency: o.currency,
    ownerId: o.ownerId,
  };
}

@ApiTags('opportunities')
@ApiNotFoundResponse({ description: 'No such opportunity, account or quote' })
@ApiConflictResponse({ description: 'Stale If-Match' })
@ApiUnprocessableEntityResponse({ description: 'A business rule forbids the command' })
@Controller('opportunities')
export class OpportunityController {
  constructor(
    private readonly opportunities: OpportunityService,
    private readonly queries: OpportunityQueries,
  ) {}

  @Post()
  @HttpCode(201)
  async open(
    @Body() dto: OpenOpportunityDto,
    @CommandCtx() context: CommandContext,
    @Res({ passthrough: true }) res: Response,
  ) {
    const result = await this.opportunities.open(dto, context);
    res.setHeader('Location', `/opportunities/${result.opportunity.opened.opportunityId}`);
    return accepted(res, result);
  }

  @Get()
  list(@Query() query: ListOpportunitiesQuery) {
    return this.queries.list(query);
  }

  @Get(':id')
  async get(@Param() { id }: OpportunityIdParams, @Res({ passthrough: true }) res: Response) {
    const opportunity = await this.queries.byId(id);
    res.setHeader('ETag', etagFor(opportunity.revision));
    return opportunity;
  }

  @Post(':id/stage')
  @HttpCode(200)
  async move(
    @Param() { id }: OpportunityIdParams,
    @Body() dto: MoveStageDto,
    @IfMatchRevision() expected: number | undefined,
    @CommandCtx() context: CommandContext,
    @Res({ passthrough: true }) res: Response,
  ) {
    return accepted(res, await this.opportunities.moveStage(id, dto.stage, context, expected));
  }

  @Patch(':id')
  async change(
    @Param() { id }: OpportunityIdParams,
    @Body() dto: ChangeOpportunityDto,
    @IfMatchRevision() expected: number | undefined,
    @CommandCtx() context: CommandContext,
    @Res({ passthrough: true }) res: Response,
  ) {
    return accepted(res, await this.opportunities.changeDetails(id, dto, context, expected));
  }

  @Post(':id/win')
  @HttpCode(200)
  async win(
    @Param() { id }: OpportunityIdParams,
    @Body() dto: WinOpportunityDto,
    @IfMatchRevision() expected: number | undefined,
    @CommandCtx() context: CommandContext,
    @Res({ passthrough: true }) res: Response,
  ) {
    return accepted(res, await this.opportunities.win(id, dto.quoteId, context, expected));
  }

  @Post(':id/lose')
  @HttpCode(200)
  async lose(
    @Param() { id }: OpportunityIdParams,
    @Body() dto: LoseOpportunityDto,
    @IfMatchRevision() expected: number | undefined,
    @CommandCtx() context: CommandContext,
    @Res({ passthrough: true }) res: Response,
  ) {
    return accepted(res, await this.opportunities.lose(id, dto.reason, dto.notes, context, expected));
  }

  @Post(':id/quotes')
  @HttpCode(201)
  async draftQuote(
    @Param() { id }: OpportunityIdParams,
    @Body() dto: DraftQuoteDto,
    @CommandCtx() context: CommandContext,
    @Res({ passthrough: true }) res: Response,
  ) {
    const lines = dto.lines.map((l) => ({ ...l, discountPercent: l.discountPercent ?? 0 }));
    const result = await this.opportunities.draftQuote(id, lines, dto.currency, context);
    res.setHeader('Location', `/quotes/${result.quote.quoteId}`);
    return quoteAccepted(res, result);
  }
}
