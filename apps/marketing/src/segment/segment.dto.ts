import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  IsIn,
  IsInt,
  IsObject,
  IsString,
  IsUUID,
  Max,
  MaxLength,
  Min,
  ValidateBy,
  type ValidationArguments,
} from 'class-validator';
import { IsInstant, IsNotBlank, OptionalField } from '@crm/service-kit';
import { SEGMENT_ORDERS, decodeCursor, type CursorOrder, type SegmentOrder } from './segment.cursor';

const RULE =
  'A rule tree: {"all": [rules]}, {"any": [rules]}, {"not": rule}, {"field", "op", "value"}, ' +
  '{"field", "withinLastDays"} or {"hasConsent": {"purpose", "channel"}}; fields lifecycleStage, ' +
  'customerType, country, interests, ownerId, wonRevenue, lastPurchaseAt, openComplaints, csat. ' +
  'A problem is answered 400 SEGMENT_RULE_INVALID with its JSON pointer (e.g. /rule/all/1/field)';

export class SegmentIdParams {
  @ApiProperty({ format: 'uuid' }) @IsUUID() id!: string;
}

export class SegmentRuleDto {
  @ApiProperty({ type: 'object', additionalProperties: true, description: RULE })
  @IsObject()
  rule!: Record<string, unknown>;
}

export class DefineSegmentDto extends SegmentRuleDto {
  @ApiProperty({ maxLength: 200 }) @IsString() @IsNotBlank() @MaxLength(200) name!: string;
  @ApiPropertyOptional({ maxLength: 2000 })
  @OptionalField()
  @IsString()
  @MaxLength(2000)
  description?: string;
}

export class RedefineSegmentDto extends SegmentRuleDto {
  @ApiPropertyOptional({ maxLength: 200, description: 'Default: the name it has' })
  @OptionalField()
  @IsString()
  @IsNotBlank()
  @MaxLength(200)
  name?: string;
  @ApiPropertyOptional({ maxLength: 2000, description: 'Default: the description it has' })
  @OptionalField()
  @IsString()
  @MaxLength(2000)
  description?: string;
}

/**
 * A `cursor` of the page order `orderOf(the query)`, i.e. the `next` of a previous page read the
 * same way (not checked against an order that is itself invalid: that one is named).
 */
const IsCursorOf = <T extends object>(orderOf: (query: T) => CursorOrder | undefined) =>
  ValidateBy({
    name: 'isSegmentCursor',
    validator: {
      validate: (value: unknown, args?: ValidationArguments) => {
        const order = orderOf(args!.object as T);
        return typeof value === 'string' && (!order || decodeCursor(value, order) !== undefined);
      },
      defaultMessage: () => 'cursor must be the `next` of a previous page in the same order',
    },
  });

const limit = (max: number, byDefault: number) =>
  ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: max, default: byDefault });

export const MAX_SEGMENT_PAGE = 200;
export const MAX_MEMBER_PAGE = 1000;

export class ListSegmentsQuery {
  @ApiPropertyOptional({
    enum: SEGMENT_ORDERS,
    default: 'newest',
    description: '`newest`: latest defined first; `name`: by name, A to Z',
  })
  @OptionalField()
  @IsIn(SEGMENT_ORDERS)
  order?: SegmentOrder;

  @limit(MAX_SEGMENT_PAGE, 50)
  @OptionalField()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_SEGMENT_PAGE)
  limit?: number;

  @ApiPropertyOptional({ description: '`next` of the previous page (read in the same order)' })
  @OptionalField()
  @IsString()
  @MaxLength(600)
  @IsCursorOf(({ order = 'newest' }: ListSegmentsQuery) =>
    SEGMENT_ORDERS.includes(order) ? order : undefined,
  )
  cursor?: string;
}

export class MembersQueryDto {
  @ApiPropertyOptional({
    description: 'The members at this instant (ISO 8601), from the membership history; default: now',
  })
  @OptionalField()
  @IsInstant()
  at?: string;

  @limit(MAX_MEMBER_PAGE, 100)
  @OptionalField()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_MEMBER_PAGE)
  limit?: number;

  @ApiPropertyOptional({ description: '`next` of the previous page (members by joining instant, then id)' })
  @OptionalField()
  @IsString()
  @MaxLength(600)
  @IsCursorOf<MembersQueryDto>(() => 'joined')
  cursor?: string;
}
