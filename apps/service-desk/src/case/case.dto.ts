import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  IsDefined,
  IsEmail,
  IsIn,
  IsInt,
  IsObject,
  IsString,
  IsUUID,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import {
  CASE_CHANNELS,
  CASE_PRIORITIES,
  CASE_TYPES,
  type CaseChannel,
  type CasePriority,
  type CaseType,
} from '@crm/contracts';
import { IsNotBlank, OptionalField } from '@crm/service-kit';

export class RequesterDto {
  @ApiPropertyOptional() @OptionalField() @IsString() @IsNotBlank() @MaxLength(200) name?: string;
  @ApiPropertyOptional() @OptionalField() @IsEmail() @MaxLength(320) email?: string;
  @ApiPropertyOptional() @OptionalField() @IsString() @IsNotBlank() @MaxLength(40) phone?: string;
}

export class OpenCaseDto {
  @ApiPropertyOptional({
    format: 'uuid',
    description: 'A customer other contexts know; absent: a stranger, kept on the case only',
  })
  @OptionalField()
  @IsUUID()
  customerId?: string;

  @ApiProperty({ type: RequesterDto })
  @IsDefined()
  @IsObject()
  @ValidateNested()
  @Type(() => RequesterDto)
  requester!: RequesterDto;
  @ApiProperty({ enum: CASE_CHANNELS }) @IsIn(CASE_CHANNELS) channel!: CaseChannel;
  @ApiProperty({ enum: CASE_TYPES }) @IsIn(CASE_TYPES) caseType!: CaseType;
  @ApiPropertyOptional({ enum: CASE_PRIORITIES, default: 'normal' })
  @OptionalField()
  @IsIn(CASE_PRIORITIES)
  priority?: CasePriority;
  @ApiProperty({ maxLength: 300 }) @IsString() @IsNotBlank() @MaxLength(300) subject!: string;
  @ApiPropertyOptional({ maxLength: 20000 })
  @OptionalField()
  @IsString()
  @MaxLength(20000)
  description?: string;
  @ApiPropertyOptional({ description: 'Product or order reference' })
  @OptionalField()
  @IsString()
  @IsNotBlank()
  @MaxLength(200)
  productRef?: string;
  @ApiPropertyOptional({ description: 'Queue; default: the case type' })
  @OptionalField()
  @IsString()
  @IsNotBlank()
  @MaxLength(100)
  queue?: string;
  @ApiPropertyOptional({ format: 'uuid', description: 'The case this one follows up' })
  @OptionalField()
  @IsUUID()
  followsUpCaseId?: string;
}

export class ReplyDto {
  @ApiProperty({ enum: ['agent', 'customer'] }) @IsIn(['agent', 'customer']) authorKind!:
    'agent' | 'customer';
  @ApiProperty({ enum: CASE_CHANNELS }) @IsIn(CASE_CHANNELS) channel!: CaseChannel;
  @ApiProperty({ enum: ['public', 'internal'] }) @IsIn(['public', 'internal']) visibility!:
    'public' | 'internal';
  @ApiProperty({ maxLength: 20000 }) @IsString() @IsNotBlank() @MaxLength(20000) body!: string;
}

export class StatusDto {
  @ApiProperty({ enum: ['open', 'pending', 'on_hold'] }) @IsIn(['open', 'pending', 'on_hold']) status!:
    'open' | 'pending' | 'on_hold';
}

export class EscalateDto {
  @ApiProperty() @IsString() @IsNotBlank() @MaxLength(100) toQueue!: string;
}

export class RatingDto {
  @ApiProperty({ minimum: 1, maximum: 5 }) @IsInt() @Min(1) @Max(5) score!: number;
  @ApiPropertyOptional({ maxLength: 2000 }) @OptionalField() @IsString() @MaxLength(2000) comment?: string;
  @ApiPropertyOptional({
    minimum: 0,
    maximum: 10,
    description: 'How likely the customer is to recommend us (NPS question), 0-10',
  })
  @OptionalField()
  @IsInt()
  @Min(0)
  @Max(10)
  recommend?: number;
}

export class CaseIdParams {
  @ApiProperty({ format: 'uuid' }) @IsUUID() id!: string;
}

export class SurveyTokenParams {
  @ApiProperty({ description: 'The signed, single-use token of the survey link' })
  @IsString()
  @MaxLength(400)
  token!: string;
}
