import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsInt, IsOptional, IsString, IsUUID, Matches, Max, MaxLength, Min } from 'class-validator';
import { CAMPAIGN_RESPONSE_KINDS, type CampaignResponseKind } from '@crm/contracts';
import { IsInstant } from '@crm/service-kit';

export class TrackingTokenParams {
  @ApiProperty({ description: 'The signed token of the tracking link' })
  @IsString()
  @MaxLength(4000)
  token!: string;
}

export class RecordResponseDto {
  @ApiProperty({ format: 'uuid', description: 'The recipient' }) @IsUUID() customerId!: string;
  @ApiProperty({ description: 'The step responded to, from 0' }) @IsInt() @Min(0) @Max(19) step!: number;
  @ApiProperty({ enum: CAMPAIGN_RESPONSE_KINDS })
  @IsIn(CAMPAIGN_RESPONSE_KINDS)
  kind!: CampaignResponseKind;
  @ApiPropertyOptional({ description: 'The link clicked, or the page of the form (http or https)' })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  @Matches(/^https?:\/\/\S+$/)
  url?: string;
  @ApiPropertyOptional({ description: 'When the recipient responded (ISO 8601); default now' })
  @IsOptional()
  @IsInstant()
  respondedAt?: string;
}

export class ResponseRecordedDto {
  @ApiProperty({ format: 'uuid' }) campaignId!: string;
  @ApiProperty() step!: number;
  @ApiProperty({ format: 'uuid' }) customerId!: string;
  @ApiProperty({ enum: CAMPAIGN_RESPONSE_KINDS }) kind!: string;
  @ApiProperty({ description: 'False: that kind of response to that step was recorded before' })
  recorded!: boolean;
  @ApiProperty({ description: 'When the response (the first of its kind) came' }) respondedAt!: string;
  @ApiProperty({ description: 'The responder was not a customer yet: published to the leads context' })
  becameLead!: boolean;
  @ApiProperty({
    description:
      'The responder is an acquired customer and the campaign a cross-sell or up-sell: published to the pipeline context, which opens an opportunity',
  })
  becameOpportunity!: boolean;
}
