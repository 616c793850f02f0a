import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsObject, IsString, IsUUID, MaxLength } from 'class-validator';
import { IsInstant, IsNotBlank, OptionalField } from '@crm/service-kit';

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

export class MembersQueryDto {
  @ApiPropertyOptional({
    description: 'The members at this instant (ISO 8601), from the membership history; default: now',
  })
  @OptionalField()
  @IsInstant()
  at?: string;
}
