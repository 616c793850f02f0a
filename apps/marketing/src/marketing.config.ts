import { IsInt, IsOptional, IsString, Max, Min, MinLength } from 'class-validator';
import { ServiceConfig } from '@crm/service-kit';

/** Every setting of the marketing service, validated once at start-up. */
export class MarketingConfig extends ServiceConfig {
  override PORT = 3004;

  /** Key signing the double opt-in confirmation links (a secret). Unset: a development key. */
  @IsOptional()
  @IsString()
  @MinLength(16)
  CONSENT_LINK_SECRET?: string;

  /** How long a double opt-in confirmation link is valid, in hours. */
  @IsInt()
  @Min(1)
  @Max(24 * 30)
  DOUBLE_OPT_IN_LINK_TTL_HOURS: number = 72;

  get consentLinkSecret(): string {
    return this.CONSENT_LINK_SECRET ?? 'development consent link key';
  }
}
