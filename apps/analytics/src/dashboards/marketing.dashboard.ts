import { Inject, Injectable } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { READ_MODEL_DB } from '@crm/service-kit';
import { qualified, select } from '../projection/sql';
import { AS_OF_ONCE, asOfInstant, atAsOf, num, numOrNull } from './as-of-session';
import type { CsvSection } from './csv';
import type { MarketingQuery } from './dashboard.dto';

/**
 * Campaign return as of asOf:
 * - revenue per attribution model (first_touch, last_touch, linear): of the sales won at or before
 *   asOf, as attributed in `sale_attribution` (the definitions: src/projection/attribution.projector.ts);
 * - cost: the campaign's cost as of asOf (planned, then the running total of recorded costs);
 *   leads: prospects it brought (`CampaignProspectResponded`) at or before asOf; acquired
 *   customers: distinct customers with a win attributed to it (counted by their first such win,
 *   `first_for_campaign`, rather than a `count(distinct)`: its sort was most of the query);
 * - ROI per model = (revenue − cost) / cost (4 decimals), cost per lead / per acquired customer
 *   (cents); null when the denominator is 0.
 * Amounts of every currency are added up, as marketing's ROI does.
 */

/** `analytics.dashboard_campaign_attribution`: each win's revenue per model and campaign, as of `analytics.as_of`. */
export const attributionView = (
  schema: string,
) => `create or replace view analytics.dashboard_campaign_attribution as
  with ${AS_OF_ONCE}
  select a.opportunity_id, a.customer_id, a.won_at, a.currency, a.model, a.campaign_id, a.share, a.revenue
    from ${qualified(schema, 'sale_attribution')} a, asof where a.won_at <= asof.t`;

/** `analytics.dashboard_marketing`: per campaign as of `analytics.as_of`: cost, revenue and ROI per model, leads, acquired customers. */
export const marketingView = (schema: string) => `create or replace view analytics.dashboard_marketing as
  with ${AS_OF_ONCE},
  attributed as (
    select a.campaign_id,
           sum(a.revenue) filter (where a.model = 'first_touch') as first_touch,
           sum(a.revenue) filter (where a.model = 'last_touch') as last_touch,
           sum(a.revenue) filter (where a.model = 'linear') as linear,
           count(*) filter (where a.first_for_campaign) as acquired_customers
      from ${qualified(schema, 'sale_attribution')} a, asof where a.won_at <= asof.t group by a.campaign_id),
  brought as (
    select l.campaign_id, count(*) as leads from ${qualified(schema, 'campaign_lead')} l, asof
     where l.at <= asof.t group by l.campaign_id),
  figures as (
    select c.campaign_id, c.name, c.objective, c.purpose, c.channel, c.status, c.currency,
           coalesce(c.cost, 0) as cost,
           coalesce(a.first_touch, 0) as revenue_first_touch,
           coalesce(a.last_touch, 0) as revenue_last_touch,
           coalesce(a.linear, 0) as revenue_linear,
           coalesce(l.leads, 0) as leads,
           coalesce(a.acquired_customers, 0) as acquired_customers
      from ${qualified(schema, 'campaign_version')} c
      cross join asof
      left join attributed a on a.campaign_id = c.campaign_id
      left join brought l on l.campaign_id = c.campaign_id
     where c.valid_from <= asof.t and (c.valid_to is null or asof.t < c.valid_to))
  select f.*,
         case when cost = 0 then null else round((revenue_first_touch - cost) / cost, 4) end as roi_first_touch,
         case when cost = 0 then null else round((revenue_last_touch - cost) / cost, 4) end as roi_last_touch,
         case when cost = 0 then null else round((revenue_linear - cost) / cost, 4) end as roi_linear,
         case when leads = 0 then null else round(cost / leads, 2) end as cost_per_lead,
         case when acquired_customers = 0 then null else round(cost / acquired_customers, 2) end as cost_per_acquired_customer
    from figures f`;

export const ATTRIBUTION_MODELS = ['first_touch', 'last_touch', 'linear'] as const;
type Model = (typeof ATTRIBUTION_MODELS)[number];

export interface CampaignReturn {
  campaignId: string;
  name: string | null;
  objective: string | null;
  purpose: string | null;
  channel: string | null;
  status: string | null;
  currency: string | null;
  cost: number;
  revenue: Record<Model, number>;
  roi: Record<Model, number | null>;
  leads: number;
  acquiredCustomers: number;
  costPerLead: number | null;
  costPerAcquiredCustomer: number | null;
}

export interface MarketingDashboard {
  asOf: string;
  campaigns: CampaignReturn[];
}

const text = (v: unknown) => (v === null || v === undefined ? null : String(v));

@Injectable()
export class MarketingDashboardQuery {
  constructor(@Inject(READ_MODEL_DB) private readonly db: DataSource) {}

  async run(q: MarketingQuery): Promise<MarketingDashboard> {
    const asOf = asOfInstant(q.asOf);
    const rows = await atAsOf(this.db, asOf, (sql) =>
      select<Record<string, unknown>>(
        sql,
        `select * from analytics.dashboard_marketing
          where ($1::uuid is null or campaign_id = $1) and ($2::text is null or channel = $2)
            and ($3::text is null or purpose = $3)
          order by name, campaign_id`,
        [q.campaignId ?? null, q.channel ?? null, q.purpose ?? null],
      ),
    );
    const perModel = <T>(value: (m: Model) => T) =>
      Object.fromEntries(ATTRIBUTION_MODELS.map((m) => [m, value(m)])) as Record<Model, T>;
    return {
      asOf,
      campaigns: rows.map((r) => ({
        campaignId: String(r.campaign_id),
        name: text(r.name),
        objective: text(r.objective),
        purpose: text(r.purpose),
        channel: text(r.channel),
        status: text(r.status),
        currency: text(r.currency),
        cost: num(r.cost),
        revenue: perModel((m) => num(r[`revenue_${m}`])),
        roi: perModel((m) => numOrNull(r[`roi_${m}`])),
        leads: num(r.leads),
        acquiredCustomers: num(r.acquired_customers),
        costPerLead: numOrNull(r.cost_per_lead),
        costPerAcquiredCustomer: numOrNull(r.cost_per_acquired_customer),
      })),
    };
  }

  static csv(d: MarketingDashboard): CsvSection[] {
    return [
      {
        name: 'campaign',
        rows: d.campaigns.map(({ revenue, roi, ...c }) => ({
          asOf: d.asOf,
          ...c,
          ...Object.fromEntries(ATTRIBUTION_MODELS.map((m) => [`revenue_${m}`, revenue[m]])),
          ...Object.fromEntries(ATTRIBUTION_MODELS.map((m) => [`roi_${m}`, roi[m]])),
        })),
      },
    ];
  }
}
