import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  IsIn,
  IsInt,
  IsISO8601,
  IsNumber,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
} from 'class-validator';
import { FORECAST_CATEGORIES, LOSS_REASONS, type ForecastCategory, type LossReason } from '@crm/contracts';

const CURRENCY = /^[A-Z]{3}$/;
const money = { maxDecimalPlaces: 2 };

export class OpenOpportunityDto {
  @ApiProperty({ format: 'uuid', description: 'The account (customer) id' })
  @IsUUID('all')
  accountId!: string;
  @ApiProperty() @IsString() @MinLength(1) @MaxLength(200) name!: string;
  @ApiProperty() @IsString() @MinLength(1) @MaxLength(100) ownerId!: string;
  @ApiPropertyOptional() @IsOptional() @IsNumber(money) @Min(0) amount?: number;
  @ApiProperty({ example: 'EUR' })
  @Matches(CURRENCY, { message: 'currency must be an ISO 4217 code' })
  currency!: string;
  @ApiPropertyOptional({ example: '2026-12-31' })
  @IsOptional()
  @IsISO8601({ strict: true })
  expectedCloseDate?: string;
  @ApiPropertyOptional({ description: 'An open stage of the pipeline; the first by default' })
  @IsOptional()
  @IsString()
  @MaxLength(50)
  stage?: string;
}

export class MoveStageDto {
  @ApiProperty() @IsString() @MinLength(1) @MaxLength(50) stage!: string;
}

export class ChangeOpportunityDto {
  @ApiPropertyOptional() @IsOptional() @IsString() @MinLength(1) @MaxLength(200) name?: string;
  @ApiPropertyOptional() @IsOptional() @IsNumber(money) @Min(0) amount?: number;
  @ApiPropertyOptional()
  @IsOptional()
  @Matches(CURRENCY, { message: 'currency must be an ISO 4217 code' })
  currency?: string;
  @ApiPropertyOptional() @IsOptional() @IsISO8601({ strict: true }) expectedCloseDate?: string;
  @ApiPropertyOptional({ enum: FORECAST_CATEGORIES })
  @IsOptional()
  @IsIn(FORECAST_CATEGORIES)
  forecastCategory?: ForecastCategory;
  @ApiPropertyOptional() @IsOptional() @IsString() @MinLength(1) @MaxLength(100) ownerId?: string;
}

export class WinOpportunityDto {
  @ApiPropertyOptional({
    format: 'uuid',
    description: 'An accepted quote of this opportunity; its total becomes the amount',
  })
  @IsOptional()
  @IsUUID('all')
  quoteId?: string;
}

export class LoseOpportunityDto {
  @ApiProperty({ enum: LOSS_REASONS }) @IsIn(LOSS_REASONS) reason!: LossReason;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(5000) notes?: string;
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
  @ApiPropertyOptional({ default: 1 }) @IsOptional() @Type(() => Number) @IsInt() @Min(1) page?: number;
  @ApiPropertyOptional({ default: 50 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(500)
  pageSize?: number;
}
