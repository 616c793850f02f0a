import { Body, Controller, Get, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
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
  type Role,
} from '@crm/service-kit';
import {
  AssignLeadDto,
  CaptureLeadDto,
  CommandAcceptedDto,
  DisqualifyLeadDto,
  LeadIdParams,
  ListLeadsQuery,
  RecordEngagementDto,
} from './lead.dto';
import { LeadQueries } from './lead.queries';
import { LeadService, type LeadCommandResult } from './lead.service';

function accepted(response: Response, { lead, revision }: LeadCommandResult): CommandAcceptedDto {
  response.setHeader('ETag', etagFor(revision));
  return {
    id: lead.profile.leadId,
    customerId: lead.profile.customerId,
    revision,
    status: lead.status,
    ...(lead.ownerId ? { ownerId: lead.ownerId } : {}),
    ...(lead.score !== undefined ? { score: lead.score } : {}),
  };
}

const NOT_FOUND = 'No lead with this id (LEAD_NOT_FOUND)';

/**
 * Who works leads: reps and managers (within their record scope: a rep's own leads, a manager's
 * team's), admins; marketers also capture them; analysts and integrators only read.
 */
const WORKERS: [Role, ...Role[]] = ['sales_rep', 'sales_manager', 'admin'];
const CAPTURERS: [Role, ...Role[]] = [...WORKERS, 'marketer'];
const READERS: [Role, ...Role[]] = [...CAPTURERS, 'analyst', 'integrator'];
const updated = (description: string) =>
  ApiCommandResult({ status: 200, description, type: CommandAcceptedDto });

@ApiTags('leads')
@Controller('leads')
export class LeadController {
  constructor(
    private readonly leads: LeadService,
    private readonly queries: LeadQueries,
  ) {}

  @Post()
  @Roles(...CAPTURERS)
  @HttpCode(201)
  @ApiOperation({ operationId: 'captureLead', summary: 'Capture a lead (a new customer id)' })
  @ApiCommandResult({ status: 201, description: 'Captured', type: CommandAcceptedDto, location: true })
  @ApiProblems({
    ...BODY_COMMAND_PROBLEMS,
    400: `${BODY_COMMAND_PROBLEMS[400]}; no name (LEAD_NAME_REQUIRED) or no e-mail and no phone (LEAD_CONTACT_REQUIRED)`,
    409: `The e-mail belongs to another lead (LEAD_EMAIL_TAKEN, \`details.existingLeadId\`). ${BODY_COMMAND_PROBLEMS[409]}`,
  })
  async capture(
    @Body() dto: CaptureLeadDto,
    @CommandCtx() context: CommandContext,
    @CurrentPrincipal() caller: Principal,
    @Res({ passthrough: true }) res: Response,
  ) {
    const result = await this.leads.capture(dto, context, caller);
    res.setHeader('Location', `/leads/${result.lead.profile.leadId}`);
    return accepted(res, result);
  }

  @Get()
  @Roles(...READERS)
  @ApiOperation({ operationId: 'listLeads', summary: 'List leads, newest first, filtered and paged' })
  @ApiOkResponse({ description: 'One page of leads, with the total' })
  @ApiProblems(QUERY_PROBLEMS)
  list(@Query() query: ListLeadsQuery, @CurrentPrincipal() caller: Principal) {
    return this.queries.list(query, caller);
  }

  @Get(':id')
  @Roles(...READERS)
  @ApiOperation({ operationId: 'getLead', summary: 'Read a lead with its engagement timeline' })
  @ApiOkResponse({ description: 'The lead, as the projection has it', headers: ETAG_HEADER })
  @ApiProblems({ ...QUERY_PROBLEMS, 404: NOT_FOUND })
  async get(
    @Param() { id }: LeadIdParams,
    @CurrentPrincipal() caller: Principal,
    @Res({ passthrough: true }) res: Response,
  ) {
    const lead = await this.queries.byId(id, caller);
    res.setHeader('ETag', etagFor(lead.revision));
    return lead;
  }

