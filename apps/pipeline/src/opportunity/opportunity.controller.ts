import {
  Body,
  Controller,
  Get,
  HttpCode,
  Param,
  Patch,
  Post,
  Query,
  Res,
  applyDecorators,
} from '@nestjs/common';
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
  QUERY_PROBLEMS,
  Roles,
  etagFor,
  type Principal,
  type Role,
} from '@crm/service-kit';
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

const NOT_FOUND = 'No opportunity with this id (OPPORTUNITY_NOT_FOUND)';

/**
 * Reps and managers work opportunities within their record scope (a rep's own, a manager's
 * team's), admins all of them; analysts and integrators only read.
 */
const WORKERS: [Role, ...Role[]] = ['sales_rep', 'sales_manager', 'admin'];
const READERS: [Role, ...Role[]] = [...WORKERS, 'analyst', 'integrator'];
const CLOSED = 'The opportunity is won or lost (OPPORTUNITY_CLOSED)';
/** A command on an existing opportunity, with If-Match. */
const command = (operationId: string, summary: string, problems: { 404?: string; 422?: string } = {}) =>
  applyDecorators(
    ApiOperation({ operationId, summary }),
    ApiCommandResult({ status: 200, description: 'Done (or already so)' }),
    ApiIfMatch('opportunity'),
    ApiProblems({ ...BODY_COMMAND_PROBLEMS, 404: NOT_FOUND, 422: CLOSED, ...problems }),
  );

@ApiTags('opportunities')
@Controller('opportunities')
export class OpportunityController {
  constructor(
    private readonly opportunities: OpportunityService,
    private readonly queries: OpportunityQueries,
  ) {}

  @Post()
  @Roles(...WORKERS)
  @HttpCode(201)
  @ApiOperation({ operationId: 'openOpportunity', summary: 'Open an opportunity for an existing account' })
  @ApiCommandResult({ status: 201, description: 'Opened', location: true })
  @ApiProblems({
    ...BODY_COMMAND_PROBLEMS,
    400: `${BODY_COMMAND_PROBLEMS[400]}; an unknown stage (UNKNOWN_STAGE) or a closed one (STAGE_IS_CLOSED)`,
    404: 'No account with this id (ACCOUNT_NOT_FOUND)',
  })
  async open(
    @Body() dto: OpenOpportunityDto,
    @CommandCtx() context: CommandContext,
    @CurrentPrincipal() caller: Principal,
    @Res({ passthrough: true }) res: Response,
  ) {
    const result = await this.opportunities.open(dto, context, caller);
    res.setHeader('Location', `/opportunities/${result.opportunity.opened.opportunityId}`);
    return accepted(res, result);
  }

  @Get()
  @Roles(...READERS)
  @ApiOperation({
    operationId: 'listOpportunities',
    summary: 'List opportunities by stage, status, owner, month or account',
  })
  @ApiOkResponse({ description: 'The matching opportunities' })
  @ApiProblems(QUERY_PROBLEMS)
  list(@Query() query: ListOpportunitiesQuery, @CurrentPrincipal() caller: Principal) {
    return this.queries.list(query, caller);
  }

  @Get(':id')
  @Roles(...READERS)
  @ApiOperation({ operationId: 'getOpportunity', summary: 'Read an opportunity with its stage history' })
  @ApiOkResponse({ description: 'The opportunity, as the read model has it', headers: ETAG_HEADER })
  @ApiProblems({ ...QUERY_PROBLEMS, 404: NOT_FOUND })
  async get(
    @Param() { id }: OpportunityIdParams,
    @CurrentPrincipal() caller: Principal,
    @Res({ passthrough: true }) res: Response,
  ) {
    const opportunity = await this.queries.byId(id, caller);
    res.setHeader('ETag', etagFor(opportunity.revision));
    return opportunity;
  }

