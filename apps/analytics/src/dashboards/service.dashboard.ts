import { Inject, Injectable } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { READ_MODEL_DB } from '@crm/service-kit';
import { qualified, select } from '../projection/sql';
import { AS_OF_CTE, asOfInstant, atAsOf, inOrder, num, numOrNull } from './as-of-session';
import type { CsvSection } from './csv';
import type { ServiceQuery } from './dashboard.dto';
import type { SeriesInterval } from './series';

/**
 * Service desk figures as of asOf, over the cases opened in from..to (both included), grouped by
 * the UTC period (day, ISO week starting Monday, month) the case was opened in; surveys by the
 * period they were given in.
 * - SLA compliance per policy, priority (at opening), period and clock (first_response,
 *   resolution): breached when the service desk published `SlaBreached` for that clock at or before
 *   asOf; met when achieved (first public agent reply / first solved) at or before asOf without a
 *   breach; pending otherwise. compliance = met / (met + breached), null with none decided. (The
 *   due times depend on the service desk's business calendars, so its breach events are the
 *   authority, rather than src/metrics/service-metrics.ts's `slaOutcome` over a recomputed due.)
 * - response and resolution minutes (first public agent reply − opened, first solved − opened),
 *   for cases responded / resolved at or before asOf: p50 and p90 by linear interpolation
 *   (percentile_cont, the same as src/metrics `percentile`).
 * - CSAT = share of ratings 4-5 (of 1-5); NPS = % promoters (9-10) − % detractors (0-6);
 *   null without answers (the definitions of src/metrics/service-metrics.ts).
 * The period `all` holds the figures over the whole range.
 */

/** `analytics.dashboard_service_case`: every case opened at or before `analytics.as_of`, with its milestones and SLA outcomes then. */
export const serviceCaseView = (schema: string) => `create or replace view analytics.dashboard_service_case as
  with ${AS_OF_CTE}
  select c.case_id, c.customer_id, c.channel, c.case_type, c.priority, c.sla_policy, c.opened_at,
         case when c.first_response_at <= asof.t then c.first_response_at end as first_response_at,
         case when c.resolved_at <= asof.t then c.resolved_at end as resolved_at,
         case when c.first_response_at <= asof.t
              then extract(epoch from c.first_response_at - c.opened_at)::float8 / 60 end as response_minutes,
         case when c.resolved_at <= asof.t
              then extract(epoch from c.resolved_at - c.opened_at)::float8 / 60 end as resolution_minutes,
         case when exists (select 1 from ${qualified(schema, 'sla_breach')} b where b.case_id = c.case_id
                             and b.clock = 'first_response' and b.breached_at <= asof.t) then 'breached'
              when c.first_response_at <= asof.t then 'met' else 'pending' end as first_response_sla,
         case when exists (select 1 from ${qualified(schema, 'sla_breach')} b where b.case_id = c.case_id
                             and b.clock = 'resolution' and b.breached_at <= asof.t) then 'breached'
              when c.resolved_at <= asof.t then 'met' else 'pending' end as resolution_sla
    from ${qualified(schema, 'support_case')} c, asof
   where c.opened_at <= asof.t`;

const PERIOD_FORMAT: Record<SeriesInterval, (column: string) => string> = {
  day: (c) => `to_char(${c} at time zone 'UTC', 'YYYY-MM-DD')`,
  week: (c) => `to_char(date_trunc('week', ${c} at time zone 'UTC'), 'YYYY-MM-DD')`,
  month: (c) => `to_char(${c} at time zone 'UTC', 'YYYY-MM')`,
};

export interface SlaRow {
  policy: string;
  priority: string;
  period: string;
  clock: string;
  met: number;
  breached: number;
  pending: number;
  compliance: number | null;
}

export interface ServicePeriod {
  period: string;
  cases: number;
  responded: number;
  responseP50Minutes: number | null;
  responseP90Minutes: number | null;
  resolved: number;
  resolutionP50Minutes: number | null;
  resolutionP90Minutes: number | null;
  csatResponses: number;
  csat: number | null;
  npsResponses: number;
  promoters: number;
  passives: number;
  detractors: number;
  nps: number | null;
}

export interface ServiceDashboard {
  asOf: string;
  interval: SeriesInterval;
  sla: SlaRow[];
  periods: ServicePeriod[];
}

type Row = Record<string, unknown>;

@Injectable()
export class ServiceDashboardQuery {
  constructor(@Inject(READ_MODEL_DB) private readonly db: DataSource) {}

