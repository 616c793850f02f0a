import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsEmail,
  IsIn,
  IsInt,
  IsNumber,
  IsOptional,
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

const trim = Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value));
const PHONE = /^\+?[\d\s().-]{6,30}$/;

class AddressDto {
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(200) street?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(100) city?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(20) postalCode?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(100) country?: string;
}

class PreferencesDto {
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(50) preferredChannel?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(20) language?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(200) contactTimes?: string;
}

class PurchaseHabitsDto {
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(50) frequency?: string;
  @ApiPropertyOptional() @IsOptional() @IsNumber() @Min(0) averageOrderValue?: number;
  @ApiPropertyOptional({ type: [String] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @IsString({ each: true })
  preferredProducts?: string[];
}

class DemographicsDto {
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(20) ageRange?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(30) gender?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(50) incomeRange?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(100) education?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(100) occupation?: string;
}

class PsychographicsDto {
  @ApiPropertyOptional({ type: [String] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @IsString({ each: true })
  interests?: string[];
  @ApiPropertyOptional({ type: [String] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @IsString({ each: true })
  opinions?: string[];
  @ApiPropertyOptional({ type: [String] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @IsString({ each: true })
  values?: string[];
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(200) lifestyle?: string;
}

/** Fields of an account's profile; every one optional, as in an update. */
export class AccountProfileChangesDto {
  @ApiPropertyOptional() @IsOptional() @trim @IsString() @MinLength(1) @MaxLength(200) name?: string;
  @ApiPropertyOptional({ enum: ['company', 'person'] }) @IsOptional() @IsIn(['company', 'person']) kind?:
    'company' | 'person';
  @ApiPropertyOptional({ enum: CUSTOMER_TYPES })
  @IsOptional()
  @IsIn(CUSTOMER_TYPES)
  customerType?: CustomerType;
  @ApiPropertyOptional() @IsOptional() @trim @IsEmail() email?: string;
  @ApiPropertyOptional()
  @IsOptional()
  @Matches(PHONE, { message: 'phone must be a phone number' })
  phone?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(100) industry?: string;
  @ApiPropertyOptional() @IsOptional() @IsInt() @Min(1) @Max(10_000_000) companySize?: number;
  @ApiPropertyOptional() @IsOptional() @IsUrl() website?: string;
  @ApiPropertyOptional({ type: AddressDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => AddressDto)
  address?: AddressDto;
  @ApiPropertyOptional({ type: PreferencesDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => PreferencesDto)
  preferences?: PreferencesDto;
  @ApiPropertyOptional({ type: PurchaseHabitsDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => PurchaseHabitsDto)
  purchaseHabits?: PurchaseHabitsDto;
  @ApiPropertyOptional({ type: DemographicsDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => DemographicsDto)
  demographics?: DemographicsDto;
  @ApiPropertyOptional({ type: PsychographicsDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => PsychographicsDto)
  psychographics?: PsychographicsDto;
}

export class CreateAccountDto extends AccountProfileChangesDto {
  @ApiProperty() @trim @IsString() @MinLength(1) @MaxLength(200) declare name: string;
  @ApiProperty({ enum: ['company', 'person'] }) @IsIn(['company', 'person']) declare kind:
    'company' | 'person';
  @ApiPropertyOptional() @IsOptional() @IsString() @MinLength(1) @MaxLength(100) ownerId?: string;
}

export class ContactDto {
  @ApiProperty() @trim @IsString() @MinLength(1) @MaxLength(200) name!: string;
  @ApiPropertyOptional() @IsOptional() @trim @IsEmail() email?: string;
  @ApiPropertyOptional()
  @IsOptional()
  @Matches(PHONE, { message: 'phone must be a phone number' })
  phone?: string;
  @ApiProperty({ enum: CONTACT_ROLES }) @IsIn(CONTACT_ROLES) role!: ContactRole;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(100) title?: string;
}

export class ContactChangesDto {
  @ApiPropertyOptional() @IsOptional() @trim @IsString() @MinLength(1) @MaxLength(200) name?: string;
  @ApiPropertyOptional() @IsOptional() @trim @IsEmail() email?: string;
  @ApiPropertyOptional()
  @IsOptional()
  @Matches(PHONE, { message: 'phone must be a phone number' })
  phone?: string;
  @ApiPropertyOptional({ enum: CONTACT_ROLES }) @IsOptional() @IsIn(CONTACT_ROLES) role?: ContactRole;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(100) title?: string;
}

export class AccountIdParams {
  @ApiProperty({ format: 'uuid' }) @IsUUID('all') id!: string;
}

export class ContactIdParams extends AccountIdParams {
  @ApiProperty({ format: 'uuid' }) @IsUUID('all') contactId!: string;
}
