import { Inject, Injectable } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { READ_MODEL_DB } from '@crm/service-kit';
import { FUNNEL_STAGES } from '../metrics/lifecycle-funnel';
import { qualified, select } from '../projection/sql';
import { AS_OF_CTE, asOfInstant, atAsOf, num, numOrNull, validAtAsOf } from './as-of-session';
import type { CsvSection } from './csv';
import type { FunnelBy, FunnelQuery } from './dashboard.dto';

/**
 * Lifecycle funnel, as of asOf (definitions of src/metrics/lifecycle-funnel.ts, in SQL):
 * - transitions: the stages reached (`lifecycle_stage`) at or before asOf, plus the derived
 *   `churned` transitions below; a customer's visit of a stage lasts until their next transition at
 *   or before asOf (ordered by time, then event id; a derived churn after published stages at the
 *   same instant); the last visit is open (censored, no time-in-stage sample);
 * - churned (analytics owns the stage; no context publishes it): an acquired customer churns
 *   CHURN_AFTER_DAYS (365) days after an activity of theirs (a won order or a stage reached) that no
 *   other activity followed within those days; the churn transition is at activity + 365 days, so
 *   a customer who comes back (orders or reaches a stage again) starts a new visit then;
 * - reached(s): customers with a visit of s; conversion(s → next) = customers who reached s and the
 *   next funnel stage / reached(s) (null when nobody reached s; the last stage has none);
 * - median and p90 days in stage: percentile_cont (linear interpolation) over the ended visits;
 * - groups by the customer's attributes as of asOf (`customer_version`): channel, customer type,
 *   owner (`unknown` when not known); cohort month = UTC month of the first interest stage (`none`).
 */
export const CHURN_AFTER_DAYS = 365;

const STAGES = FUNNEL_STAGES.map(
  (stage, i) => `('${stage}', ${i + 1}, ${FUNNEL_STAGES[i + 1] ? `'${FUNNEL_STAGES[i + 1]}'` : 'null'})`,
).join(', ');

/** `analytics.dashboard_funnel_visit`: one row per stage visit entered at or before asOf. */
export function funnelVisitView(schema: string): string {
  const churn = `interval '${CHURN_AFTER_DAYS} days'`;
  return `create or replace view analytics.dashboard_funnel_visit as
  with ${AS_OF_CTE},
  transition as (
    select s.customer_id, s.stage, s.valid_from as at, s.event_id as tie
      from ${qualified(schema, 'lifecycle_stage')} s, asof where s.valid_from <= asof.t),
  activity as (
    select customer_id, at from transition where stage <> 'churned'
    union all
    select s.customer_id, s.won_at from ${qualified(schema, 'sale')} s, asof where s.won_at <= asof.t),
  acquired as (select customer_id, min(at) as at from transition where stage = 'acquisition' group by customer_id),
  gap as (
    select a.customer_id, a.at, lead(a.at) over (partition by a.customer_id order by a.at) as next
      from activity a join acquired q on q.customer_id = a.customer_id and a.at >= q.at),
  churn as (
    select distinct g.customer_id, 'churned'::text as stage, g.at + ${churn} as at, '~derived'::text as tie
      from gap g, asof
     where g.at + ${churn} <= asof.t and (g.next is null or g.at + ${churn} < g.next)),
  visit as (
    select customer_id, stage, at as entered_at,
           lead(at) over (partition by customer_id order by at, tie) as left_at
      from (select * from transition union all select * from churn) t),
  cohort as (
    select customer_id, to_char(min(at) at time zone 'UTC', 'YYYY-MM') as cohort_month
      from transition where stage = 'interest' group by customer_id)
  select v.customer_id, v.stage, v.entered_at, v.left_at,
         extract(epoch from v.left_at - v.entered_at)::float8 / 86400 as days_in_stage,
         coalesce(c.cohort_month, 'none') as cohort_month,
         coalesce(cv.channel, 'unknown') as channel,
         coalesce(cv.customer_type, 'unknown') as customer_type,
         coalesce(cv.owner, 'unknown') as owner
    from visit v
    cross join asof
    left join cohort c on c.customer_id = v.customer_id
    left join ${qualified(schema, 'customer_version')} cv on cv.customer_id = v.customer_id and ${validAtAsOf('cv')}`;
}

const GROUP_COLUMN: Record<Exclude<FunnelBy, 'all'>, string> = {
  cohortMonth: 'cohort_month',
  channel: 'channel',
  customerType: 'customer_type',
  owner: 'owner',
};

/** `(values ('by', key), ...)`: the groupings a visit counts in. */
const groupings = (by: readonly FunnelBy[]) =>
  `(values ${by.map((b) => (b === 'all' ? `('all', 'all')` : `('${b}', x.${GROUP_COLUMN[b]})`)).join(', ')})`;

