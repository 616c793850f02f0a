import { Inject, Injectable } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { READ_MODEL_DB } from '@crm/service-kit';
import { ClvFitCache } from '../metrics/clv-fit-cache';
import type { WonOrder } from '../metrics/rfm';
import type { Sql } from '../projection/projector';
import { qualified, select } from '../projection/sql';
import { AS_OF_CTE, asOfInstant, atAsOf, inOrder, iso, num, validAtAsOf } from './as-of-session';
import type { CsvSection } from './csv';
import { customerValueFigures, type CustomerValueDashboard } from './customer-value.figures';
import type { CustomerValueQuery } from './dashboard.dto';

/**
 * Customer value as of asOf over the customers with a won order at or before asOf (narrowed by
 * their attributes as of asOf), computed by the metric functions of src/metrics from the won
 * orders (`sale`) and the churn facts — read from the fact tables, never replayed:
 * - historic CLV (clv-historic.ts): revenue per customer, average order value, purchase frequency,
 *   lifespan;
 * - predicted CLV (clv-predicted.ts: BG/NBD + Gamma-Gamma fitted on this population, weeks,
 *   CLV_OPTIONS) when at least MIN_REPEAT_BUYERS customers bought more than once and both fits
 *   succeed; otherwise `model: historic` and the predicted figures are null (the historic ones stand).
 *   Purchase times count in whole UTC days (../metrics/bg-nbd), and the last CLV_FIT_CACHE_SIZE
 *   fits are kept by their exact inputs, so asking again without new orders skips the fit;
 * - RFM (rfm.ts): scores among this population, the count per named segment, and the top customers
 *   by historic revenue with their scores;
 * - churn risk (churn-risk.ts): every customer's score, level and reasons, highest first (then
 *   customer id), paged by offset and limit. Complaints open at asOf, SLA breaches and NPS answers
 *   at or before asOf feed it, as in the customer 360.
 */
export type { CustomerValueDashboard } from './customer-value.figures';

/** Populations (filters × asOf days) whose fits are kept: a few dashboards looked at in turn. */
export const CLV_FIT_CACHE_SIZE = 4;

/** `analytics.dashboard_customer_value`: per customer with a won order as of `analytics.as_of`, the RFM / CLV inputs and attributes. */
export const customerValueView = (
  schema: string,
) => `create or replace view analytics.dashboard_customer_value as
  with ${AS_OF_CTE}
  select s.customer_id,
         coalesce(cv.customer_type, 'unknown') as customer_type, coalesce(cv.channel, 'unknown') as channel,
         coalesce(cv.owner, 'unknown') as owner, coalesce(cv.cohort_month, 'none') as cohort_month,
         count(*) as orders, sum(s.amount) as revenue, sum(s.amount) / count(*) as average_order_value,
         min(s.won_at) as first_order_at, max(s.won_at) as last_order_at,
         extract(epoch from max(s.won_at) - min(s.won_at))::float8 / 86400 as lifespan_days,
         floor(extract(epoch from max(asof.t) - max(s.won_at)) / 86400)::int as recency_days
    from ${qualified(schema, 'sale')} s
    cross join asof
    left join ${qualified(schema, 'customer_version')} cv on cv.customer_id = s.customer_id and ${validAtAsOf('cv')}
   where s.won_at <= asof.t
   group by 1, 2, 3, 4, 5`;

type Row = Record<string, unknown>;

@Injectable()
export class CustomerValueDashboardQuery {
  constructor(@Inject(READ_MODEL_DB) private readonly db: DataSource) {}

  /** Fits of recent populations: a hit is a fit of equal inputs (../metrics/clv-fit-cache). */
  private readonly fits = new ClvFitCache(CLV_FIT_CACHE_SIZE);

  async run(q: CustomerValueQuery): Promise<CustomerValueDashboard> {
    const asOf = asOfInstant(q.asOf);
    const { orders, facts } = await atAsOf(this.db, asOf, (sql) => this.load(sql, q));
    return customerValueFigures({ asOf, orders, facts }, q, this.fits);
  }

