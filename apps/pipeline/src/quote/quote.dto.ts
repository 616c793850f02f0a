import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsInt,
  IsNumber,
  IsObject,
  IsString,
  IsUUID,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { IsDecimalNumber, IsNotBlank, OptionalField } from '@crm/service-kit';

export class QuoteLineDto {
  @ApiProperty() @IsString() @IsNotBlank() @MaxLength(200) product!: string;
  @ApiProperty() @IsInt() @Min(1) @Max(1_000_000) quantity!: number;
  @ApiProperty()
  @IsNumber()
  @IsDecimalNumber(2)
  @Min(0)
  unitPrice!: number;
  @ApiPropertyOptional({ default: 0 })
  @OptionalField()
  @IsNumber()
  @IsDecimalNumber(2)
  @Min(0)
  @Max(100)
  discountPercent?: number;
}

export class QuoteLinesDto {
  @ApiProperty({ type: [QuoteLineDto] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(200)
  @IsObject({ each: true })
  @ValidateNested({ each: true })
  @Type(() => QuoteLineDto)
  lines!: QuoteLineDto[];
}

export class DraftQuoteDto extends QuoteLinesDto {
  @ApiPropertyOptional({ example: 'EUR', description: "Defaults to the opportunity's currency" })
  @OptionalField()
  @Matches(/^[A-Z]{3}$/, { message: 'currency must be an ISO 4217 code' })
  currency?: string;
}

export class RejectQuoteDto {
  @ApiPropertyOptional() @OptionalField() @IsString() @MaxLength(2000) reason?: string;
}

export class QuoteIdParams {
  @ApiProperty({ format: 'uuid' }) @IsUUID('all') id!: string;
}
