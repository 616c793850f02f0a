import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateBy,
  type ValidationArguments,
} from 'class-validator';
import { IsInstant, IsNotBlank } from '@crm/service-kit';
import { MAX_SERIES_POINTS, SERIES_INTERVALS, seriesDates, shift, type SeriesInterval } from './series';

export const DASHBOARD_FORMATS = ['json', 'csv'] as const;
export type DashboardFormat = (typeof DASHBOARD_FORMATS)[number];

/** What every dashboard takes: the moment it answers as of, and the answer's format. */
export class DashboardQuery {
  @ApiPropertyOptional({
    description:
      'Answer as of this instant (ISO 8601: a day, or a day and time with a zone); an event exactly at asOf counts. Default: now',
    example: '2026-06-30T23:59:59Z',
  })
  @IsOptional()
  @IsInstant()
  asOf?: string;

  @ApiPropertyOptional({
    enum: DASHBOARD_FORMATS,
    default: 'json',
    description: '`csv`: the same figures as text/csv (RFC 4180), one row per figure row, `section` first',
  })
  @IsOptional()
  @IsIn(DASHBOARD_FORMATS)
  format?: DashboardFormat;
}

const Dimension = (description: string) => (target: object, property: string) => {
  ApiPropertyOptional({ description })(target, property);
  IsOptional()(target, property);
  IsString()(target, property);
  IsNotBlank()(target, property);
  MaxLength(200)(target, property);
};

/** The customer attributes (as of asOf) a dashboard can be narrowed to. */
export class CustomerFilterQuery extends DashboardQuery {
  @ApiPropertyOptional({
    description: 'Customers whose first interest stage was reached in this UTC month (`none`: never)',
    example: '2026-01',
  })
  @IsOptional()
  @Matches(/^(\d{4}-(0[1-9]|1[0-2])|none)$/, { message: 'cohortMonth must be a month as YYYY-MM, or none' })
  cohortMonth?: string;

  @Dimension('Customers acquired through this channel (the lead’s channel; `unknown` when not known)')
  channel?: string;

  @Dimension('Customers of this type (e.g. prospect, company, individual; `unknown` when not known)')
  customerType?: string;

  @Dimension('Customers owned by this user id (`unknown` when nobody)')
  owner?: string;
}

export const FUNNEL_GROUPINGS = ['all', 'cohortMonth', 'channel', 'customerType', 'owner'] as const;
export type FunnelBy = (typeof FUNNEL_GROUPINGS)[number];

export class FunnelQuery extends CustomerFilterQuery {
  @ApiPropertyOptional({
    enum: FUNNEL_GROUPINGS,
    default: 'all',
    description: 'One funnel per value of this',
  })
  @IsOptional()
  @IsIn(FUNNEL_GROUPINGS)
  by?: FunnelBy;
}

/** `to` not before `from`, and (with an interval) at most MAX_SERIES_POINTS dates from..to. */
const IsRangeEnd = () =>
  ValidateBy({
    name: 'isRangeEnd',
    validator: {
      validate: (to: unknown, args?: ValidationArguments) => {
        const { from, interval } = (args?.object ?? {}) as { from?: unknown; interval?: unknown };
        if (typeof to !== 'string' || typeof from !== 'string') return true;
        const [a, b] = [Date.parse(from), Date.parse(to)];
        if (Number.isNaN(a) || Number.isNaN(b)) return true;
        if (b < a) return false;
        if (!SERIES_INTERVALS.includes(interval as SeriesInterval) && interval !== undefined) return true;
        return seriesDates(from, to, (interval as SeriesInterval) ?? 'month').length <= MAX_SERIES_POINTS;
      },
      defaultMessage: () =>
        `to must not be before from, and from..to must give at most ${MAX_SERIES_POINTS} dates of the interval`,
    },
  });

export class PeriodQuery extends DashboardQuery {
  @ApiPropertyOptional({ description: 'Start of the period (ISO 8601 day or instant)' })
  @IsOptional()
  @IsInstant()
  from?: string;

  @ApiPropertyOptional({ description: 'End of the period, included (ISO 8601 day or instant)' })
  @IsOptional()
  @IsInstant()
  @IsRangeEnd()
  to?: string;

  @ApiPropertyOptional({ enum: SERIES_INTERVALS, default: 'month' })
  @IsOptional()
  @IsIn(SERIES_INTERVALS)
  interval?: SeriesInterval;
}

export class PipelineQuery extends PeriodQuery {
  @Dimension('Opportunities owned by this user id (the owner at each date)')
  owner?: string;
}

/** The dates of a pipeline series: from..to by interval; to defaults to asOf, from to 11 intervals before to. */
export function pipelineRange(q: PipelineQuery, asOf: string) {
  const interval = q.interval ?? 'month';
  const to = q.to ?? asOf;
  const from = q.from ?? shift(to, -11, interval).toISOString();
  return { interval, from, to, dates: seriesDates(from, to, interval) };
}

export class ServiceQuery extends PeriodQuery {
  @Dimension('Cases under this SLA policy id')
  policy?: string;

  @Dimension('Cases of this priority (at opening)')
  priority?: string;

  @Dimension('Cases opened on this channel')
  channel?: string;

  @Dimension('Cases of this type (e.g. complaint)')
  caseType?: string;
}

export class MarketingQuery extends DashboardQuery {
  @ApiPropertyOptional({ format: 'uuid', description: 'Only this campaign' })
  @IsOptional()
  @IsUUID()
  campaignId?: string;

  @Dimension('Campaigns sent on this channel (e.g. email)')
  channel?: string;

  @Dimension('Campaigns of this purpose (e.g. acquisition, cross_sell)')
  purpose?: string;
}

const Count = (description: string, min: number, max: number, dflt: number) =>
  function (target: object, property: string) {
    ApiPropertyOptional({ type: 'integer', minimum: min, maximum: max, default: dflt, description })(
      target,
      property,
    );
    IsOptional()(target, property);
    Type(() => Number)(target, property);
    IsInt()(target, property);
    Min(min)(target, property);
    Max(max)(target, property);
  };

export class CustomerValueQuery extends CustomerFilterQuery {
  @Count('How many top customers (by historic revenue) to list', 1, 100, 10)
  top?: number;

  @Count('Churn-risk list: page size', 1, 200, 50)
  limit?: number;

  @Count('Churn-risk list: rows to skip (highest risk first)', 0, 1_000_000, 0)
  offset?: number;
}
