import { Body, Controller, Get, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import {
  ApiConflictResponse,
  ApiHeader,
  ApiNotFoundResponse,
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import type { Response } from 'express';
import type { CommandContext } from '@crm/contracts';
import { CommandCtx, IfMatchRevision, etagFor } from '@crm/service-kit';
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

const ifMatch = ApiHeader({
  name: 'If-Match',
  required: false,
  description: 'ETag last seen; 409 if the lead changed since',
});

@ApiTags('leads')
@ApiNotFoundResponse({ description: 'No lead with this id' })
@ApiConflictResponse({ description: 'If-Match revision is stale, or the e-mail belongs to another lead' })
@ApiUnprocessableEntityResponse({ description: 'A business rule forbids the command' })
@Controller('leads')
export class LeadController {
  constructor(
    private readonly leads: LeadService,
    private readonly queries: LeadQueries,
  ) {}

  @Post()
  @HttpCode(201)
  async capture(
    @Body() dto: CaptureLeadDto,
    @CommandCtx() context: CommandContext,
    @Res({ passthrough: true }) res: Response,
  ) {
    const result = await this.leads.capture(dto, context);
    res.setHeader('Location', `/leads/${result.lead.profile.leadId}`);
    return accepted(res, result);
  }

  @Get()
  list(@Query() query: ListLeadsQuery) {
    return this.queries.list(query);
  }

  @Get(':id')
  async get(@Param() { id }: LeadIdParams, @Res({ passthrough: true }) res: Response) {
    const lead = await this.queries.byId(id);
    res.setHeader('ETag', etagFor(lead.revision));
    return lead;
  }

  @Post(':id/engagements')
  @HttpCode(201)
  @ifMatch
  async engage(
    @Param() { id }: LeadIdParams,
    @Body() dto: RecordEngagementDto,
    @IfMatchRevision() expected: number | undefined,
    @CommandCtx() context: CommandContext,
    @Res({ passthrough: true }) res: Response,
  ) {
    return accepted(res, await this.leads.recordEngagement(id, dto, context, expected));
  }

  @Post(':id/assign')
  @HttpCode(200)
  @ifMatch
  async assign(
    @Param() { id }: LeadIdParams,
    @Body() dto: AssignLeadDto,
    @IfMatchRevision() expected: number | undefined,
    @CommandCtx() context: CommandContext,
    @Res({ passthrough: true }) res: Response,
  ) {
    return accepted(res, await this.leads.assign(id, dto, context, expected));
  }

  @Post(':id/qualify')
  @HttpCode(200)
  @ifMatch
  async qualify(
    @Param() { id }: LeadIdParams,
    @IfMatchRevision() expected: number | undefined,
    @CommandCtx() context: CommandContext,
    @Res({ passthrough: true }) res: Response,
  ) {
    return accepted(res, await this.leads.qualify(id, context, expected));
  }

  @Post(':id/disqualify')
  @HttpCode(200)
  @ifMatch
  async disqualify(
    @Param() { id }: LeadIdParams,
    @Body() dto: DisqualifyLeadDto,
    @IfMatchRevision() expected: number | undefined,
    @CommandCtx() context: CommandContext,
    @Res({ passthrough: true }) res: Response,
  ) {
    return accepted(res, await this.leads.disqualify(id, dto, context, expected));
  }

  @Post(':id/convert')
  @HttpCode(200)
  @ifMatch
  async convert(
    @Param() { id }: LeadIdParams,
    @IfMatchRevision() expected: number | undefined,
    @CommandCtx() context: CommandContext,
    @Res({ passthrough: true }) res: Response,
  ) {
    return accepted(res, await this.leads.convert(id, context, expected));
  }
}
