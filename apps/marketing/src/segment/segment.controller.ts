import { Body, Controller, Get, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import type { CommandContext } from '@crm/contracts';
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
  type Role,
} from '@crm/service-kit';
import {
  DefineSegmentDto,
  ListSegmentsQuery,
  MembersQueryDto,
  RedefineSegmentDto,
  SegmentIdParams,
  SegmentRuleDto,
} from './segment.dto';
import { SegmentService } from './segment.service';

export class SegmentAcceptedDto {
  @ApiProperty({ format: 'uuid' }) segmentId!: string;
  @ApiProperty({ description: 'Version of the definition' }) version!: number;
  @ApiProperty({ description: 'Revision of the segment (its ETag)' }) revision!: number;
}

const MARKETERS: [Role, ...Role[]] = ['marketer', 'admin'];
const READERS: [Role, ...Role[]] = ['marketer', 'analyst', 'admin'];
const RULE_400 = `${BODY_COMMAND_PROBLEMS[400]}; a rule with problems (SEGMENT_RULE_INVALID, \`details.problems\`: each with its JSON pointer under /rule)`;
const NOT_FOUND = 'No segment with this id (SEGMENT_NOT_FOUND)';
const PAGE_400 =
  'A query parameter is unknown or invalid (VALIDATION_FAILED, each named in `errors`), e.g. a cursor of another order';

/** Segments: rules over customer profiles, their members now and at any past instant. */
@ApiTags('segments')
@Controller('segments')
export class SegmentController {
  constructor(private readonly segments: SegmentService) {}

  @CommandEndpoint({
    path: '',
    roles: MARKETERS,
    status: 201,
    operationId: 'defineSegment',
    summary: 'Define a segment: a name and a rule over customer profiles; its members follow',
    description: 'Defined',
    type: SegmentAcceptedDto,
    location: true,
    problems: { ...BODY_COMMAND_PROBLEMS, 400: RULE_400 },
  })
  async define(
    @Body() dto: DefineSegmentDto,
    @CommandCtx() context: CommandContext,
    @Res({ passthrough: true }) res: Response,
  ) {
    const result = await this.segments.define(dto, context);
    res.setHeader('Location', `/segments/${result.segmentId}`);
    res.setHeader('ETag', etagFor(result.revision));
    return result;
  }

  @CommandEndpoint({
    method: 'put',
    path: ':id',
    roles: MARKETERS,
    operationId: 'redefineSegment',
    summary: 'Redefine a segment (a new version of its rule); its members are evaluated again',
    description: 'Redefined (or unchanged)',
    type: SegmentAcceptedDto,
    ifMatch: 'segment',
    problems: { ...BODY_COMMAND_PROBLEMS, 400: RULE_400, 404: NOT_FOUND },
  })
  async redefine(
    @Param() { id }: SegmentIdParams,
    @Body() dto: RedefineSegmentDto,
    @IfMatchRevision() expectedRevision: number | undefined,
    @CommandCtx() context: CommandContext,
    @Res({ passthrough: true }) res: Response,
  ) {
    const result = await this.segments.redefine(id, dto, context, expectedRevision);
    res.setHeader('ETag', etagFor(result.revision));
    return result;
  }

  @Post('preview')
  @Roles(...MARKETERS)
  @HttpCode(200)
  @ApiOperation({
    operationId: 'previewSegment',
    summary: 'How many customer profiles a rule matches now, without saving anything',
  })
  @ApiOkResponse({ description: 'The count of matching profiles, of all profiles, at an instant' })
  @ApiProblems({ ...QUERY_PROBLEMS, 400: RULE_400 })
  preview(@Body() dto: SegmentRuleDto) {
    return this.segments.preview(dto.rule);
  }

  @Get()
  @Roles(...READERS)
  @ApiOperation({
    operationId: 'listSegments',
    summary:
      'Segments, newest defined first or by name, each with its member count and rule in a line; paged',
  })
  @ApiOkResponse({
    description: 'A page of segments (`items`) and `next`, the cursor of the next page, if any',
  })
  @ApiProblems({ ...QUERY_PROBLEMS, 400: PAGE_400 })
  list(@Query() query: ListSegmentsQuery) {
    return this.segments.list(query);
  }

  @Get(':id')
  @Roles(...READERS)
  @ApiOperation({ operationId: 'getSegment', summary: 'A segment: its current definition and member count' })
  @ApiOkResponse({ description: 'The segment', headers: ETAG_HEADER })
  @ApiProblems({ ...QUERY_PROBLEMS, 404: NOT_FOUND })
  async get(@Param() { id }: SegmentIdParams, @Res({ passthrough: true }) res: Response) {
    const segment = await this.segments.get(id);
    res.setHeader('ETag', etagFor(segment.revision));
    return segment;
  }

  @Get(':id/members')
  @Roles(...READERS)
  @ApiOperation({
    operationId: 'listSegmentMembers',
    summary:
      'The members of a segment now, or at a past instant (`at`) from the membership history; paged (`limit`, `cursor`)',
  })
  @ApiOkResponse({
    description:
      'A page of the members by joining instant, each with when they joined (and left, for a past instant); `count` of all, `next` cursor if more',
  })
  @ApiProblems({ ...QUERY_PROBLEMS, 400: PAGE_400, 404: NOT_FOUND })
  members(@Param() { id }: SegmentIdParams, @Query() query: MembersQueryDto) {
    return this.segments.members(id, query);
  }
}
