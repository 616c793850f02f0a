import { Body, Controller, Get, HttpCode, NotFoundException, Param, Post, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import type { CommandContext } from '@crm/contracts';
import {
  ApiCommandResult,
  ApiProblems,
  CommandEndpoint,
  BODY_COMMAND_PROBLEMS,
  CommandCtx,
  CurrentPrincipal,
  ETAG_HEADER,
  IfMatchRevision,
  NO_BODY_COMMAND_PROBLEMS,
  NoBody,
  Public,
  QUERY_PROBLEMS,
  Roles,
  etagFor,
  type Principal,
  type Role,
} from '@crm/service-kit';
import { ServiceDeskConfig } from '../service-desk.config';
import {
  CaseIdParams,
  EscalateDto,
  OpenCaseDto,
  RatingDto,
  ReplyDto,
  StatusDto,
  SurveyTokenParams,
} from './case.dto';
import { CaseService, type CaseResult } from './case.service';
import { caseOfSurveyToken, surveyToken } from './case.survey';

export class CaseAcceptedDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) customerId!: string;
  @ApiProperty() status!: string;
  @ApiProperty() priority!: string;
  @ApiProperty() queue!: string;
  @ApiProperty() revision!: number;
  @ApiPropertyOptional({
    description: 'Solved: the signed, single-use satisfaction survey link to send the customer',
  })
  surveyLink?: string;
}

const AGENTS: [Role, ...Role[]] = ['support_agent', 'support_manager', 'admin'];
const NOT_FOUND = 'No case with this id (CASE_NOT_FOUND)';
const SURVEY_VALID_MS = 30 * 24 * 3_600_000;

/** A command on one case: its path, operation and the case's If-Match. */
const onCase = (action: string, operationId: string, summary: string) => ({
  path: `cases/:id/${action}`,
  roles: AGENTS,
  operationId,
  summary,
  type: CaseAcceptedDto,
  ifMatch: 'case',
});

@ApiTags('cases')
@Controller()
export class CaseController {
  constructor(
    private readonly cases: CaseService,
    private readonly config: ServiceDeskConfig,
  ) {}

  private accepted(res: Response, { case: c, revision }: CaseResult): CaseAcceptedDto {
    res.setHeader('ETag', etagFor(revision));
    const solved = c.status === 'solved' && c.rating === undefined;
    return {
      id: c.caseId,
      customerId: c.customerId,
      status: c.status,
      priority: c.priority,
      queue: c.queue,
      revision,
      ...(solved
        ? {
            surveyLink: `/satisfaction/${surveyToken(this.config.csatSecret, c.caseId, new Date(Date.now() + SURVEY_VALID_MS))}`,
          }
        : {}),
    };
  }

  @CommandEndpoint({
    path: 'cases',
    roles: AGENTS,
    status: 201,
    operationId: 'openCase',
    summary: 'Open a case from any channel, under the SLA policy of its priority',
    description: 'Opened',
    type: CaseAcceptedDto,
    location: true,
    problems: { ...BODY_COMMAND_PROBLEMS, 404: 'The case to follow up does not exist (CASE_NOT_FOUND)' },
  })
  async open(
    @Body() dto: OpenCaseDto,
    @CommandCtx() context: CommandContext,
    @Res({ passthrough: true }) res: Response,
  ) {
    const result = await this.cases.open(dto, context);
    res.setHeader('Location', `/cases/${result.case.caseId}`);
    return this.accepted(res, result);
  }

  @Get('cases/:id')
  @Roles(...AGENTS)
  @ApiOperation({
    operationId: 'getCase',
    summary: 'A case with its SLA clocks (target, elapsed business time, pauses, due, state)',
  })
  @ApiOkResponse({ description: 'The case as its events decide it', headers: ETAG_HEADER })
  @ApiProblems({ ...QUERY_PROBLEMS, 404: NOT_FOUND })
  async get(@Param() { id }: CaseIdParams, @Res({ passthrough: true }) res: Response) {
    const { state, revision } = await this.cases.load(id);
    if (state.status === 'none')
      throw new NotFoundException({
        statusCode: 404,
        code: 'CASE_NOT_FOUND',
        message: 'no case with this id',
      });
    res.setHeader('ETag', etagFor(revision));
    const { clocks: _clocks, ...rest } = state;
    return { ...rest, revision, clocks: this.cases.clocks(state, Date.now()) };
  }

