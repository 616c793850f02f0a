import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsInt,
  IsString,
  IsUUID,
  Max,
  MaxLength,
  Min,
} from 'class-validator';
import { IsNotBlank, OptionalField } from '@crm/service-kit';

export class ListIdParams {
  @ApiProperty({ format: 'uuid' }) @IsUUID() id!: string;
}

export class ListImportParams extends ListIdParams {
  @ApiProperty({ format: 'uuid' }) @IsUUID() importId!: string;
}

export class CreateListDto {
  @ApiProperty({ maxLength: 200 }) @IsString() @IsNotBlank() @MaxLength(200) name!: string;
  @ApiPropertyOptional({ maxLength: 2000 })
  @OptionalField()
  @IsString()
  @MaxLength(2000)
  description?: string;
}

export class ListMembersDto {
  @ApiProperty({ type: [String], format: 'uuid', minItems: 1, maxItems: 1000, description: 'Customer ids' })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(1000)
  @IsUUID('all', { each: true })
  customerIds!: string[];
}

export class MembersPageDto {
  @ApiPropertyOptional({
    format: 'uuid',
    description: 'The page after this customer id (the previous page’s `next`)',
  })
  @OptionalField()
  @IsUUID()
  after?: string;
  @ApiPropertyOptional({ minimum: 1, maximum: 1000, default: 100 })
  @OptionalField()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1000)
  limit?: number;
}

/** 1,000 lines of `customer-id` fit a chunk with room to spare in the 100 kB body limit (~37 kB). */
export const CHUNK_MAX_CHARS = 90_000;

export class ImportChunkDto {
  @ApiProperty({
    minimum: 0,
    description: 'The chunk’s number, from 0, in order; a chunk sent again is taken once',
  })
  @IsInt()
  @Min(0)
  @Max(100_000)
  seq!: number;
  @ApiProperty({
    maxLength: CHUNK_MAX_CHARS,
    description:
      'Whole CSV lines (the first field a customer id or an e-mail address), continuing the previous chunk',
  })
  @IsString()
  @MaxLength(CHUNK_MAX_CHARS)
  csv!: string;
  @ApiPropertyOptional({ description: 'The last chunk: the upload is complete and processing starts' })
  @OptionalField()
  @IsBoolean()
  last?: boolean;
}

export class RejectionsPageDto {
  @ApiPropertyOptional({
    minimum: 0,
    description: 'Rejected rows after this line (the previous page’s `next`)',
  })
  @OptionalField()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  afterLine?: number;
  @ApiPropertyOptional({ minimum: 1, maximum: 1000, default: 100 })
  @OptionalField()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1000)
  limit?: number;
}
