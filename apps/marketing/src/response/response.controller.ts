import { Body, Controller, Get, NotFoundException, Param, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import type { CommandContext } from '@crm/contracts';
import {
  ApiProblems,
  BODY_COMMAND_PROBLEMS,
  CommandCtx,
  CommandEndpoint,
  Public,
  QUERY_PROBLEMS,
  Roles,
} from '@crm/service-kit';
import { CampaignIdParams } from '../campaign/campaign.dto';
import { MarketingConfig } from '../marketing.config';
import { RecordResponseDto, ResponseRecordedDto, TrackingTokenParams } from './response.dto';
import { ResponseService } from './response.service';
import { verifyTracking } from './tracking.link';

/** A transparent 1x1 GIF. */
const PIXEL = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64');
const invalid = () =>
  new NotFoundException({
    statusCode: 404,
    code: 'TRACKING_LINK_INVALID',
    message: 'this link is not valid',
  });

@ApiTags('campaigns')
@Controller()
export class ResponseController {
  constructor(
    private readonly responses: ResponseService,
    private readonly config: MarketingConfig,
  ) {}

  @Get('t/o/:token')
  @Public()
  @ApiOperation({
    operationId: 'trackOpen',
    summary: "The open pixel of campaign e-mail: records the recipient's first open of the step (no sign-in)",
  })
  @ApiProduces('image/gif')
  @ApiResponse({ status: 200, description: 'A 1x1 transparent GIF' })
  @ApiProblems({ ...QUERY_PROBLEMS, 404: 'The link is forged or altered (TRACKING_LINK_INVALID)' })
  async open(@Param() { token }: TrackingTokenParams, @Res() res: Response) {
    const target = verifyTracking(this.config.consentLinkSecret, 'open', token);
    if (!target) throw invalid();
    await this.responses.track(target, 'open');
    res.status(200).set({ 'content-type': 'image/gif', 'cache-control': 'no-store' }).end(PIXEL);
  }

  @Get('t/c/:token')
  @Public()
  @ApiOperation({
    operationId: 'trackClick',
    summary:
      'A tracked link of campaign e-mail: records the click and redirects to the link signed into the token (no sign-in)',
  })
  @ApiResponse({ status: 302, description: 'To the link of the mail (`Location`)' })
  @ApiProblems({ ...QUERY_PROBLEMS, 404: 'The link is forged or altered (TRACKING_LINK_INVALID)' })
  async click(@Param() { token }: TrackingTokenParams, @Res() res: Response) {
    const target = verifyTracking(this.config.consentLinkSecret, 'click', token);
    if (!target?.url) throw invalid();
    await this.responses.track(target, 'click');
    res.status(302).set({ location: target.url, 'cache-control': 'no-store' }).end();
  }

  @CommandEndpoint({
    path: 'campaigns/:id/responses',
    roles: ['marketer', 'admin'],
    status: 200,
    operationId: 'recordCampaignResponse',
    summary:
      'Record a response of a recipient to a step (a reply, a form; open and click too): once per kind and step',
    description: 'Recorded (or recorded before: `recorded` false)',
    type: ResponseRecordedDto,
    problems: {
      ...BODY_COMMAND_PROBLEMS,
      404: 'No such campaign (CAMPAIGN_NOT_FOUND)',
      422: 'The customer was not sent that step (CAMPAIGN_RESPONSE_WITHOUT_MESSAGE)',
    },
  })
  record(
    @Param() { id }: CampaignIdParams,
    @Body() dto: RecordResponseDto,
    @CommandCtx() context: CommandContext,
  ) {
    return this.responses.recordFor(
      id,
      dto.customerId,
      dto.step,
      {
        kind: dto.kind,
        ...(dto.url ? { url: dto.url } : {}),
        ...(dto.respondedAt ? { at: dto.respondedAt } : {}),
      },
      context,
    );
  }

  @Get('campaigns/:id/roi')
  @Roles('marketer', 'analyst', 'admin')
  @ApiOperation({
    operationId: 'getCampaignRoi',
    summary:
      'The return of a campaign: revenue attributed per model (first touch, last touch, linear), cost, ROI, cost per lead and per acquired customer, response and conversion rates per step',
  })
  @ApiOkResponse({ description: 'The figures (ratios null where the denominator is zero)' })
  @ApiProblems({ ...QUERY_PROBLEMS, 404: 'No such campaign (CAMPAIGN_NOT_FOUND)' })
  roi(@Param() { id }: CampaignIdParams) {
    return this.responses.roi(id);
  }
}
