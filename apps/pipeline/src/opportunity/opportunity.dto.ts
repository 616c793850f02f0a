import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  IsIn,
  IsInt,
  IsNumber,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  Max,
  MaxLength,
  Min,
} from 'class-validator';
import { FORECAST_CATEGORIES, LOSS_REASONS, type ForecastCategory, type LossReason } from '@crm/contracts';
import { IsCalendarDate, IsDecimalNumber, IsNotBlank, OptionalField } from '@crm/service-kit';

const CURRENCY = /^[A-Z]{3}$/;

export class OpenOpportunityDto {
  @ApiProperty({ format: 'uuid', description: 'The account (customer) id' })
  @IsUUID('all')
  accountId!: string;
  @ApiProperty() @IsString() @IsNotBlank() @MaxLength(200) name!: string;
  @ApiProperty() @IsString() @IsNotBlank() @MaxLength(100) ownerId!: string;
  @ApiPropertyOptional() @OptionalField() @IsNumber() @IsDecimalNumber(2) @Min(0) amount?: number;
  @ApiProperty({ example: 'EUR' })
  @Matches(CURRENCY, { message: 'currency must be an ISO 4217 code' })
  currency!: string;
  @ApiPropertyOptional({ example: '2026-12-31' })
  @OptionalField()
  @IsCalendarDate()
  expectedCloseDate?: string;
  @ApiPropertyOptional({ description: 'An open stage of the pipeline; the first by default' })
  @OptionalField()
  @IsString()
  @MaxLength(50)
  stage?: string;
}

export class MoveStageDto {
  @ApiProperty() @IsString() @IsNotBlank() @MaxLength(50) stage!: string;
}

export class ChangeOpportunityDto {
  @ApiPropertyOptional() @OptionalField() @IsString() @IsNotBlank() @MaxLength(200) name?: string;
  @ApiPropertyOptional() @OptionalField() @IsNumber() @IsDecimalNumber(2) @Min(0) amount?: number;
  @ApiPropertyOptional()
  @OptionalField()
  @Matches(CURRENCY, { message: 'currency must be an ISO 4217 code' })
  currency?: string;
  @ApiPropertyOptional({ example: '2026-12-31' })
  @OptionalField()
  @IsCalendarDate()
  expectedCloseDate?: string;
  @ApiPropertyOptional({ enum: FORECAST_CATEGORIES })
  @OptionalField()
  @IsIn(FORECAST_CATEGORIES)
  forecastCategory?: ForecastCategory;
  @ApiPropertyOptional() @OptionalField() @IsString() @IsNotBlank() @MaxLength(100) ownerId?: string;
}

export class WinOpportunityDto {
  @ApiPropertyOptional({
    format: 'uuid',
    description: 'An accepted quote of this opportunity; its total becomes the amount',
  })
  @OptionalField()
  @IsUUID('all')
  quoteId?: string;
}

export class LoseOpportunityDto {
  @ApiProperty({ enum: LOSS_REASONS }) @IsIn(LOSS_REASONS) reason!: LossReason;
  @ApiPropertyOptional() @OptionalField() @IsString() @MaxLength(5000) notes?: string;
}

export class OpportunityIdParams {
  @ApiProperty({ format: 'uuid' }) @IsUUID('all') id!: string;
}

export class ListOpportunitiesQuery {
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(50) stage?: string;
  @ApiPropertyOptional({ enum: ['open', 'won', 'lost'] })
  @IsOptional()
  @IsIn(['open', 'won', 'lost'])
  status?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(100) ownerId?: string;
  @ApiPropertyOptional({ description: 'Expected close month, YYYY-MM' })
  @IsOptional()
  @Matches(/^\d{4}-(0[1-9]|1[0-2])$/, { message: 'closeMonth must be YYYY-MM' })
  closeMonth?: string;
  @ApiPropertyOptional({ format: 'uuid' }) @IsOptional() @IsUUID('all') accountId?: string;
  @ApiPropertyOptional({ default: 1 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  page?: number;
  @ApiPropertyOptional({ default: 50 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(500)
  pageSize?: number;
}
