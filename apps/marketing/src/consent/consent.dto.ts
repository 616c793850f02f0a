import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsIP, IsObject, IsString, IsUUID, MaxLength, ValidateNested } from 'class-validator';
import {
  CONSENT_CHANNELS,
  CONSENT_PURPOSES,
  LAWFUL_BASES,
  type ConsentChannel,
  type ConsentPurpose,
  type LawfulBasis,
} from '@crm/contracts';
import { IsInstant, IsNotBlank, OptionalField } from '@crm/service-kit';

export class CustomerIdParams {
  @ApiProperty({ format: 'uuid' }) @IsUUID() customerId!: string;
}

export class ConfirmTokenParams {
  @ApiProperty({ description: 'The signed, single-use token of the confirmation link' })
  @IsString()
  @MaxLength(400)
  token!: string;
}

export class EvidenceDto {
  @ApiPropertyOptional({ description: 'Version of the form or text the customer agreed to' })
  @OptionalField()
  @IsString()
  @IsNotBlank()
  @MaxLength(100)
  formVersion?: string;

  @ApiPropertyOptional({ description: 'IP address the consent was given from (personal data)' })
  @OptionalField()
  @IsIP()
  ip?: string;
}

const EFFECTIVE =
  'When it took effect (ISO 8601), if before now: a form signed earlier, a withdrawal asked for by phone yesterday. Default: now; never later';

export class GrantConsentDto {
  @ApiProperty({ enum: CONSENT_PURPOSES }) @IsIn(CONSENT_PURPOSES) purpose!: ConsentPurpose;
  @ApiProperty({ enum: CONSENT_CHANNELS }) @IsIn(CONSENT_CHANNELS) channel!: ConsentChannel;
  @ApiProperty({
    enum: LAWFUL_BASES,
    description: 'GDPR art. 6(1); e-mail on the basis of consent takes a double opt-in',
  })
  @IsIn(LAWFUL_BASES)
  lawfulBasis!: LawfulBasis;
  @ApiProperty({ description: 'Where it was collected, e.g. web_form, import, call', maxLength: 100 })
  @IsString()
  @IsNotBlank()
  @MaxLength(100)
  source!: string;
  @ApiPropertyOptional({ type: EvidenceDto })
  @OptionalField()
  @IsObject()
  @ValidateNested()
  @Type(() => EvidenceDto)
  evidence?: EvidenceDto;
  @ApiPropertyOptional({ description: EFFECTIVE }) @OptionalField() @IsInstant() effectiveAt?: string;
}

export class WithdrawConsentDto {
  @ApiProperty({ enum: CONSENT_PURPOSES }) @IsIn(CONSENT_PURPOSES) purpose!: ConsentPurpose;
  @ApiProperty({ enum: CONSENT_CHANNELS }) @IsIn(CONSENT_CHANNELS) channel!: ConsentChannel;
  @ApiProperty({ description: 'Where the withdrawal came from, e.g. call, unsubscribe_link', maxLength: 100 })
  @IsString()
  @IsNotBlank()
  @MaxLength(100)
  source!: string;
  @ApiPropertyOptional({ description: EFFECTIVE }) @OptionalField() @IsInstant() effectiveAt?: string;
}

export class ConsentQueryDto {
  @ApiPropertyOptional({ enum: CONSENT_PURPOSES, description: 'Only this purpose; default: every one' })
  @OptionalField()
  @IsIn(CONSENT_PURPOSES)
  purpose?: ConsentPurpose;
  @ApiPropertyOptional({ enum: CONSENT_CHANNELS, description: 'Only this channel; default: every one' })
  @OptionalField()
  @IsIn(CONSENT_CHANNELS)
  channel?: ConsentChannel;
  @ApiPropertyOptional({ description: 'T: the time of the contact (ISO 8601); default: now' })
  @OptionalField()
  @IsInstant()
  at?: string;
  @ApiPropertyOptional({
    description: 'K: answer with what the ledger held at this time (ISO 8601); default: now',
  })
  @OptionalField()
  @IsInstant()
  asKnownAt?: string;
}
