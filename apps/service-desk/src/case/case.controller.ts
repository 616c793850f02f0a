import { Body, Controller, Get, HttpCode, NotFoundException, Param, Post, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
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
} from '@crm/service-kit';
import { ruleBroken } from '@crm/decider';
import { ServiceDeskConfig } from '../service-desk.config';
import { AssignmentDto } from '../support/support-team.dto';
import { SupportTeamService } from '../support/support-team.service';
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
import { CaseAcceptedDto, caseAnswer } from './case.answer';
import { caseOfSurveyToken } from './case.survey';
import { AGENTS, AGENTS_AND_REQUESTER } from '../service-desk.roles';

const NOT_FOUND = 'No case with this id (CASE_NOT_FOUND)';

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
    private readonly team: SupportTeamService,
  ) {}

  private accepted(res: Response, result: CaseResult): CaseAcceptedDto {
    return caseAnswer(res, result, this.config.csatSecret);
  }

  @CommandEndpoint({
    path: 'cases',
    roles: AGENTS_AND_REQUESTER,
    status: 201,
    operationId: 'openCase',
    summary:
      'Open a case from any channel, under the SLA policy of its priority and type (a requester: for themselves)',
    description: 'Opened',
    type: CaseAcceptedDto,
    location: true,
    problems: {
      ...BODY_COMMAND_PROBLEMS,
      403: 'A requester opening a case for another customer (NOT_RECORD_OWNER)',
      404: 'The case to follow up does not exist (CASE_NOT_FOUND)',
    },
  })
  async open(
    @Body() dto: OpenCaseDto,
    @CommandCtx() context: CommandContext,
    @CurrentPrincipal() caller: Principal,
    @Res({ passthrough: true }) res: Response,
  ) {
    const result = await this.cases.open(dto, context, caller);
    res.setHeader('Location', `/cases/${result.case.caseId}`);
    return this.accepted(res, result);
  }

  @Get('cases/:id')
  @Roles(...AGENTS_AND_REQUESTER)
  @ApiOperation({
    operationId: 'getCase',
    summary: 'A case with its SLA clocks (target, elapsed business time, pauses, due, state)',
  })
  @ApiOkResponse({ description: 'The case as its events decide it', headers: ETAG_HEADER })
  @ApiProblems({ ...QUERY_PROBLEMS, 404: `${NOT_FOUND}; for a requester, also another customer's case` })
  async get(
    @Param() { id }: CaseIdParams,
    @CurrentPrincipal() caller: Principal,
    @Res({ passthrough: true }) res: Response,
  ) {
    const { state, revision } = await this.cases.loadFor(id, caller);
    res.setHeader('ETag', etagFor(revision));
    const { clocks: _clocks, ...rest } = state;
    return { ...rest, revision, clocks: this.cases.clocks(state, Date.now()) };
  }

  @CommandEndpoint({
    ...onCase(
      'replies',
      'replyToCase',
      'A public reply or an internal note, by an agent or on behalf of the customer (a requester: their own reply)',
    ),
    roles: AGENTS_AND_REQUESTER,
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

  @CommandEndpoint({
    ...onCase(
      'assignment',
      'assignCase',
      'Assign to an agent by hand, or by round robin or least load among the agents with the queue’s skill',
    ),
    description: 'Assigned',
    problems: {
      ...BODY_COMMAND_PROBLEMS,
      404: NOT_FOUND,
      422: 'Closed (CASE_CLOSED), neither an agent nor a method (ASSIGNMENT_UNSPECIFIED), or no available agent has the skill (NO_AGENT_AVAILABLE)',
    },
  })
  async assign(
    @Param() { id }: CaseIdParams,
    @Body() dto: AssignmentDto,
    @IfMatchRevision() expected: number | undefined,
    @CommandCtx() context: CommandContext,
    @Res({ passthrough: true }) res: Response,
  ) {
    if (dto.agentId)
      return this.accepted(res, await this.cases.assign(id, dto.agentId, 'manual', context, expected));
    if (!dto.method)
      throw ruleBroken('ASSIGNMENT_UNSPECIFIED', 'name the agent (agentId) or how to choose one (method)');
    return this.accepted(res, await this.team.assignBy(id, dto.method, context, undefined, expected));
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