  /** The won orders of the customers the filters keep, and their churn facts. */
  private async load(sql: Sql, q: CustomerValueQuery) {
    const rows = await select<Row>(
      sql,
      `with ${AS_OF_CTE}
       select s.customer_id, s.amount, s.won_at
         from analytics.sale s
         cross join asof
         left join analytics.customer_version cv on cv.customer_id = s.customer_id and ${validAtAsOf('cv')}
        where s.won_at <= asof.t
          and ($1::text is null or coalesce(cv.cohort_month, 'none') = $1)
          and ($2::text is null or coalesce(cv.channel, 'unknown') = $2)
          and ($3::text is null or coalesce(cv.customer_type, 'unknown') = $3)
          and ($4::text is null or coalesce(cv.owner, 'unknown') = $4)
        order by s.won_at, s.opportunity_id`,
      [q.cohortMonth ?? null, q.channel ?? null, q.customerType ?? null, q.owner ?? null],
    );
    const orders: WonOrder[] = rows.map((r) => ({
      customerId: String(r.customer_id),
      amount: num(r.amount),
      wonAt: iso(r.won_at),
    }));
    const ids = [...new Set(orders.map((o) => o.customerId))];
    const [complaints, breaches, nps] = await inOrder([
      () =>
        select<Row>(
          sql,
          `with ${AS_OF_CTE}
         select c.customer_id, c.opened_at, v.status, v.valid_from as status_since
           from analytics.support_case c
           cross join asof
           left join analytics.case_version v on v.case_id = c.case_id and ${validAtAsOf('v')}
          where c.customer_id = any ($1::uuid[]) and c.case_type = 'complaint' and c.opened_at <= asof.t`,
          [ids],
        ),
      () =>
        select<Row>(
          sql,
          `with ${AS_OF_CTE}
         select b.customer_id, b.breached_at from analytics.sla_breach b, asof
          where b.customer_id = any ($1::uuid[]) and b.breached_at <= asof.t`,
          [ids],
        ),
      () =>
        select<Row>(
          sql,
          `with ${AS_OF_CTE}
         select s.customer_id, s.score, s.given_at from analytics.survey s, asof
          where s.customer_id = any ($1::uuid[]) and s.kind = 'nps' and s.given_at <= asof.t`,
          [ids],
        ),
    ]);
    const byCustomer = <T>(rs: readonly T[], idOf: (r: T) => string) => {
      const map = new Map<string, T[]>();
      for (const r of rs) {
        const list = map.get(idOf(r));
        if (list) list.push(r);
        else map.set(idOf(r), [r]);
      }
      return (id: string): T[] => map.get(id) ?? [];
    };
    const rowId = (r: Row) => String(r.customer_id);
    const [complaintsOf, breachesOf, npsOf] = [complaints, breaches, nps].map((rs) => byCustomer(rs, rowId));
    // The orders of the churn facts are `orders` (../metrics/customer-orders groups them once).
    const facts = (customerId: string) => ({
      complaints: complaintsOf(customerId).map((c) => ({
        openedAt: iso(c.opened_at),
        closedAt: c.status === 'solved' || c.status === 'closed' ? iso(c.status_since) : null,
      })),
      slaBreaches: breachesOf(customerId).map((b) => iso(b.breached_at)),
      npsAnswers: npsOf(customerId).map((a) => ({ score: num(a.score), at: iso(a.given_at) })),
    });
    return { orders, facts };
  }
}

export function customerValueCsv(d: CustomerValueDashboard): CsvSection[] {
  const { perCustomer, total, ...predicted } = d.predicted;
  return [
    {
      name: 'summary',
      rows: [
        {
          asOf: d.asOf,
          ...d.historic,
          ...predicted,
          predictedTotal: total,
          predictedPerCustomer: perCustomer,
        },
      ],
    },
    { name: 'rfm_segment', rows: d.rfmSegments },
    { name: 'top_customer', rows: d.topCustomers },
    {
      name: 'churn_risk',
      rows: d.churnRisk.items.map((r) => ({
        customerId: r.customerId,
        score: r.score,
        level: r.level,
        reasons: r.reasons.map((x) => `${x.signal}:${x.points}`).join(' '),
        reasonTexts: r.reasons.map((x) => x.text).join(' | '),
      })),
    },
  ];
}
