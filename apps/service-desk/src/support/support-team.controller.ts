import { Body, Controller, Get, Param, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { commandTime, type CommandContext } from '@crm/contracts';
import {
  ApiProblems,
  BODY_COMMAND_PROBLEMS,
  CommandCtx,
  CommandEndpoint,
  ETAG_HEADER,
  IfMatchRevision,
  QUERY_PROBLEMS,
  Roles,
  etagFor,
} from '@crm/service-kit';
import { AgentDto, AgentParams, QueueDto, QueueParams } from './support-team.dto';
import { SupportTeamService } from './support-team.service';
import { MANAGERS } from '../service-desk.roles';

export class SupportTeamAcceptedDto {
  @ApiProperty({ description: 'Revision of the support team (its ETag)' }) revision!: number;
}

/** Queues (assignment method, skill) and agents (skills, availability) of the support team. */
@ApiTags('support team')
@Controller('support')
export class SupportTeamController {
  constructor(private readonly team: SupportTeamService) {}

  @Get('team')
  @Roles('support_agent', 'support_manager', 'analyst', 'admin')
  @ApiOperation({ operationId: 'getSupportTeam', summary: 'The queues and the agents with their skills' })
  @ApiOkResponse({ description: 'The support team', headers: ETAG_HEADER })
  @ApiProblems({ 503: QUERY_PROBLEMS[503] })
  async get(@Res({ passthrough: true }) res: Response) {
    const { state, revision } = await this.team.current();
    res.setHeader('ETag', etagFor(revision));
    return { revision, ...state };
  }

  @CommandEndpoint({
    method: 'put',
    path: 'queues/:queue',
    roles: MANAGERS,
    operationId: 'configureQueue',
    summary: 'How a queue assigns its cases (by hand, round robin, least loaded) and the skill it needs',
    description: 'Configured (or unchanged)',
    type: SupportTeamAcceptedDto,
    ifMatch: 'support team',
    problems: BODY_COMMAND_PROBLEMS,
  })
  async configureQueue(
    @Param() { queue }: QueueParams,
    @Body() dto: QueueDto,
    @IfMatchRevision() expectedRevision: number | undefined,
    @CommandCtx() context: CommandContext,
    @Res({ passthrough: true }) res: Response,
  ) {
    const data = { queue, assignment: dto.assignment, ...(dto.skill ? { skill: dto.skill } : {}) };
    const { revision } = await this.team.change(
      { type: 'ConfigureQueue', data: { ...data, at: commandTime(context) } },
      context,
      { expectedRevision },
    );
    res.setHeader('ETag', etagFor(revision));
    return { revision };
  }

  @CommandEndpoint({
    method: 'put',
    path: 'agents/:agentId',
    roles: MANAGERS,
    operationId: 'updateAgent',
    summary: 'An agent’s skills and whether they take new cases',
    description: 'Updated (or unchanged)',
    type: SupportTeamAcceptedDto,
    ifMatch: 'support team',
    problems: BODY_COMMAND_PROBLEMS,
  })
  async updateAgent(
    @Param() { agentId }: AgentParams,
    @Body() dto: AgentDto,
    @IfMatchRevision() expectedRevision: number | undefined,
    @CommandCtx() context: CommandContext,
    @Res({ passthrough: true }) res: Response,
  ) {
    const data = { agentId, skills: dto.skills, available: dto.available, at: commandTime(context) };
    const { revision } = await this.team.change({ type: 'UpdateAgent', data }, context, { expectedRevision });
    res.setHeader('ETag', etagFor(revision));
    return { revision };
  }
}
