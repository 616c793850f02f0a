import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, MaxLength } from 'class-validator';

export class ForecastQuery {
  @ApiPropertyOptional({ enum: ['month', 'quarter'], default: 'month' })
  @IsOptional()
  @IsIn(['month', 'quarter'])
  period?: 'month' | 'quarter';
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(100) ownerId?: string;
}
