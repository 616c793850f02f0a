import { Controller, Get, HttpCode, Post, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProperty, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { ApiProblems, NO_BODY_COMMAND_PROBLEMS, NoBody, QUERY_PROBLEMS, Roles } from '@crm/service-kit';
import { AnalyticsConsumption, type RebuildStatus } from '../consumption/consumption';

export class RebuildStatusDto implements RebuildStatus {
  @ApiProperty({ description: 'The generation (schema analytics_g<n>)' }) generation!: number;
  @ApiProperty({ enum: ['building', 'current', 'retired'] }) state!: 'building' | 'current' | 'retired';
  @ApiProperty({ description: 'Records applied by its consumer group (committed offsets)' }) done!: number;
  @ApiProperty({ description: 'Records the consumed topics hold (sampled as it goes)' }) total!: number;
  @ApiProperty({ description: 'Records applied per second, over the last 10 s' }) ratePerSecond!: number;
  @ApiProperty({
    type: Number,
    nullable: true,
    description: 'Seconds left; 0 once switched over; null while nothing moves',
  })
  etaSeconds!: number | null;
  @ApiProperty({ format: 'date-time' }) startedAt!: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'When it became current' })
  switchedAt!: string | null;
}

export class RebuildStartedDto extends RebuildStatusDto {
  @ApiProperty({ description: 'False when a rebuild was already running: this is that one' })
  started!: boolean;
}

/**
 * Rebuilds: every read model built again from offset 0 of the topics into a new generation while
 * the current one serves, switched over when caught up.
 */
@ApiTags('rebuilds')
@Controller('admin/rebuilds')
export class RebuildController {
  constructor(private readonly consumption: AnalyticsConsumption) {}

  @Post()
  @Roles('admin')
  @HttpCode(202)
  @ApiOperation({
    operationId: 'startRebuild',
    summary: 'Start a rebuild (generation n+1 from offset 0), or attach to the one running',
  })
  @ApiResponse({ status: 202, type: RebuildStartedDto, description: 'The rebuild, started now or before' })
  @ApiProblems({ ...NO_BODY_COMMAND_PROBLEMS, 503: QUERY_PROBLEMS[503] })
  async start(
    @NoBody() _body: undefined,
    @Res({ passthrough: true }) res: Response,
  ): Promise<RebuildStartedDto> {
    const { started, status } = await this.consumption.rebuild();
    res.setHeader('Location', '/admin/rebuilds/current');
    return { ...status, started };
  }

  @Get('current')
  @Roles('admin', 'analyst')
  @ApiOperation({
    operationId: 'currentRebuild',
    summary: 'The rebuild in progress (done, total, rate, time left), else the current generation',
  })
  @ApiOkResponse({ type: RebuildStatusDto })
  @ApiProblems({ 503: QUERY_PROBLEMS[503] })
  current(): Promise<RebuildStatusDto> {
    return this.consumption.currentRebuild();
  }
}
