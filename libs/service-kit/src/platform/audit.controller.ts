import { BadRequestException, Controller, Get, HttpException, Inject, Query } from '@nestjs/common';
import {
  ApiOkResponse,
  ApiOperation,
  ApiProperty,
  ApiPropertyOptional,
  ApiResponse,
  ApiTags,
  getSchemaPath,
} from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import { InvalidAuditQueryError, type AuditTrailEntry, type EventStore } from '@crm/event-store';
import { Roles } from '../auth/access';
import { PROBLEM_JSON, ProblemDetails, type ErrorResponse } from '../http/error-response';
import { ApiProblems, QUERY_PROBLEMS } from '../http/openapi';
import { IsInstant, IsNotBlank } from '../http/validators';
import { EVENT_STORE } from './tokens';

/** No control characters (PostgreSQL refuses NUL in text; none belongs in an id). */
const PRINTABLE = /^\P{Cc}*$/u;

export class AuditEventsQuery {
  @ApiPropertyOptional({
    description: 'Events about this customer (`customerId`); this or `actor` is required',
  })
  @IsOptional()
  @IsString()
  @IsNotBlank()
  @MaxLength(200)
  @Matches(PRINTABLE, { message: 'customerId must not contain control characters' })
  customerId?: string;

  @ApiPropertyOptional({
    description: 'Events of commands this user or service issued; this or `customerId` is required',
  })
  @IsOptional()
  @IsString()
  @IsNotBlank()
  @MaxLength(200)
  @Matches(PRINTABLE, { message: 'actor must not contain control characters' })
  actor?: string;

  @ApiPropertyOptional({
    description: 'Recorded at or after this instant (ISO 8601, e.g. `2026-05-01T10:00:00Z`)',
  })
  @IsOptional()
  @IsInstant()
  from?: string;

  @ApiPropertyOptional({ description: 'Recorded before this instant (ISO 8601)' })
  @IsOptional()
  @IsInstant()
  to?: string;

  @ApiPropertyOptional({ type: 'integer', default: 100, minimum: 1, maximum: 1000 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1000)
  limit?: number;

  @ApiPropertyOptional({
    description: '`next` of the previous page: the events recorded before its last one',
  })
  @IsOptional()
  @IsString()
  @MaxLength(40)
  cursor?: string;
}

export class AuditEvent {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ example: 'LeadQualified' }) type!: string;
  @ApiProperty({ description: 'The stream (aggregate) it belongs to' }) streamId!: string;
  @ApiProperty({ type: 'integer', description: 'Its position in the stream, from 0' }) revision!: number;
  @ApiProperty({
    format: 'date-time',
    description: "When the event store recorded it: the database's clock, covered by the event's hash",
  })
  recordedAt!: string;
  @ApiProperty({ description: 'When the fact happened, as the event says' }) occurredAt!: string;
  @ApiProperty() customerId!: string;
  @ApiProperty({ type: String, nullable: true, description: 'Who issued the command; null when not known' })
  actor!: string | null;
  @ApiProperty({ description: 'Shared by every event one user action led to' }) correlationId!: string;
  @ApiProperty({ description: 'The command or event that caused it' }) causationId!: string;
}

export class AuditEventsPage {
  @ApiProperty({ type: [AuditEvent] }) items!: AuditEvent[];
  @ApiPropertyOptional({ description: 'Pass as `cursor` for the next, older page; absent on the last page' })
  next?: string;
}

const view = (e: AuditTrailEntry): AuditEvent => ({ ...e, recordedAt: e.recordedAt.toISOString() });

/**
 * Who did what and when: the service's own events by customer and/or actor, from their metadata
 * (never their data, which may hold personal data), newest first. Admins only. Whether the
 * stored events were changed afterwards is what `npm run audit:verify` answers.
 */
@Roles('admin')
@ApiTags('operations')
@Controller('audit')
export class AuditController {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  @Get('events')
  @ApiOperation({
    summary: 'Audit trail: who did what and when, per customer and/or actor, newest first (no event data)',
  })
  @ApiOkResponse({
    type: AuditEventsPage,
    description: 'A page of events, newest first, and the cursor of the next',
  })
  @ApiProblems({
    ...QUERY_PROBLEMS,
    400: 'Neither customerId nor actor, or a parameter is unknown or invalid (VALIDATION_FAILED, each named in `errors`)',
  })
  @ApiResponse({
    status: 501,
    description:
      'The event store of this service (EventStoreDB) has no audit trail (AUDIT_TRAIL_UNSUPPORTED)',
    content: { [PROBLEM_JSON]: { schema: { $ref: getSchemaPath(ProblemDetails) } } },
  })
  async events(@Query() query: AuditEventsQuery): Promise<AuditEventsPage> {
    if (!this.store.auditTrail) {
      const body: ErrorResponse = {
        statusCode: 501,
        code: 'AUDIT_TRAIL_UNSUPPORTED',
        message: 'this event store has no audit trail: EventStoreDB keeps no index by customer or actor',
      };
      throw new HttpException(body, 501);
    }
    const page = await this.store
      .auditTrail({
        ...(query.customerId !== undefined ? { customerId: query.customerId } : {}),
        ...(query.actor !== undefined ? { actor: query.actor } : {}),
        ...(query.from !== undefined ? { from: new Date(query.from) } : {}),
        ...(query.to !== undefined ? { to: new Date(query.to) } : {}),
        ...(query.limit !== undefined ? { limit: query.limit } : {}),
        ...(query.cursor !== undefined ? { cursor: query.cursor } : {}),
      })
      .catch(refused);
    return { items: page.items.map(view), ...(page.next !== undefined ? { next: page.next } : {}) };
  }
}

function refused(error: unknown): never {
  if (!(error instanceof InvalidAuditQueryError)) throw error;
  const body: ErrorResponse = {
    statusCode: 400,
    code: 'VALIDATION_FAILED',
    message: 'the request has invalid fields',
    errors: [{ field: error.field, messages: [error.message] }],
  };
  throw new BadRequestException(body);
}
