import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsEmail,
  IsIn,
  IsInt,
  IsNumber,
  IsObject,
  IsString,
  IsUrl,
  IsUUID,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateNested,
} from 'class-validator';
import { CONTACT_ROLES, CUSTOMER_TYPES, type ContactRole, type CustomerType } from '@crm/contracts';
import { OptionalField } from '@crm/service-kit';

const trim = Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value));
/** Digits with the usual separators; at least 6 digits, so that a phone number is left once normalised. */
const PHONE = /^(?=(?:\D*\d){6})\+?[\d\s().-]{6,30}$/;
const PHONE_MESSAGE = 'phone must be a phone number (at least 6 digits; spaces, + ( ) . - allowed)';
const ACCOUNT_KINDS = ['company', 'person'] as const;
type AccountKind = (typeof ACCOUNT_KINDS)[number];

class AddressDto {
  @ApiPropertyOptional() @OptionalField() @IsString() @MaxLength(200) street?: string;
  @ApiPropertyOptional() @OptionalField() @IsString() @MaxLength(100) city?: string;
  @ApiPropertyOptional() @OptionalField() @IsString() @MaxLength(20) postalCode?: string;
  @ApiPropertyOptional() @OptionalField() @IsString() @MaxLength(100) country?: string;
}

class PreferencesDto {
  @ApiPropertyOptional() @OptionalField() @IsString() @MaxLength(50) preferredChannel?: string;
  @ApiPropertyOptional() @OptionalField() @IsString() @MaxLength(20) language?: string;
  @ApiPropertyOptional() @OptionalField() @IsString() @MaxLength(200) contactTimes?: string;
}

class PurchaseHabitsDto {
  @ApiPropertyOptional() @OptionalField() @IsString() @MaxLength(50) frequency?: string;
  @ApiPropertyOptional() @OptionalField() @IsNumber() @Min(0) averageOrderValue?: number;
  @ApiPropertyOptional({ type: [String] })
  @OptionalField()
  @IsArray()
  @ArrayMaxSize(50)
  @IsString({ each: true })
  preferredProducts?: string[];
}

class DemographicsDto {
  @ApiPropertyOptional() @OptionalField() @IsString() @MaxLength(20) ageRange?: string;
  @ApiPropertyOptional() @OptionalField() @IsString() @MaxLength(30) gender?: string;
  @ApiPropertyOptional() @OptionalField() @IsString() @MaxLength(50) incomeRange?: string;
  @ApiPropertyOptional() @OptionalField() @IsString() @MaxLength(100) education?: string;
  @ApiPropertyOptional() @OptionalField() @IsString() @MaxLength(100) occupation?: string;
}

class PsychographicsDto {
  @ApiPropertyOptional({ type: [String] })
  @OptionalField()
  @IsArray()
  @ArrayMaxSize(50)
  @IsString({ each: true })
  interests?: string[];
  @ApiPropertyOptional({ type: [String] })
  @OptionalField()
  @IsArray()
  @ArrayMaxSize(50)
  @IsString({ each: true })
  opinions?: string[];
  @ApiPropertyOptional({ type: [String] })
  @OptionalField()
  @IsArray()
  @ArrayMaxSize(50)
  @IsString({ each: true })
  values?: string[];
  @ApiPropertyOptional() @OptionalField() @IsString() @MaxLength(200) lifestyle?: string;
}

