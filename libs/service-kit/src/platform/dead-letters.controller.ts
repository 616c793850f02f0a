import {
  Controller,
  Get,
  HttpCode,
  HttpException,
  Inject,
  NotFoundException,
  Param,
  Post,
  Query,
} from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import type { DeadLetter, ReplayOutcome } from '@crm/messaging';
import { Roles } from '../auth/access';
import { ApiProblems, QUERY_PROBLEMS } from '../http/openapi';
import { PLATFORM_RUNTIME } from './tokens';
import { UnknownConsumerError, type PlatformRuntime } from './platform-runtime';

export class DeadLetterQuery {
  @ApiPropertyOptional({ description: 'Only this consumer (projection or reaction) name' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  consumer?: string;

  @ApiPropertyOptional({ enum: ['parked', 'replayed'] })
  @IsOptional()
  @IsIn(['parked', 'replayed'])
  status?: 'parked' | 'replayed';

  @ApiPropertyOptional({ default: 100, maximum: 1000 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1000)
  limit?: number;
}

export class ReplayAllQuery {
  @ApiProperty({ description: 'The consumer whose parked records are replayed' })
  @IsString()
  @MaxLength(100)
  consumer!: string;
}

const notFound = (id: string) =>
  new NotFoundException({ statusCode: 404, code: 'DEAD_LETTER_NOT_FOUND', message: `no dead letter ${id}` });

function unknownConsumer(error: unknown): never {
  if (error instanceof UnknownConsumerError) {
    throw new NotFoundException({
      statusCode: 404,
      code: 'CONSUMER_NOT_FOUND',
      message: error.message,
      details: { consumers: error.known },
    });
  }
  throw error;
}

/**
 * Operations on the records the service's consumers parked: records that are not CloudEvents or
 * break their contract, and events a projection or reaction could not apply. After the cause is
 * fixed, a replay applies an event exactly once. Admins only.
 */
@Roles('admin')
@ApiTags('operations')
@Controller('dead-letters')
export class DeadLettersController {
  constructor(@Inject(PLATFORM_RUNTIME) private readonly runtime: PlatformRuntime) {}

  @Get()
  @ApiOperation({ summary: 'Parked records, oldest first, with the original record and the last error' })
  @ApiOkResponse({ description: 'The records, in `items`' })
  @ApiProblems(QUERY_PROBLEMS)
  async list(@Query() query: DeadLetterQuery): Promise<{ items: DeadLetter[] }> {
    const items = await this.runtime.deadLetters.list({
      ...(query.consumer !== undefined ? { consumer: query.consumer } : {}),
      ...(query.status !== undefined ? { status: query.status } : {}),
      limit: query.limit ?? 100,
    });
    return { items };
  }

  @Post('replay')
  @HttpCode(200)
  @ApiOperation({ summary: "Replays every parked record of a consumer; answers each one's outcome" })
  @ApiOkResponse({ description: 'How many were replayed and failed, and the outcome of each' })
  @ApiProblems({
    ...QUERY_PROBLEMS,
    404: 'No consumer with this name (CONSUMER_NOT_FOUND, `details.consumers`)',
  })
  async replayAll(@Query() query: ReplayAllQuery) {
    const outcomes = await this.runtime.replayAll(query.consumer).catch(unknownConsumer);
    const count = (status: ReplayOutcome['status']) => outcomes.filter((o) => o.status === status).length;
    return {
      consumer: query.consumer,
      replayed: count('replayed'),
      failed: count('failed'),
      outcomes: outcomes.map((o) => ({ id: o.deadLetter.id, status: o.status, error: o.deadLetter.error })),
    };
  }

  @Post(':id/replay')
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Applies one parked record now (exactly once); 422 REPLAY_FAILED leaves it parked with the new error',
  })
  @ApiOkResponse({ description: 'Replayed, or replayed before (`already-replayed`)' })
  @ApiProblems({
    404: 'No dead letter with this id (DEAD_LETTER_NOT_FOUND)',
    422: 'Applying it failed again (REPLAY_FAILED); it stays parked with the new error',
    503: QUERY_PROBLEMS[503],
  })
  async replay(@Param('id') id: string): Promise<ReplayOutcome> {
    const outcome = await this.runtime.replay(id).catch(unknownConsumer);
    if (!outcome) throw notFound(id);
    if (outcome.status === 'failed') {
      throw new HttpException(
        {
          statusCode: 422,
          code: 'REPLAY_FAILED',
          message: `dead letter ${id} could not be applied: ${outcome.deadLetter.error}`,
          details: { deadLetter: outcome.deadLetter },
        },
        422,
      );
    }
    return outcome;
  }
}