  @CommandEndpoint({
    ...onCase(
      'replies',
      'replyToCase',
      'A public reply or an internal note, by an agent or on behalf of the customer',
    ),
    status: 201,
    description: 'Recorded',
    problems: {
      ...BODY_COMMAND_PROBLEMS,
      404: NOT_FOUND,
      422: 'Closed (CASE_CLOSED), past the reopen window (FOLLOW_UP_CASE_REQUIRED), or a customer note (INTERNAL_NOTE_BY_CUSTOMER)',
    },
  })
  async reply(
    @Param() { id }: CaseIdParams,
    @Body() dto: ReplyDto,
    @IfMatchRevision() expected: number | undefined,
    @CommandCtx() context: CommandContext,
    @CurrentPrincipal() caller: Principal,
    @Res({ passthrough: true }) res: Response,
  ) {
    return this.accepted(res, await this.cases.reply(id, dto, context, caller, expected));
  }

  @CommandEndpoint({
    ...onCase(
      'status',
      'changeCaseStatus',
      'Open, pending (waiting on the customer) or on hold (a third party)',
    ),
    description: 'Changed',
    problems: {
      ...BODY_COMMAND_PROBLEMS,
      404: NOT_FOUND,
      422: 'Closed (CASE_CLOSED) or solved (CASE_SOLVED)',
    },
  })
  async status(
    @Param() { id }: CaseIdParams,
    @Body() dto: StatusDto,
    @IfMatchRevision() expected: number | undefined,
    @CommandCtx() context: CommandContext,
    @Res({ passthrough: true }) res: Response,
  ) {
    return this.accepted(res, await this.cases.changeStatus(id, dto.status, context, expected));
  }

  @CommandEndpoint({
    ...onCase('solve', 'solveCase', 'Solve the case; the answer carries the satisfaction survey link'),
    description: 'Solved',
    problems: { ...NO_BODY_COMMAND_PROBLEMS, 404: NOT_FOUND },
  })
  async solve(
    @Param() { id }: CaseIdParams,
    @NoBody() _body: undefined,
    @IfMatchRevision() expected: number | undefined,
    @CommandCtx() context: CommandContext,
    @Res({ passthrough: true }) res: Response,
  ) {
    return this.accepted(res, await this.cases.solve(id, context, expected));
  }

  @CommandEndpoint({
    ...onCase('close', 'closeCase', 'Close a solved case'),
    description: 'Closed',
    problems: { ...NO_BODY_COMMAND_PROBLEMS, 404: NOT_FOUND, 422: 'Not solved (CASE_NOT_SOLVED)' },
  })
  async close(
    @Param() { id }: CaseIdParams,
    @NoBody() _body: undefined,
    @IfMatchRevision() expected: number | undefined,
    @CommandCtx() context: CommandContext,
    @Res({ passthrough: true }) res: Response,
  ) {
    return this.accepted(res, await this.cases.close(id, context, expected));
  }

  @CommandEndpoint({
    ...onCase('escalate', 'escalateCase', 'Move the case to a higher tier queue and raise its priority'),
    description: 'Escalated',
    problems: { ...BODY_COMMAND_PROBLEMS, 404: NOT_FOUND, 422: 'Closed (CASE_CLOSED)' },
  })
  async escalate(
    @Param() { id }: CaseIdParams,
    @Body() dto: EscalateDto,
    @IfMatchRevision() expected: number | undefined,
    @CommandCtx() context: CommandContext,
    @Res({ passthrough: true }) res: Response,
  ) {
    return this.accepted(res, await this.cases.escalate(id, dto, context, expected));
  }

  @Post('satisfaction/:token')
  @Public()
  @HttpCode(200)
  @ApiTags('satisfaction')
  @ApiOperation({
    operationId: 'rateCase',
    summary: 'The customer rates a solved case (CSAT 1-5) through the signed, single-use survey link',
  })
  @ApiCommandResult({ status: 200, description: 'Rated', type: CaseAcceptedDto })
  @ApiProblems({
    ...BODY_COMMAND_PROBLEMS,
    404: 'The link is forged, altered or expired (SURVEY_LINK_INVALID)',
    409: 'Used already: the case was rated (CASE_ALREADY_RATED)',
  })
  async rate(
    @Param() { token }: SurveyTokenParams,
    @Body() dto: RatingDto,
    @CommandCtx() context: CommandContext,
    @Res({ passthrough: true }) res: Response,
  ) {
    const caseId = caseOfSurveyToken(this.config.csatSecret, token, new Date());
    if (!caseId)
      throw new NotFoundException({
        statusCode: 404,
        code: 'SURVEY_LINK_INVALID',
        message: 'this survey link is not valid',
      });
    return this.accepted(res, await this.cases.rate(caseId, dto, context));
  }
}