/** Profile fields other than name and kind: the same rules whether an account is opened or updated. */
class AccountProfileFieldsDto {
  @ApiPropertyOptional({ enum: CUSTOMER_TYPES })
  @OptionalField()
  @IsIn(CUSTOMER_TYPES)
  customerType?: CustomerType;
  @ApiPropertyOptional() @OptionalField() @trim @IsEmail() email?: string;
  @ApiPropertyOptional()
  @OptionalField()
  @IsString()
  @Matches(PHONE, { message: PHONE_MESSAGE })
  phone?: string;
  @ApiPropertyOptional() @OptionalField() @IsString() @MaxLength(100) industry?: string;
  @ApiPropertyOptional() @OptionalField() @IsInt() @Min(1) @Max(10_000_000) companySize?: number;
  @ApiPropertyOptional() @OptionalField() @IsString() @IsUrl() @MaxLength(2000) website?: string;
  @ApiPropertyOptional({ type: AddressDto })
  @OptionalField()
  @IsObject()
  @ValidateNested()
  @Type(() => AddressDto)
  address?: AddressDto;
  @ApiPropertyOptional({ type: PreferencesDto })
  @OptionalField()
  @IsObject()
  @ValidateNested()
  @Type(() => PreferencesDto)
  preferences?: PreferencesDto;
  @ApiPropertyOptional({ type: PurchaseHabitsDto })
  @OptionalField()
  @IsObject()
  @ValidateNested()
  @Type(() => PurchaseHabitsDto)
  purchaseHabits?: PurchaseHabitsDto;
  @ApiPropertyOptional({ type: DemographicsDto })
  @OptionalField()
  @IsObject()
  @ValidateNested()
  @Type(() => DemographicsDto)
  demographics?: DemographicsDto;
  @ApiPropertyOptional({ type: PsychographicsDto })
  @OptionalField()
  @IsObject()
  @ValidateNested()
  @Type(() => PsychographicsDto)
  psychographics?: PsychographicsDto;
}

/** Fields of an account's profile; every one optional, as in an update (but none may be null). */
export class AccountProfileChangesDto extends AccountProfileFieldsDto {
  @ApiPropertyOptional() @OptionalField() @trim @IsString() @MinLength(1) @MaxLength(200) name?: string;
  @ApiPropertyOptional({ enum: ACCOUNT_KINDS }) @OptionalField() @IsIn(ACCOUNT_KINDS) kind?: AccountKind;
}

/**
 * Opening an account: name and kind are required, as AccountOpened requires them. (Not a subclass
 * of the changes: class-validator would keep their optional rule for name and kind.)
 */
export class CreateAccountDto extends AccountProfileFieldsDto {
  @ApiProperty() @trim @IsString() @MinLength(1) @MaxLength(200) name!: string;
  @ApiProperty({ enum: ACCOUNT_KINDS }) @IsIn(ACCOUNT_KINDS) kind!: AccountKind;
  @ApiPropertyOptional() @OptionalField() @IsString() @MinLength(1) @MaxLength(100) ownerId?: string;
}

export class ContactDto {
  @ApiProperty() @trim @IsString() @MinLength(1) @MaxLength(200) name!: string;
  @ApiPropertyOptional() @OptionalField() @trim @IsEmail() email?: string;
  @ApiPropertyOptional()
  @OptionalField()
  @IsString()
  @Matches(PHONE, { message: PHONE_MESSAGE })
  phone?: string;
  @ApiProperty({ enum: CONTACT_ROLES }) @IsIn(CONTACT_ROLES) role!: ContactRole;
  @ApiPropertyOptional() @OptionalField() @IsString() @MaxLength(100) title?: string;
}

export class ContactChangesDto {
  @ApiPropertyOptional() @OptionalField() @trim @IsString() @MinLength(1) @MaxLength(200) name?: string;
  @ApiPropertyOptional() @OptionalField() @trim @IsEmail() email?: string;
  @ApiPropertyOptional()
  @OptionalField()
  @IsString()
  @Matches(PHONE, { message: PHONE_MESSAGE })
  phone?: string;
  @ApiPropertyOptional({ enum: CONTACT_ROLES }) @OptionalField() @IsIn(CONTACT_ROLES) role?: ContactRole;
  @ApiPropertyOptional() @OptionalField() @IsString() @MaxLength(100) title?: string;
}

export class AccountIdParams {
  @ApiProperty({ format: 'uuid' }) @IsUUID('all') id!: string;
}

export class ContactIdParams extends AccountIdParams {
  @ApiProperty({ format: 'uuid' }) @IsUUID('all') contactId!: string;
}
