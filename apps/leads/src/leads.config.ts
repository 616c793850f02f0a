import { IsInt, IsJSON, IsOptional, IsString, Min } from 'class-validator';
import { ServiceConfig } from '@crm/service-kit';
import { DEFAULT_SCORING_RULES, type ScoringRules } from './lead/lead.scoring';

/** Every setting of the leads service, validated once at start-up. */
export class LeadsConfig extends ServiceConfig {
  override PORT = 3001;

  /** Comma-separated owner ids for round-robin assignment; empty: new leads stay unassigned. */
  @IsString()
  LEAD_OWNERS = '';

  /** JSON overriding any part of the default scoring rules (see lead.scoring.ts). */
  @IsOptional()
  @IsJSON()
  LEAD_SCORING_RULES?: string;

  @IsOptional()
  @IsInt()
  @Min(0)
  LEAD_QUALIFICATION_THRESHOLD?: number;

  /**
   * A capture claims the e-mail, then appends the lead. A claim at least this old whose lead was
   * never written (a crash in between) is taken over by the next capture of that e-mail.
   */
  @IsInt()
  @Min(0)
  LEAD_EMAIL_ORPHAN_AFTER_SECONDS: number = 30;

  get owners(): string[] {
    return this.LEAD_OWNERS.split(',')
      .map((o) => o.trim())
      .filter(Boolean);
  }

  get scoringRules(): ScoringRules {
    const overrides = this.LEAD_SCORING_RULES
      ? (JSON.parse(this.LEAD_SCORING_RULES) as Partial<ScoringRules>)
      : {};
    return {
      ...DEFAULT_SCORING_RULES,
      ...overrides,
      ...(this.LEAD_QUALIFICATION_THRESHOLD !== undefined
        ? { qualificationThreshold: this.LEAD_QUALIFICATION_THRESHOLD }
        : {}),
    };
  }
}
