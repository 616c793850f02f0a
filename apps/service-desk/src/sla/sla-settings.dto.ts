import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsDateString,
  IsIn,
  IsInt,
  IsNumber,
  IsObject,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { CASE_PRIORITIES, CASE_TYPES, type CasePriority, type CaseType } from '@crm/contracts';
import { IsNotBlank, OptionalField } from '@crm/service-kit';

const HHMM = /^([01]\d|2[0-3]):[0-5]\d$/;
const HHMM_OR_MIDNIGHT = /^(([01]\d|2[0-3]):[0-5]\d|24:00)$/;

export class OpeningHoursDto {
  @ApiProperty({ minimum: 1, maximum: 7, description: 'ISO weekday: 1 Monday ... 7 Sunday' })
  @IsInt()
  @Min(1)
  @Max(7)
  weekday!: number;
  @ApiProperty({ example: '09:00' }) @Matches(HHMM, { message: 'start must be HH:MM' }) start!: string;
  @ApiProperty({ example: '17:00' })
  @Matches(HHMM_OR_MIDNIGHT, { message: 'end must be HH:MM or 24:00' })
  end!: string;
}

export class CalendarDto {
  @ApiProperty({ example: 'Europe/Madrid', description: 'IANA time zone' })
  @IsString()
  @IsNotBlank()
  @MaxLength(64)
  timeZone!: string;

  @ApiProperty({ type: [OpeningHoursDto], description: 'Opening intervals, local wall-clock time' })
  @IsArray()
  @ArrayMaxSize(70)
  // Without it, an array of arrays passes: ValidateNested walks into an inner array and finds nothing.
  @IsObject({ each: true })
  @ValidateNested({ each: true })
  @Type(() => OpeningHoursDto)
  hours!: OpeningHoursDto[];

  @ApiProperty({ type: [String], example: ['2026-12-25'], description: 'Local dates closed all day' })
  @IsArray()
  @ArrayMaxSize(400)
  @IsDateString({ strict: true }, { each: true })
  holidays!: string[];
}

export class PolicyDto {
  @ApiPropertyOptional({
    enum: CASE_TYPES,
    description: 'Only cases of this type; absent: the priority’s default',
  })
  @OptionalField()
  @IsIn(CASE_TYPES)
  caseType?: CaseType;
  @ApiProperty({ description: 'Business minutes' })
  @IsNumber()
  @Min(0.01)
  @Max(525_600)
  firstResponseMinutes!: number;
  @ApiProperty({ description: 'Business minutes' })
  @IsNumber()
  @Min(0.01)
  @Max(525_600)
  nextResponseMinutes!: number;
  @ApiProperty({ description: 'Business minutes' })
  @IsNumber()
  @Min(0.01)
  @Max(525_600)
  resolutionMinutes!: number;
  @ApiProperty({
    description: 'Share of a target at which a warning is published',
    minimum: 0.01,
    maximum: 0.99,
  })
  @IsNumber()
  @Min(0.01)
  @Max(0.99)
  warningShare!: number;
  @ApiPropertyOptional({ description: 'Queue a breached case is escalated to' })
  @OptionalField()
  @IsString()
  @IsNotBlank()
  @MaxLength(100)
  escalateToQueue?: string;
}

export class PriorityParams {
  @ApiProperty({ enum: CASE_PRIORITIES }) @IsIn(CASE_PRIORITIES) priority!: CasePriority;
}