  async run(q: ServiceQuery): Promise<ServiceDashboard> {
    const asOf = asOfInstant(q.asOf);
    const interval = q.interval ?? 'month';
    const params: unknown[] = [];
    const cond = (sql: string, value: unknown) => {
      params.push(value);
      return sql.replace('?', `$${params.length}`);
    };
    const where = [
      q.policy !== undefined && cond('x.sla_policy = ?', q.policy),
      q.priority !== undefined && cond('x.priority = ?', q.priority),
      q.channel !== undefined && cond('x.channel = ?', q.channel),
      q.caseType !== undefined && cond('x.case_type = ?', q.caseType),
    ].filter((c): c is string => typeof c === 'string');
    const range = (column: string) =>
      [
        q.from !== undefined && cond(`${column} >= ?::timestamptz`, q.from),
        q.to !== undefined && cond(`${column} <= ?::timestamptz`, q.to),
      ].filter((c): c is string => typeof c === 'string');
    const caseWhere = [...where, ...range('x.opened_at')];
    const surveyWhere = [...where, ...range('s.given_at')];
    const and = (c: string[]) => (c.length === 0 ? '' : `where ${c.join(' and ')}`);
    const period = PERIOD_FORMAT[interval];
    const [sla, times, surveys] = await atAsOf(this.db, asOf, (sql) =>
      inOrder([
        () =>
          select<Row>(
            sql,
            `select x.sla_policy as policy, x.priority, ${period('x.opened_at')} as period, o.clock,
                  count(*) filter (where o.outcome = 'met') as met,
                  count(*) filter (where o.outcome = 'breached') as breached,
                  count(*) filter (where o.outcome = 'pending') as pending
             from analytics.dashboard_service_case x
             cross join lateral (values ('first_response', x.first_response_sla), ('resolution', x.resolution_sla)) o (clock, outcome)
             ${and(caseWhere)}
            group by 1, 2, 3, 4 order by 1, 2, 3, 4`,
            params,
          ),
        () =>
          select<Row>(
            sql,
            `select coalesce(${period('x.opened_at')}, 'all') as period, grouping(${period('x.opened_at')}) as total,
                  count(*) as cases,
                  count(x.response_minutes) as responded,
                  percentile_cont(0.5) within group (order by x.response_minutes) as response_p50,
                  percentile_cont(0.9) within group (order by x.response_minutes) as response_p90,
                  count(x.resolution_minutes) as resolved,
                  percentile_cont(0.5) within group (order by x.resolution_minutes) as resolution_p50,
                  percentile_cont(0.9) within group (order by x.resolution_minutes) as resolution_p90
             from analytics.dashboard_service_case x
             ${and(caseWhere)}
            group by grouping sets ((${period('x.opened_at')}), ())`,
            params,
          ),
        () =>
          select<Row>(
            sql,
            `select coalesce(${period('s.given_at')}, 'all') as period, grouping(${period('s.given_at')}) as total,
                  count(*) filter (where s.kind = 'csat') as csat_responses,
                  count(*) filter (where s.kind = 'csat' and s.score >= 4) as satisfied,
                  count(*) filter (where s.kind = 'nps') as nps_responses,
                  count(*) filter (where s.kind = 'nps' and s.score >= 9) as promoters,
                  count(*) filter (where s.kind = 'nps' and s.score <= 6) as detractors
             from analytics.survey s
             join analytics.support_case x on x.case_id = s.case_id, (select $${params.length + 1}::timestamptz as t) asof
            where s.given_at <= asof.t ${surveyWhere.length ? `and ${surveyWhere.join(' and ')}` : ''}
            group by grouping sets ((${period('s.given_at')}), ())`,
            [...params, asOf],
          ),
      ]),
    );
    const key = (r: Row) => (num(r.total) === 1 ? 'all' : String(r.period));
    const keys = [...new Set([...times, ...surveys].map(key))].sort((a, b) =>
      a === 'all' ? 1 : b === 'all' ? -1 : a.localeCompare(b),
    );
    const periods = keys.map((p): ServicePeriod => {
      const t = times.find((r) => key(r) === p);
      const s = surveys.find((r) => key(r) === p);
      const csatResponses = s ? num(s.csat_responses) : 0;
      const npsResponses = s ? num(s.nps_responses) : 0;
      const promoters = s ? num(s.promoters) : 0;
      const detractors = s ? num(s.detractors) : 0;
      return {
        period: p,
        cases: t ? num(t.cases) : 0,
        responded: t ? num(t.responded) : 0,
        responseP50Minutes: t ? numOrNull(t.response_p50) : null,
        responseP90Minutes: t ? numOrNull(t.response_p90) : null,
        resolved: t ? num(t.resolved) : 0,
        resolutionP50Minutes: t ? numOrNull(t.resolution_p50) : null,
        resolutionP90Minutes: t ? numOrNull(t.resolution_p90) : null,
        csatResponses,
        csat: csatResponses === 0 ? null : num(s!.satisfied) / csatResponses,
        npsResponses,
        promoters,
        passives: npsResponses - promoters - detractors,
        detractors,
        nps: npsResponses === 0 ? null : (100 * (promoters - detractors)) / npsResponses,
      };
    });
    return {
      asOf,
      interval,
      sla: sla.map((r) => {
        const met = num(r.met);
        const breached = num(r.breached);
        return {
          policy: String(r.policy),
          priority: String(r.priority),
          period: String(r.period),
          clock: String(r.clock),
          met,
          breached,
          pending: num(r.pending),
          compliance: met + breached === 0 ? null : met / (met + breached),
        };
      }),
      periods,
    };
  }

  static csv(d: ServiceDashboard): CsvSection[] {
    return [
      { name: 'sla', rows: d.sla.map((r) => ({ asOf: d.asOf, ...r })) },
      { name: 'period', rows: d.periods.map((r) => ({ asOf: d.asOf, ...r })) },
    ];
  }
}
