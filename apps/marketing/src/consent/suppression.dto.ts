import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import {
  CONSENT_CHANNELS,
  SUPPRESSION_REASONS,
  type ConsentChannel,
  type SuppressionReason,
} from '@crm/contracts';
import { IsInstant, IsNotBlank, OptionalField } from '@crm/service-kit';

/**
 * What staff may suppress by hand. `hard_bounce` is recorded by the service only, from a
 * mail server's permanent refusal (`POST /feedback/bounces` or while sending), tied to a message.
 */
export const STAFF_SUPPRESSION_REASONS = ['complaint', 'manual'] as const;
export type StaffSuppressionReason = (typeof STAFF_SUPPRESSION_REASONS)[number];

export class SuppressContactDto {
  @ApiProperty({
    enum: STAFF_SUPPRESSION_REASONS,
    description:
      '`complaint`: the customer complained of being contacted; `manual`: anything else (e.g. asked never to be contacted). `hard_bounce` is recorded from bounces only',
  })
  @IsIn(STAFF_SUPPRESSION_REASONS)
  reason!: StaffSuppressionReason;

  @ApiPropertyOptional({
    enum: CONSENT_CHANNELS,
    description: 'The one channel suppressed; default: every channel',
  })
  @OptionalField()
  @IsIn(CONSENT_CHANNELS)
  channel?: ConsentChannel;

  @ApiPropertyOptional({
    description: 'When it took effect (ISO 8601), if before now; default: now; never later',
  })
  @OptionalField()
  @IsInstant()
  effectiveAt?: string;

  @ApiPropertyOptional({
    description: 'Why, in words (personal data: erased with the customer)',
    maxLength: 500,
  })
  @OptionalField()
  @IsString()
  @IsNotBlank()
  @MaxLength(500)
  note?: string;
}

/** A page position: `<recordedAt>_<customerId>_<revision>` of the last row of the previous page. */
export const SUPPRESSION_CURSOR =
  /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z)_([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})_(\d{1,12})$/;

export class SuppressionsQueryDto {
  @ApiPropertyOptional({ enum: SUPPRESSION_REASONS, description: 'Only suppressions for this reason' })
  @OptionalField()
  @IsIn(SUPPRESSION_REASONS)
  reason?: SuppressionReason;

  @ApiPropertyOptional({
    enum: CONSENT_CHANNELS,
    description: 'Only suppressions that stop this channel: of this channel, or of every channel',
  })
  @OptionalField()
  @IsIn(CONSENT_CHANNELS)
  channel?: ConsentChannel;

  @ApiPropertyOptional({ description: 'The page after this position (the previous page’s `next`)' })
  @OptionalField()
  @Matches(SUPPRESSION_CURSOR, { message: 'after must be the `next` of a previous page' })
  after?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: 1000, default: 100 })
  @OptionalField()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1000)
  limit?: number;
}
