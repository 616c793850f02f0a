import { Body, Controller, Get, HttpCode, Param, Post, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import type { CommandContext } from '@crm/contracts';
import {
  ApiCommandResult,
  ApiProblems,
  BODY_COMMAND_PROBLEMS,
  CommandCtx,
  CommandEndpoint,
  ETAG_HEADER,
  IfMatchRevision,
  NO_BODY_COMMAND_PROBLEMS,
  NoBody,
  Public,
  QUERY_PROBLEMS,
  Roles,
  etagFor,
  type Role,
} from '@crm/service-kit';
import { ConsentOutcomeDto } from '../consent/consent.controller';
import { CampaignDto, CampaignIdParams, CostDto, ScheduleDto, UnsubscribeTokenParams } from './campaign.dto';
import { CampaignService } from './campaign.service';

export class CampaignAcceptedDto {
  @ApiProperty({ format: 'uuid' }) campaignId!: string;
  @ApiProperty({ description: 'Revision of the campaign (its ETag)' }) revision!: number;
}

export class CampaignCostBookedDto extends CampaignAcceptedDto {
  @ApiProperty({ description: 'The campaign’s cost after this one' }) cost!: number;
}

const MARKETERS: [Role, ...Role[]] = ['marketer', 'admin'];
const DRAFT_RULES =
  '422: steps that cannot be sent as written (CAMPAIGN_FIRST_STEP_WAITS, CAMPAIGN_FIRST_STEP_NON_RESPONDERS, CAMPAIGN_STEP_WITHOUT_WAIT, CAMPAIGN_UNKNOWN_MERGE_FIELD), CAMPAIGN_OVER_BUDGET';

@ApiTags('campaigns')
@Controller()
export class CampaignController {
  constructor(private readonly campaigns: CampaignService) {}

  @CommandEndpoint({
    path: 'campaigns',
    roles: MARKETERS,
    status: 201,
    operationId: 'draftCampaign',
    summary:
      'Draft a campaign: objective, purpose, channel, audience (customers, a segment or a static list), steps, budget and cost',
    description: 'Drafted',
    type: CampaignAcceptedDto,
    problems: { ...BODY_COMMAND_PROBLEMS, 422: `${DRAFT_RULES}, CAMPAIGN_AUDIENCE_NOT_FOUND` },
  })
  async draft(
    @Body() dto: CampaignDto,
    @CommandCtx() context: CommandContext,
    @Res({ passthrough: true }) res: Response,
  ) {
    const result = await this.campaigns.draft(dto, context);
    res.setHeader('ETag', etagFor(result.revision));
    return result;
  }

  @CommandEndpoint({
    method: 'put',
    path: 'campaigns/:id',
    roles: MARKETERS,
    operationId: 'reviseCampaign',
    summary: 'Revise a draft campaign (every field anew)',
    description: 'Revised (or unchanged)',
    type: CampaignAcceptedDto,
    ifMatch: 'campaign',
    problems: {
      ...BODY_COMMAND_PROBLEMS,
      404: 'No such campaign (CAMPAIGN_NOT_FOUND)',
      422: `${DRAFT_RULES}, CAMPAIGN_AUDIENCE_NOT_FOUND, CAMPAIGN_NOT_DRAFT`,
    },
  })
  async revise(
    @Param() { id }: CampaignIdParams,
    @Body() dto: CampaignDto,
    @IfMatchRevision() expectedRevision: number | undefined,
    @CommandCtx() context: CommandContext,
    @Res({ passthrough: true }) res: Response,
  ) {
    const result = await this.campaigns.revise(id, dto, context, expectedRevision);
    res.setHeader('ETag', etagFor(result.revision));
    return result;
  }

  @CommandEndpoint({
    path: 'campaigns/:id/schedule',
    roles: MARKETERS,
    operationId: 'scheduleCampaign',
    summary: 'Schedule a draft campaign: its first step goes out at startAt, each later one its wait after',
    description: 'Scheduled (or unchanged)',
    type: CampaignAcceptedDto,
    problems: {
      ...BODY_COMMAND_PROBLEMS,
      404: 'No such campaign (CAMPAIGN_NOT_FOUND)',
      422: 'Not a draft (CAMPAIGN_NOT_DRAFT), or startAt in the past (CAMPAIGN_START_IN_PAST)',
    },
  })
  schedule(
    @Param() { id }: CampaignIdParams,
    @Body() dto: ScheduleDto,
    @CommandCtx() context: CommandContext,
  ) {
    return this.campaigns.schedule(id, dto.startAt, context);
  }

  @CommandEndpoint({
    path: 'campaigns/:id/costs',
    roles: MARKETERS,
    status: 201,
    operationId: 'recordCampaignCost',
    summary: 'Book a cost to a campaign (in its currency): its ROI and cost per lead and customer count it',
    description: 'Booked: the campaign with its cost after this one',
    type: CampaignCostBookedDto,
    ifMatch: 'campaign',
    problems: {
      ...BODY_COMMAND_PROBLEMS,
      404: 'No such campaign (CAMPAIGN_NOT_FOUND)',
      422: 'Another currency than the campaign’s (CAMPAIGN_CURRENCY_MISMATCH)',
    },
  })
  async recordCost(
    @Param() { id }: CampaignIdParams,
    @Body() dto: CostDto,
    @IfMatchRevision() expectedRevision: number | undefined,
    @CommandCtx() context: CommandContext,
    @Res({ passthrough: true }) res: Response,
  ) {
    const result = await this.campaigns.recordCost(id, dto, context, expectedRevision);
    res.setHeader('ETag', etagFor(result.revision));
    return result;
  }

  @Get('campaigns/:id')
  @Roles(...MARKETERS)
  @ApiOperation({
    operationId: 'getCampaign',
    summary:
      'The campaign, its steps sent, and per step how many recipients were sent, suppressed or pending',
  })
  @ApiOkResponse({ description: 'The campaign', headers: ETAG_HEADER })
  @ApiProblems({ ...QUERY_PROBLEMS, 404: 'No such campaign (CAMPAIGN_NOT_FOUND)' })
  async get(@Param() { id }: CampaignIdParams, @Res({ passthrough: true }) res: Response) {
    const campaign = await this.campaigns.get(id);
    res.setHeader('ETag', etagFor(campaign.revision));
    return campaign;
  }

  @Post('unsubscribe/:token')
  @Public()
  @HttpCode(200)
  @ApiOperation({
    operationId: 'unsubscribe',
    summary:
      'One-click unsubscribe (RFC 8058) from campaign e-mail: withdraws the e-mail consent for the purpose (no sign-in)',
  })
  @ApiCommandResult({ status: 200, description: 'Withdrawn (or unchanged)', type: ConsentOutcomeDto })
  @ApiProblems({
    ...NO_BODY_COMMAND_PROBLEMS,
    404: 'The link is forged or altered (UNSUBSCRIBE_LINK_INVALID)',
  })
  unsubscribe(
    @Param() { token }: UnsubscribeTokenParams,
    @NoBody() _body: undefined,
    @CommandCtx() context: CommandContext,
  ) {
    return this.campaigns.unsubscribe(token, context);
  }
}
