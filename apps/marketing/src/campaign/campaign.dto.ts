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
  IsOptional,
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
  CAMPAIGN_OBJECTIVES,
  CONSENT_PURPOSES,
  type CampaignAudience,
  type CampaignChannel,
  type CampaignObjective,
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

const AUDIENCE_KINDS = ['customers', 'segment', 'list'] as const;
/** `list` with `customerIds` and no `listId`: the v1 form of `customers`, still accepted. */
const namesCustomers = (a: AudienceDto) =>
  a.kind === 'customers' || (a.kind === 'list' && a.listId === undefined && a.customerIds !== undefined);

export class AudienceDto {
  @ApiProperty({
    enum: AUDIENCE_KINDS,
    description:
      "customers: named one by one; segment: its members when each step goes out; list: a static list's members when each step goes out",
  })
  @IsIn(AUDIENCE_KINDS)
  kind!: (typeof AUDIENCE_KINDS)[number];
  @ApiPropertyOptional({ type: [String], format: 'uuid', description: 'For customers: who' })
  @ValidateIf(namesCustomers)
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(10_000)
  @IsUUID('all', { each: true })
  customerIds?: string[];
  @ApiPropertyOptional({ format: 'uuid', description: 'For a segment: which' })
  @ValidateIf((a: AudienceDto) => a.kind === 'segment')
  @IsUUID()
  segmentId?: string;
  @ApiPropertyOptional({ format: 'uuid', description: 'For a static list (`/lists`): which' })
  @ValidateIf((a: AudienceDto) => a.kind === 'list' && !namesCustomers(a))
  @IsUUID()
  listId?: string;
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
  @ApiPropertyOptional({
    enum: CAMPAIGN_OBJECTIVES,
    default: 'acquisition',
    description:
      'What it is for; a response of an acquired customer to a cross_sell or up_sell campaign opens an opportunity',
  })
  @IsOptional()
  @IsIn(CAMPAIGN_OBJECTIVES)
  objective?: CampaignObjective;
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

export class CostDto {
  @ApiProperty({ description: 'The amount, in the campaign’s currency', minimum: 0.01 })
  @IsDecimalNumber(2)
  @Min(0.01)
  @Max(1e12)
  amount!: number;
  @ApiProperty({ pattern: '^[A-Z]{3}$' }) @IsString() @Matches(/^[A-Z]{3}$/) currency!: string;
  @ApiProperty({ maxLength: 100, description: 'What it was for (e.g. design, sending, ads)' })
  @IsString()
  @IsNotBlank()
  @MaxLength(100)
  item!: string;
}

export class ScheduleDto {
  @ApiProperty({ description: 'When the first step goes out (ISO 8601), now or later' })
  @IsInstant()
  startAt!: string;
}

/** The audience as the contract has it. */
export function audienceOf(dto: AudienceDto): CampaignAudience {
  if (namesCustomers(dto)) return { kind: 'customers', customerIds: dto.customerIds! };
  return dto.kind === 'segment'
    ? { kind: 'segment', segmentId: dto.segmentId! }
    : { kind: 'list', listId: dto.listId! };
}
