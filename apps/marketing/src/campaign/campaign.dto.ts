import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsObject,
  IsString,
  IsUUID,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import {
  CAMPAIGN_CHANNELS,
  CONSENT_PURPOSES,
  type CampaignChannel,
  type ConsentPurpose,
} from '@crm/contracts';
import { IsDecimalNumber, IsInstant, IsNotBlank } from '@crm/service-kit';

export class CampaignIdParams {
  @ApiProperty({ format: 'uuid' }) @IsUUID() id!: string;
}

export class UnsubscribeTokenParams {
  @ApiProperty({ description: 'The signed token of the one-click unsubscribe link' })
  @IsString()
  @MaxLength(200)
  token!: string;
}

export class AudienceDto {
  @ApiProperty({ enum: ['list', 'segment'] }) @IsIn(['list', 'segment']) kind!: 'list' | 'segment';
  @ApiPropertyOptional({ type: [String], format: 'uuid', description: 'For a list: the customers' })
  @ValidateIf((a: AudienceDto) => a.kind === 'list')
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(10_000)
  @IsUUID('all', { each: true })
  customerIds?: string[];
  @ApiPropertyOptional({ format: 'uuid', description: 'For a segment: its members when each step goes out' })
  @ValidateIf((a: AudienceDto) => a.kind === 'segment')
  @IsUUID()
  segmentId?: string;
}

export class StepDto {
  @ApiProperty({ maxLength: 200 }) @IsString() @IsNotBlank() @MaxLength(200) subject!: string;
  @ApiProperty({ maxLength: 20_000, description: 'Plain text with merge fields: {{name}}, {{email}}' })
  @IsString()
  @IsNotBlank()
  @MaxLength(20_000)
  body!: string;
  @ApiProperty({ description: 'Days after the step before (0 for the first)' })
  @IsInt()
  @Min(0)
  @Max(365)
  waitDays!: number;
  @ApiProperty({ description: 'Only recipients of the step before who have not responded' })
  @IsBoolean()
  onlyNonResponders!: boolean;
}

export class CampaignDto {
  @ApiProperty({ maxLength: 200 }) @IsString() @IsNotBlank() @MaxLength(200) name!: string;
  @ApiProperty({ enum: CONSENT_PURPOSES }) @IsIn(CONSENT_PURPOSES) purpose!: ConsentPurpose;
  @ApiProperty({ enum: CAMPAIGN_CHANNELS }) @IsIn(CAMPAIGN_CHANNELS) channel!: CampaignChannel;
  @ApiProperty({ type: AudienceDto })
  @IsObject()
  @ValidateNested()
  @Type(() => AudienceDto)
  audience!: AudienceDto;
  @ApiProperty({ type: [StepDto] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(20)
  @IsObject({ each: true })
  @ValidateNested({ each: true })
  @Type(() => StepDto)
  steps!: StepDto[];
  // Not IsNumber({ maxDecimalPlaces }): it throws on numbers it writes with an exponent (a 500).
  @ApiProperty() @IsDecimalNumber(2) @Min(0) @Max(1e12) budget!: number;
  @ApiProperty({ description: 'Planned cost' })
  @IsDecimalNumber(2)
  @Min(0)
  @Max(1e12)
  cost!: number;
  @ApiProperty({ pattern: '^[A-Z]{3}$' }) @IsString() @Matches(/^[A-Z]{3}$/) currency!: string;
}

export class ScheduleDto {
  @ApiProperty({ description: 'When the first step goes out (ISO 8601), now or later' })
  @IsInstant()
  startAt!: string;
}