  @Post(':id/engagements')
  @Roles(...WORKERS)
  @HttpCode(201)
  @ApiOperation({ operationId: 'recordLeadEngagement', summary: 'Record a call, e-mail, meeting or visit' })
  @ApiCommandResult({ status: 201, description: 'Recorded', type: CommandAcceptedDto })
  @ApiIfMatch('lead')
  @ApiProblems({ ...BODY_COMMAND_PROBLEMS, 404: NOT_FOUND, 422: 'The lead is closed (LEAD_CLOSED)' })
  async engage(
    @Param() { id }: LeadIdParams,
    @Body() dto: RecordEngagementDto,
    @IfMatchRevision() expected: number | undefined,
    @CommandCtx() context: CommandContext,
    @CurrentPrincipal() caller: Principal,
    @Res({ passthrough: true }) res: Response,
  ) {
    return accepted(res, await this.leads.recordEngagement(id, dto, context, expected, caller));
  }

  @Post(':id/assign')
  @Roles('sales_manager', 'admin')
  @HttpCode(200)
  @ApiOperation({
    operationId: 'assignLead',
    summary: 'Assign the lead to an owner, or the next in the round robin',
  })
  @updated('Assigned')
  @ApiIfMatch('lead')
  @ApiProblems({
    ...BODY_COMMAND_PROBLEMS,
    404: NOT_FOUND,
    422: 'The lead is closed (LEAD_CLOSED), or no owner is given and none is configured (NO_OWNERS_CONFIGURED)',
  })
  async assign(
    @Param() { id }: LeadIdParams,
    @Body() dto: AssignLeadDto,
    @IfMatchRevision() expected: number | undefined,
    @CommandCtx() context: CommandContext,
    @CurrentPrincipal() caller: Principal,
    @Res({ passthrough: true }) res: Response,
  ) {
    return accepted(res, await this.leads.assign(id, dto, context, expected, caller));
  }

  @Post(':id/qualify')
  @Roles(...WORKERS)
  @HttpCode(200)
  @ApiOperation({
    operationId: 'qualifyLead',
    summary: 'Score the lead and qualify it if it reaches the threshold',
  })
  @updated('Qualified, with its score')
  @ApiIfMatch('lead')
  @ApiProblems({
    ...NO_BODY_COMMAND_PROBLEMS,
    404: NOT_FOUND,
    422: 'The score is below the threshold (LEAD_SCORE_TOO_LOW, `details.breakdown`), or the lead is closed (LEAD_CLOSED)',
  })
  async qualify(
    @Param() { id }: LeadIdParams,
    @NoBody() _body: undefined,
    @IfMatchRevision() expected: number | undefined,
    @CommandCtx() context: CommandContext,
    @CurrentPrincipal() caller: Principal,
    @Res({ passthrough: true }) res: Response,
  ) {
    return accepted(res, await this.leads.qualify(id, context, expected, caller));
  }

  @Post(':id/disqualify')
  @Roles(...WORKERS)
  @HttpCode(200)
  @ApiOperation({ operationId: 'disqualifyLead', summary: 'Disqualify the lead, with a reason' })
  @updated('Disqualified')
  @ApiIfMatch('lead')
  @ApiProblems({
    ...BODY_COMMAND_PROBLEMS,
    404: NOT_FOUND,
    422: 'The lead was converted (LEAD_ALREADY_CONVERTED)',
  })
  async disqualify(
    @Param() { id }: LeadIdParams,
    @Body() dto: DisqualifyLeadDto,
    @IfMatchRevision() expected: number | undefined,
    @CommandCtx() context: CommandContext,
    @CurrentPrincipal() caller: Principal,
    @Res({ passthrough: true }) res: Response,
  ) {
    return accepted(res, await this.leads.disqualify(id, dto, context, expected, caller));
  }

  @Post(':id/convert')
  @Roles(...WORKERS)
  @HttpCode(200)
  @ApiOperation({ operationId: 'convertLead', summary: 'Hand the customer over to the sales pipeline' })
  @updated('Converted')
  @ApiIfMatch('lead')
  @ApiProblems({
    ...NO_BODY_COMMAND_PROBLEMS,
    404: NOT_FOUND,
    422: 'The lead is not qualified (LEAD_NOT_QUALIFIED), is disqualified (LEAD_DISQUALIFIED) or has no owner (LEAD_HAS_NO_OWNER)',
  })
  async convert(
    @Param() { id }: LeadIdParams,
    @NoBody() _body: undefined,
    @IfMatchRevision() expected: number | undefined,
    @CommandCtx() context: CommandContext,
    @CurrentPrincipal() caller: Principal,
    @Res({ passthrough: true }) res: Response,
  ) {
    return accepted(res, await this.leads.convert(id, context, expected, caller));
  }
}
