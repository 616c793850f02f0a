import { Inject, Injectable } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { READ_MODEL_DB } from '@crm/service-kit';
import { FUNNEL_STAGES } from '../metrics/lifecycle-funnel';
import { CHURN_AFTER_DAYS } from '../projection/funnel-visit.projector';
import { qualified, select } from '../projection/sql';
import { AS_OF_ONCE, asOfInstant, atAsOf, num, numOrNull } from './as-of-session';
import type { CsvSection } from './csv';
import type { FunnelBy, FunnelQuery } from './dashboard.dto';

/**
 * Lifecycle funnel, as of asOf (definitions of src/metrics/lifecycle-funnel.ts, in SQL):
 * - visits: the customer's stage visits entered at or before asOf, from `funnel_visit`
 *   (src/projection/funnel-visit.projector.ts: the stages reached plus the derived `churned`
 *   transitions, over the customer's whole history, and why filtering them by asOf gives the
 *   visits of the facts at or before asOf); a visit lasts until the customer's next transition at
 *   or before asOf; the last visit is open (censored, no time-in-stage sample);
 * - churned (analytics owns the stage; no context publishes it): an acquired customer churns
 *   CHURN_AFTER_DAYS (365) days after an activity of theirs (a won order or a stage reached) that no
 *   other activity followed within those days; the churn transition is at activity + 365 days, so
 *   a customer who comes back (orders or reaches a stage again) starts a new visit then;
 * - reached(s): customers with a visit of s; conversion(s → next) = customers who reached s and the
 *   next funnel stage / reached(s) (null when nobody reached s; the last stage has none);
 * - median and p90 days in stage: percentile_cont (linear interpolation) over the ended visits;
 * - groups by the customer's attributes as of asOf (`customer_version`): channel, customer type,
 *   owner (`unknown` when not known); cohort month = UTC month of the first interest stage (`none`
 *   while it is after asOf).
 */

const STAGES = FUNNEL_STAGES.map(
  (stage, i) => `('${stage}', ${i + 1}, ${FUNNEL_STAGES[i + 1] ? `'${FUNNEL_STAGES[i + 1]}'` : 'null'})`,
).join(', ');

/**
 * `analytics.dashboard_funnel_visit`: one row per stage visit entered at or before asOf. The
 * versions valid at asOf are chosen before the join (asOf as a sub-select: a parameter of their
 * scan, not a filter of the join), so the join hashes 100,000 versions rather than every visit.
 */
export function funnelVisitView(schema: string): string {
  const ended = `v.left_at <= asof.t`;
  return `create or replace view analytics.dashboard_funnel_visit as
  with ${AS_OF_ONCE}
  select v.customer_id, v.stage, v.entered_at,
         case when ${ended} then v.left_at end as left_at,
         case when ${ended} then extract(epoch from v.left_at - v.entered_at)::float8 / 86400 end as days_in_stage,
         case when v.cohort_from <= asof.t then v.cohort_month else 'none' end as cohort_month,
         coalesce(cv.channel, 'unknown') as channel,
         coalesce(cv.customer_type, 'unknown') as customer_type,
         coalesce(cv.owner, 'unknown') as owner,
         v.first_of_customer, v.first_of_stage,
         coalesce(v.next_stage_from <= asof.t, false) as next_stage_reached
    from ${qualified(schema, 'funnel_visit')} v
    cross join asof
    left join (select c.customer_id, c.channel, c.customer_type, c.owner
                 from ${qualified(schema, 'customer_version')} c
                where c.valid_from <= (select t from asof) and (c.valid_to is null or (select t from asof) < c.valid_to)) cv
      on cv.customer_id = v.customer_id
   where v.entered_at <= asof.t`;
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

/**
 * The funnel figures per grouping, group and stage over the visits of `visits` (a from-item), in
 * one pass over them: a group's customers are its customers' first visits, reached(s) their
 * first visits of s, reached_next(s) those of them whose customer reached the next stage by asOf
 * (a customer's visits are all in a group or none: its keys are the customer's). Every stage has
 * a row in every group.
 */
function funnelFiguresSql(visits: string, by: readonly FunnelBy[]): string {
  return `with stage_def (stage, position, next) as (values ${STAGES}),
  per_stage as (
    select g.group_by, g.group_key, x.stage,
           count(*) filter (where x.first_of_customer) as members,
           count(*) filter (where x.first_of_stage) as reached,
           count(*) filter (where x.first_of_stage and x.next_stage_reached) as reached_next,
           count(x.days_in_stage) as samples,
           percentile_cont(0.5) within group (order by x.days_in_stage) as median_days,
           percentile_cont(0.9) within group (order by x.days_in_stage) as p90_days
      from ${visits} x cross join lateral ${groupings(by)} g (group_by, group_key)
     group by g.group_by, g.group_key, x.stage),
  r as (select group_by, group_key, sum(members)::bigint as customers from per_stage group by group_by, group_key)
  select r.group_by, r.group_key, d.stage, d.position, r.customers,
         coalesce(p.reached, 0) as reached, coalesce(p.reached_next, 0) as reached_next,
         case when d.next is null or coalesce(p.reached, 0) = 0 then null else p.reached_next::float8 / p.reached end
           as conversion_to_next,
         coalesce(p.samples, 0) as time_in_stage_samples, p.median_days, p.p90_days
    from r cross join stage_def d
    left join per_stage p on p.group_by = r.group_by and p.group_key = r.group_key and p.stage = d.stage`;
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
