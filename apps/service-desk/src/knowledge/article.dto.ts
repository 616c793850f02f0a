import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUUID,
  Max,
  MaxLength,
  Min,
} from 'class-validator';
import { KNOWLEDGE_AUDIENCES, type KnowledgeAudience } from '@crm/contracts';
import { IsNotBlank, OptionalField } from '@crm/service-kit';

export const MAX_TAGS = 20;
export const MAX_TAG_LENGTH = 50;
const MAX_VERSION = 1_000_000;

/** An article's content: what `POST /knowledge/articles` publishes and `PUT` makes the next version. */
export class ArticleDto {
  @ApiProperty({ maxLength: 300 }) @IsString() @IsNotBlank() @MaxLength(300) title!: string;

  @ApiProperty({ maxLength: 100_000, description: 'Plain text or Markdown, as the clients render it' })
  @IsString()
  @IsNotBlank()
  @MaxLength(100_000)
  body!: string;

  @ApiPropertyOptional({
    type: [String],
    maxItems: MAX_TAGS,
    description: 'Kept trimmed, in lower case and each once; absent: none',
  })
  @OptionalField()
  @IsArray()
  @ArrayMaxSize(MAX_TAGS)
  @IsString({ each: true })
  @IsNotBlank({ each: true })
  @MaxLength(MAX_TAG_LENGTH, { each: true })
  tags?: string[];

  @ApiProperty({
    enum: KNOWLEDGE_AUDIENCES,
    description: '`public`: anyone finds and reads it (customers too); `agents`: support agents only',
  })
  @IsIn(KNOWLEDGE_AUDIENCES)
  audience!: KnowledgeAudience;
}

export class ArticleIdParams {
  @ApiProperty({ format: 'uuid' }) @IsUUID() id!: string;
}

export class ArticleVersionQuery {
  @ApiPropertyOptional({ minimum: 1, description: 'An older version; absent: the latest' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_VERSION)
  version?: number;
}

/** `tags=billing,invoices` (or the parameter repeated): each tag trimmed and in lower case. */
const tagList = ({ value }: { value: unknown }) =>
  (Array.isArray(value) ? value : [value])
    .flatMap((v) => (typeof v === 'string' ? v.split(',') : [v]))
    .map((v) => (typeof v === 'string' ? v.trim().toLowerCase() : v))
    .filter((v) => v !== '');

export class SearchQuery {
  @ApiProperty({
    maxLength: 500,
    description:
      'What to find, as in a web search engine: words, "a phrase", `or`, `-word` (PostgreSQL websearch_to_tsquery, English)',
  })
  @IsString()
  @IsNotBlank()
  @MaxLength(500)
  q!: string;

  @ApiPropertyOptional({
    type: String,
    description: 'Comma-separated tags: only articles with every one of them',
    example: 'billing,invoices',
  })
  @IsOptional()
  @Transform(tagList)
  @IsArray()
  @ArrayMaxSize(MAX_TAGS)
  @IsString({ each: true })
  @MaxLength(MAX_TAG_LENGTH, { each: true })
  tags?: string[];

  @ApiPropertyOptional({ default: 10, minimum: 1, maximum: 50 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(50)
  limit?: number;
}

export class LinkArticleDto {
  @ApiProperty({ format: 'uuid' }) @IsUUID() articleId!: string;

  @ApiPropertyOptional({ minimum: 1, description: 'The version the agent saw; absent: the latest' })
  @OptionalField()
  @IsInt()
  @Min(1)
  @Max(MAX_VERSION)
  version?: number;
}

/** What every article command answers; the revision is also the `ETag`. */
export class ArticleAcceptedDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ description: 'The latest version' }) version!: number;
  @ApiProperty({ enum: ['published', 'archived'] }) status!: string;
  @ApiProperty({ enum: KNOWLEDGE_AUDIENCES }) audience!: string;
  @ApiProperty() revision!: number;
}
