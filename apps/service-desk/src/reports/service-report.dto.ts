import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, MaxLength } from 'class-validator';
import { IsInstant, IsNotBlank } from '@crm/service-kit';

export const REPORT_PERIODS = ['day', 'week', 'month'] as const;
export type ReportPeriod = (typeof REPORT_PERIODS)[number];

/** A time window: [from, to), both optional. */
export class WindowQuery {
  @ApiPropertyOptional({
    description: 'At or after this instant (ISO 8601: a day, or a day and time with a zone)',
  })
  @IsOptional()
  @IsInstant()
  from?: string;

  @ApiPropertyOptional({ description: 'Before this instant (ISO 8601)' })
  @IsOptional()
  @IsInstant()
  to?: string;
}

/** Figures per period (day, week from Monday, or month; in UTC) within an optional window. */
export class PeriodQuery extends WindowQuery {
  @ApiPropertyOptional({ enum: REPORT_PERIODS, default: 'month' })
  @IsOptional()
  @IsIn(REPORT_PERIODS)
  period?: ReportPeriod;
}

export class SlaComplianceQuery extends PeriodQuery {
  @ApiPropertyOptional({ description: 'Only this SLA policy (e.g. `priority-urgent`), all its versions' })
  @IsOptional()
  @IsString()
  @IsNotBlank()
  @MaxLength(200)
  policyId?: string;
}

export const SATISFACTION_GROUPS = ['none', 'agent', 'queue'] as const;
export type SatisfactionGroup = (typeof SATISFACTION_GROUPS)[number];

export class SatisfactionQuery extends PeriodQuery {
  @ApiPropertyOptional({
    enum: SATISFACTION_GROUPS,
    default: 'none',
    description: 'Per period only, or per period and agent (the assignee), or per period and queue',
  })
  @IsOptional()
  @IsIn(SATISFACTION_GROUPS)
  by?: SatisfactionGroup;
}