  @Post(':id/stage')
  @Roles(...WORKERS)
  @HttpCode(200)
  @command('moveOpportunityStage', 'Move the opportunity to another open stage', {
    422: `${CLOSED}, or the stage is a closed one: win or lose instead (USE_WIN_OR_LOSE)`,
  })
  async move(
    @Param() { id }: OpportunityIdParams,
    @Body() dto: MoveStageDto,
    @IfMatchRevision() expected: number | undefined,
    @CommandCtx() context: CommandContext,
    @CurrentPrincipal() caller: Principal,
    @Res({ passthrough: true }) res: Response,
  ) {
    return accepted(res, await this.opportunities.moveStage(id, dto.stage, context, expected, caller));
  }

  @Patch(':id')
  @Roles(...WORKERS)
  @command('changeOpportunity', 'Change name, amount, currency, close date, forecast category or owner')
  async change(
    @Param() { id }: OpportunityIdParams,
    @Body() dto: ChangeOpportunityDto,
    @IfMatchRevision() expected: number | undefined,
    @CommandCtx() context: CommandContext,
    @CurrentPrincipal() caller: Principal,
    @Res({ passthrough: true }) res: Response,
  ) {
    return accepted(res, await this.opportunities.changeDetails(id, dto, context, expected, caller));
  }

  @Post(':id/win')
  @Roles(...WORKERS)
  @HttpCode(200)
  @command('winOpportunity', 'Win the opportunity with an accepted quote or its amount', {
    404: `${NOT_FOUND}, or no quote with the given id (QUOTE_NOT_FOUND)`,
    422: `${CLOSED}; the quote is not accepted (QUOTE_NOT_ACCEPTED) or of another opportunity (QUOTE_OF_ANOTHER_OPPORTUNITY); no quote and no amount (WIN_NEEDS_QUOTE_OR_AMOUNT)`,
  })
  async win(
    @Param() { id }: OpportunityIdParams,
    @Body() dto: WinOpportunityDto,
    @IfMatchRevision() expected: number | undefined,
    @CommandCtx() context: CommandContext,
    @CurrentPrincipal() caller: Principal,
    @Res({ passthrough: true }) res: Response,
  ) {
    return accepted(res, await this.opportunities.win(id, dto.quoteId, context, expected, caller));
  }

  @Post(':id/lose')
  @Roles(...WORKERS)
  @HttpCode(200)
  @command('loseOpportunity', 'Lose the opportunity, with a reason')
  async lose(
    @Param() { id }: OpportunityIdParams,
    @Body() dto: LoseOpportunityDto,
    @IfMatchRevision() expected: number | undefined,
    @CommandCtx() context: CommandContext,
    @CurrentPrincipal() caller: Principal,
    @Res({ passthrough: true }) res: Response,
  ) {
    return accepted(res, await this.opportunities.lose(id, dto.reason, dto.notes, context, expected, caller));
  }

  @Post(':id/quotes')
  @Roles(...WORKERS)
  @HttpCode(201)
  @ApiOperation({ operationId: 'draftQuote', summary: 'Draft a quote for the opportunity from line items' })
  @ApiCommandResult({ status: 201, description: 'Drafted, with its totals', location: true })
  @ApiProblems({
    ...BODY_COMMAND_PROBLEMS,
    400: `${BODY_COMMAND_PROBLEMS[400]}; no lines (QUOTE_NEEDS_LINES) or an invalid one (INVALID_QUOTE_LINE)`,
    404: NOT_FOUND,
    422: CLOSED,
  })
  async draftQuote(
    @Param() { id }: OpportunityIdParams,
    @Body() dto: DraftQuoteDto,
    @CommandCtx() context: CommandContext,
    @CurrentPrincipal() caller: Principal,
    @Res({ passthrough: true }) res: Response,
  ) {
    const lines = dto.lines.map((l) => ({ ...l, discountPercent: l.discountPercent ?? 0 }));
    const result = await this.opportunities.draftQuote(id, lines, dto.currency, context, caller);
    res.setHeader('Location', `/quotes/${result.quote.quoteId}`);
    return quoteAccepted(res, result);
  }
}