/** The funnel figures per grouping, group and stage over the visits of `visits` (a from-item). */
function funnelFiguresSql(visits: string, by: readonly FunnelBy[]): string {
  return `with stage_def (stage, position, next) as (values ${STAGES}),
  v as (select g.group_by, g.group_key, x.customer_id, x.stage, x.days_in_stage
          from ${visits} x cross join lateral ${groupings(by)} g (group_by, group_key)),
  member as (select group_by, group_key, customer_id, array_agg(distinct stage) as stages
               from v group by group_by, group_key, customer_id),
  reach as (select m.group_by, m.group_key, d.stage, count(*) as customers,
                   count(*) filter (where d.stage = any (m.stages)) as reached,
                   count(*) filter (where d.stage = any (m.stages) and d.next = any (m.stages)) as reached_next
              from member m cross join stage_def d group by m.group_by, m.group_key, d.stage),
  duration as (select group_by, group_key, stage, count(*) as samples,
                      percentile_cont(0.5) within group (order by days_in_stage) as median_days,
                      percentile_cont(0.9) within group (order by days_in_stage) as p90_days
                 from v where days_in_stage is not null group by group_by, group_key, stage)
  select r.group_by, r.group_key, r.stage, d.position, r.customers, r.reached, r.reached_next,
         case when d.next is null or r.reached = 0 then null else r.reached_next::float8 / r.reached end as conversion_to_next,
         coalesce(t.samples, 0) as time_in_stage_samples, t.median_days, t.p90_days
    from reach r join stage_def d on d.stage = r.stage
    left join duration t on t.group_by = r.group_by and t.group_key = r.group_key and t.stage = r.stage`;
}

/** `analytics.dashboard_funnel`: the figures for every grouping (`group_by` all, cohortMonth, channel, customerType, owner). */
export const funnelView = () =>
  `create or replace view analytics.dashboard_funnel as ${funnelFiguresSql('analytics.dashboard_funnel_visit', FUNNEL_GROUPINGS_ALL)}`;

const FUNNEL_GROUPINGS_ALL: FunnelBy[] = ['all', 'cohortMonth', 'channel', 'customerType', 'owner'];

export interface FunnelStageFigures {
  stage: string;
  reached: number;
  reachedNext: number;
  conversionToNext: number | null;
  timeInStageSamples: number;
  medianDaysInStage: number | null;
  p90DaysInStage: number | null;
}

export interface FunnelDashboard {
  asOf: string;
  by: FunnelBy;
  churnAfterDays: number;
  groups: { key: string; customers: number; stages: FunnelStageFigures[] }[];
}

@Injectable()
export class FunnelDashboardQuery {
  constructor(@Inject(READ_MODEL_DB) private readonly db: DataSource) {}

  async run(q: FunnelQuery): Promise<FunnelDashboard> {
    const asOf = asOfInstant(q.asOf);
    const by = q.by ?? 'all';
    const filters: [string, string | undefined][] = [
      ['cohort_month', q.cohortMonth],
      ['channel', q.channel],
      ['customer_type', q.customerType],
      ['owner', q.owner],
    ];
    const given = filters.filter((f): f is [string, string] => f[1] !== undefined);
    const where = given.map(([column], i) => `${column} = $${i + 1}`).join(' and ');
    const visits = `(select * from analytics.dashboard_funnel_visit${where ? ` where ${where}` : ''})`;
    const rows = await atAsOf(this.db, asOf, (sql) =>
      select<Record<string, unknown>>(
        sql,
        `${funnelFiguresSql(visits, [by])} order by r.group_key, d.position`,
        given.map(([, value]) => value),
      ),
    );
    const groups = new Map<string, FunnelDashboard['groups'][number]>();
    for (const r of rows) {
      const key = String(r.group_key);
      const group = groups.get(key) ?? { key, customers: num(r.customers), stages: [] };
      groups.set(key, group);
      group.stages.push({
        stage: String(r.stage),
        reached: num(r.reached),
        reachedNext: num(r.reached_next),
        conversionToNext: numOrNull(r.conversion_to_next),
        timeInStageSamples: num(r.time_in_stage_samples),
        medianDaysInStage: numOrNull(r.median_days),
        p90DaysInStage: numOrNull(r.p90_days),
      });
    }
    return { asOf, by, churnAfterDays: CHURN_AFTER_DAYS, groups: [...groups.values()] };
  }

  static csv(d: FunnelDashboard): CsvSection[] {
    return [
      {
        name: 'funnel',
        rows: d.groups.flatMap((g) =>
          g.stages.map((s) => ({ asOf: d.asOf, by: d.by, group: g.key, customers: g.customers, ...s })),
        ),
      },
    ];
  }
}
