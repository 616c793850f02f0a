import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsEmail,
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
  CUSTOMER_TYPES,
  DISQUALIFICATION_REASONS,
  ENGAGEMENT_KINDS,
  LEAD_CHANNELS,
  type CustomerType,
  type DisqualificationReason,
  type EngagementKind,
  type LeadChannel,
} from '@crm/contracts';
import { IsInstant, IsNotBlank, OptionalField } from '@crm/service-kit';
import { LEAD_STATUSES, type LeadStatus } from './lead.read-model';

export class SourceAttributionDto {
  @ApiPropertyOptional() @OptionalField() @IsString() @MaxLength(100) campaignId?: string;
  @ApiPropertyOptional() @OptionalField() @IsString() @MaxLength(200) utmSource?: string;
  @ApiPropertyOptional() @OptionalField() @IsString() @MaxLength(200) utmMedium?: string;
  @ApiPropertyOptional() @OptionalField() @IsString() @MaxLength(200) utmCampaign?: string;
  @ApiPropertyOptional() @OptionalField() @IsString() @MaxLength(200) utmTerm?: string;
  @ApiPropertyOptional() @OptionalField() @IsString() @MaxLength(200) utmContent?: string;
  @ApiPropertyOptional() @OptionalField() @IsString() @MaxLength(2000) referrer?: string;
}

export class CaptureLeadDto {
  @ApiPropertyOptional({ description: 'Required unless companyName is given' })
  @ValidateIf((o: CaptureLeadDto) => o.personName !== undefined || o.companyName === undefined)
  @IsString()
  @IsNotBlank()
  @MaxLength(200)
  personName?: string;

  @ApiPropertyOptional({ description: 'Required unless personName is given' })
  @ValidateIf((o: CaptureLeadDto) => o.companyName !== undefined || o.personName === undefined)
  @IsString()
  @IsNotBlank()
  @MaxLength(200)
  companyName?: string;

  @ApiPropertyOptional({ description: 'Required unless phone is given; stored lower-cased' })
  @ValidateIf((o: CaptureLeadDto) => o.email !== undefined || o.phone === undefined)
  @Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value))
  @IsEmail()
  @MaxLength(320)
  email?: string;

  @ApiPropertyOptional({ description: 'Required unless email is given; stored in E.164 form' })
  @ValidateIf((o: CaptureLeadDto) => o.phone !== undefined || o.email === undefined)
  @IsString()
  @Matches(/^(?=(?:\D*\d){6})\+?[\d\s().-]{6,30}$/, {
    message: 'phone must be a phone number (at least 6 digits; spaces, + ( ) . - allowed)',
  })
  phone?: string;

  @ApiProperty({ enum: LEAD_CHANNELS })
  @IsIn(LEAD_CHANNELS)
  channel!: LeadChannel;

  @ApiPropertyOptional({ enum: CUSTOMER_TYPES, default: 'prospect' })
  @OptionalField()
  @IsIn(CUSTOMER_TYPES)
  customerType?: CustomerType;

  @ApiPropertyOptional({ type: SourceAttributionDto })
  @OptionalField()
  @IsObject()
  @ValidateNested()
  @Type(() => SourceAttributionDto)
  source?: SourceAttributionDto;

  @ApiPropertyOptional({ description: 'Number of employees' })
  @OptionalField()
  @IsInt()
  @Min(1)
  @Max(10_000_000)
  companySize?: number;

  @ApiPropertyOptional({ type: [String] })
  @OptionalField()
  @IsArray()
  @ArrayMaxSize(50)
  @IsString({ each: true })
  @MaxLength(100, { each: true })
  interests?: string[];

  @ApiPropertyOptional() @OptionalField() @IsString() @MaxLength(5000) notes?: string;

  @ApiPropertyOptional({ description: 'Owner to assign; round robin among LEAD_OWNERS when omitted' })
  @OptionalField()
  @IsString()
  @IsNotBlank()
  @MaxLength(100)
  ownerId?: string;
}

export class RecordEngagementDto {
  @ApiProperty({ enum: ENGAGEMENT_KINDS }) @IsIn(ENGAGEMENT_KINDS) kind!: EngagementKind;
  @ApiProperty({ enum: LEAD_CHANNELS }) @IsIn(LEAD_CHANNELS) channel!: LeadChannel;
  @ApiPropertyOptional({ description: 'When it happened; defaults to now' })
  @OptionalField()
  @IsInstant()
  occurredAt?: string;
  @ApiPropertyOptional() @OptionalField() @IsString() @MaxLength(5000) summary?: string;
}

export class DisqualifyLeadDto {
  @ApiProperty({ enum: DISQUALIFICATION_REASONS })
  @IsIn(DISQUALIFICATION_REASONS)
  reason!: DisqualificationReason;
  @ApiPropertyOptional() @OptionalField() @IsString() @MaxLength(5000) notes?: string;
}

export class AssignLeadDto {
  @ApiPropertyOptional({ description: 'Owner to assign; the next in the round robin when omitted' })
  @OptionalField()
  @IsString()
  @IsNotBlank()
  @MaxLength(100)
  ownerId?: string;
}

export class LeadIdParams {
  @ApiProperty({ format: 'uuid' }) @IsUUID() id!: string;
}

/** Bounds that keep query parameters within what PostgreSQL's integers and offsets take. */
const MAX_SCORE = 1_000_000;
const MAX_PAGE = 1_000_000;

export class ListLeadsQuery {
  @ApiPropertyOptional({ enum: LEAD_STATUSES }) @IsOptional() @IsIn(LEAD_STATUSES) status?: LeadStatus;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(100) ownerId?: string;
  @ApiPropertyOptional({ enum: LEAD_CHANNELS }) @IsOptional() @IsIn(LEAD_CHANNELS) channel?: LeadChannel;
  @ApiPropertyOptional() @IsOptional() @Type(() => Number) @IsInt() @Min(0) @Max(MAX_SCORE) minScore?: number;
  @ApiPropertyOptional() @IsOptional() @Type(() => Number) @IsInt() @Min(0) @Max(MAX_SCORE) maxScore?: number;
  @ApiPropertyOptional({ default: 1 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_PAGE)
  page?: number;
  @ApiPropertyOptional({ default: 20, maximum: 200 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(200)
  pageSize?: number;
}

/** What every command answers: the lead and the revision to send back as If-Match. */
export class CommandAcceptedDto {
  @ApiProperty() id!: string;
  @ApiProperty() customerId!: string;
  @ApiProperty() revision!: number;
  @ApiProperty({ enum: LEAD_STATUSES }) status!: string;
  @ApiPropertyOptional() ownerId?: string;
  @ApiPropertyOptional() score?: number;
}
