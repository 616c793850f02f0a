import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUUID,
  Max,
  MaxLength,
  Min,
  ValidateBy,
} from 'class-validator';
import {
  CASE_CHANNELS,
  CASE_PRIORITIES,
  CASE_STATUSES,
  CASE_TYPES,
  NPS_CATEGORIES,
  type CasePriority,
  type CaseStatus,
  type CaseType,
} from '@crm/contracts';
import { IsNotBlank } from '@crm/service-kit';
import { decodeCaseCursor } from './case-cursor';

export const MAX_CASE_PAGE = 200;
const MAX_OFFSET = 1_000_000;

/** `status=open,pending` (or the parameter repeated): the list of values. */
const list = Transform(({ value }: { value: unknown }) =>
  typeof value === 'string' ? value.split(',') : value,
);
/** `true` / `false` of a query string as booleans; anything else stays, and fails `@IsBoolean`. */
const flag = Transform(({ value }: { value: unknown }) =>
  value === 'true' ? true : value === 'false' ? false : value,
);

const IsCaseCursor = () =>
  ValidateBy({
    name: 'isCaseCursor',
    validator: {
      validate: (value: unknown, args) =>
        typeof value === 'string' &&
        decodeCaseCursor(value) !== undefined &&
        (args?.object as ListCasesQuery).offset === undefined,
      defaultMessage: (args) =>
        (args?.object as ListCasesQuery).offset !== undefined
          ? 'cursor and offset exclude each other: page by one of them'
          : 'cursor must be the `next` of a previous page',
    },
  });

/** Filters and paging of `GET /cases`: each filter optional, all of them applied together. */
export class ListCasesQuery {
  @ApiPropertyOptional({
    type: String,
    description: `One status (${CASE_STATUSES.join(', ')}), or several separated by commas (or the parameter repeated)`,
    example: 'open,pending',
  })
  @IsOptional()
  @list
  @ArrayMinSize(1)
  @ArrayMaxSize(CASE_STATUSES.length)
  @IsIn(CASE_STATUSES, { each: true })
  status?: CaseStatus[];

  @ApiPropertyOptional({ enum: CASE_TYPES }) @IsOptional() @IsIn(CASE_TYPES) caseType?: CaseType;
  @ApiPropertyOptional({ enum: CASE_PRIORITIES })
  @IsOptional()
  @IsIn(CASE_PRIORITIES)
  priority?: CasePriority;
  @ApiPropertyOptional() @IsOptional() @IsString() @IsNotBlank() @MaxLength(200) queue?: string;
  @ApiPropertyOptional({ description: 'The agent the cases are assigned to' })
  @IsOptional()
  @IsString()
  @IsNotBlank()
  @MaxLength(200)
  assigneeId?: string;
  @ApiPropertyOptional({ format: 'uuid' }) @IsOptional() @IsUUID() customerId?: string;
  @ApiPropertyOptional({
    type: Boolean,
    description: 'Cases that breached any SLA clock (true) or none (false)',
  })
  @IsOptional()
  @flag
  @IsBoolean()
  breached?: boolean;

  @ApiPropertyOptional({ type: 'integer', default: 50, minimum: 1, maximum: MAX_CASE_PAGE })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_CASE_PAGE)
  limit?: number;

  @ApiPropertyOptional({
    type: 'integer',
    default: 0,
    minimum: 0,
    description: 'Cases to skip (or page by `cursor`)',
  })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(MAX_OFFSET)
  offset?: number;

  @ApiPropertyOptional({
    description: '`next` of the previous page: the cases after its last one (not with `offset`)',
  })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  @IsCaseCursor()
  cursor?: string;
}

export class CaseRequesterView {
  @ApiProperty({ type: String, nullable: true }) name!: string | null;
  @ApiProperty({ type: String, nullable: true }) email!: string | null;
  @ApiProperty({ type: String, nullable: true }) phone!: string | null;
}

/** A case of the list, as the read model has it (`[erased]` for the personal values of an erased customer). */
export class CaseListItem {
  @ApiProperty({ format: 'uuid' }) caseId!: string;
  @ApiProperty({ format: 'uuid' }) customerId!: string;
  @ApiProperty() knownCustomer!: boolean;
  @ApiProperty({ enum: CASE_STATUSES }) status!: string;
  @ApiProperty({ enum: CASE_TYPES }) caseType!: string;
  @ApiProperty({ enum: CASE_PRIORITIES }) priority!: string;
  @ApiProperty({ enum: CASE_CHANNELS }) channel!: string;
  @ApiProperty() queue!: string;
  @ApiProperty({ type: String, nullable: true }) assigneeId!: string | null;
  @ApiProperty() subject!: string;
  @ApiProperty({ type: CaseRequesterView }) requester!: CaseRequesterView;
  @ApiProperty({ type: String, nullable: true }) productRef!: string | null;
  @ApiProperty() policyId!: string;
  @ApiProperty() policyVersion!: number;
  @ApiProperty({ format: 'date-time' }) openedAt!: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) firstResponseAt!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) solvedAt!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) closedAt!: string | null;
  @ApiProperty({ description: 'Whether any of its SLA clocks breached' }) breached!: boolean;
  @ApiProperty({ type: Number, nullable: true, minimum: 1, maximum: 5 }) csat!: number | null;
  @ApiProperty({ type: Number, nullable: true, minimum: 0, maximum: 10 }) nps!: number | null;
  @ApiProperty({ type: String, enum: NPS_CATEGORIES, nullable: true }) npsCategory!: string | null;
  @ApiProperty() revision!: number;
}

export class CasePage {
  @ApiProperty({ type: [CaseListItem] }) items!: CaseListItem[];
  @ApiProperty() limit!: number;
  @ApiPropertyOptional({ description: 'Pass as `cursor` for the next page; absent on the last page' })
  next?: string;
}
