import { Inject, Injectable } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { READ_MODEL_DB } from '@crm/service-kit';
import { purchaseHistories } from '../metrics/bg-nbd';
import { churnRisk, type ChurnRisk } from '../metrics/churn-risk';
import {
  historicCustomerValues,
  historicValueSummary,
  type HistoricValueSummary,
} from '../metrics/clv-historic';
import { fitClvModel, predictCustomerValue, type ClvOptions } from '../metrics/clv-predicted';
import { rfmScores, type RfmSegment, type WonOrder } from '../metrics/rfm';
import { roundCents } from '../metrics/stats';
import type { Sql } from '../projection/projector';
import { qualified, select } from '../projection/sql';
import { AS_OF_CTE, asOfInstant, atAsOf, inOrder, iso, num, validAtAsOf } from './as-of-session';
import type { CsvSection } from './csv';
import type { CustomerValueQuery } from './dashboard.dto';

/**
 * Customer value as of asOf over the customers with a won order at or before asOf (narrowed by
 * their attributes as of asOf), computed by the metric functions of src/metrics from the won
 * orders (`sale`) and the churn facts — read from the fact tables, never replayed:
 * - historic CLV (clv-historic.ts): revenue per customer, average order value, purchase frequency,
 *   lifespan;
 * - predicted CLV (clv-predicted.ts: BG/NBD + Gamma-Gamma fitted on this population, weeks,
 *   CLV_OPTIONS) when at least MIN_REPEAT_BUYERS customers bought more than once and both fits
 *   succeed; otherwise `model: historic` and the predicted figures are null (the historic ones stand);
 * - RFM (rfm.ts): scores among this population, the count per named segment, and the top customers
 *   by historic revenue with their scores;
 * - churn risk (churn-risk.ts): every customer's score, level and reasons, highest first (then
 *   customer id), paged by offset and limit. Complaints open at asOf, SLA breaches and NPS answers
 *   at or before asOf feed it, as in the customer 360.
 */
export const MIN_REPEAT_BUYERS = 20;
export const CLV_OPTIONS: ClvOptions = { horizon: 52, periods: 12, discountRatePerPeriod: 0.01, margin: 1 };

export const RFM_SEGMENTS: readonly RfmSegment[] = [
  'Champions',
  'Loyal',
  'Potential loyalist',
  'New customers',
  'Promising',
  'Need attention',
  'About to sleep',
  "Can't lose them",
  'At risk',
  'Hibernating',
  'Lost',
];

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

export interface CustomerValueDashboard {
  asOf: string;
  historic: HistoricValueSummary;
  predicted: {
    model: 'bg_nbd_gamma_gamma' | 'historic';
    reason: string | null;
    repeatBuyers: number;
    minRepeatBuyers: number;
    horizonWeeks: number;
    total: number | null;
    perCustomer: number | null;
  };
  rfmSegments: { segment: RfmSegment; customers: number }[];
  topCustomers: {
    customerId: string;
    revenue: number;
    orders: number;
    averageOrderValue: number;
    lastOrderAt: string;
    r: number;
    f: number;
    m: number;
    segment: RfmSegment;
    predictedClv: number | null;
    probabilityAlive: number | null;
  }[];
  churnRisk: {
    total: number;
    levels: { high: number; medium: number; low: number };
    offset: number;
    limit: number;
    items: ChurnRisk[];
  };
}

type Row = Record<string, unknown>;

@Injectable()
export class CustomerValueDashboardQuery {
  constructor(@Inject(READ_MODEL_DB) private readonly db: DataSource) {}

  async run(q: CustomerValueQuery): Promise<CustomerValueDashboard> {
    const asOf = asOfInstant(q.asOf);
    const { orders, facts } = await atAsOf(this.db, asOf, (sql) => this.load(sql, q));
    const historic = historicValueSummary(orders, asOf);
    const values = historicCustomerValues(orders, asOf);
    const rfm = new Map(rfmScores(orders, asOf).map((s) => [s.customerId, s]));
    const predicted = predict(orders, asOf);
    const top = [...values]
      .sort((a, b) => b.revenue - a.revenue || a.customerId.localeCompare(b.customerId))
      .slice(0, q.top ?? 10)
      .map((v) => {
        const s = rfm.get(v.customerId)!;
        const p = predicted.perCustomer.get(v.customerId);
        return {
          customerId: v.customerId,
          revenue: v.revenue,
          orders: v.orders,
          averageOrderValue: v.averageOrderValue,
          lastOrderAt: iso(v.lastOrderAt),
          r: s.r,
          f: s.f,
          m: s.m,
          segment: s.segment,
          predictedClv: p?.predictedClv ?? null,
          probabilityAlive: p?.probabilityAlive ?? null,
        };
      });
    const risks = values
      .map((v) => churnRisk(facts(v.customerId), asOf))
      .sort((a, b) => b.score - a.score || a.customerId.localeCompare(b.customerId));
    const offset = q.offset ?? 0;
    const limit = q.limit ?? 50;
    const level = (l: ChurnRisk['level']) => risks.filter((r) => r.level === l).length;
    return {
      asOf,
      historic,
      predicted: predicted.summary,
      rfmSegments: RFM_SEGMENTS.map((segment) => ({
        segment,
        customers: [...rfm.values()].filter((s) => s.segment === segment).length,
      })),
      topCustomers: top,
      churnRisk: {
        total: risks.length,
        levels: { high: level('high'), medium: level('medium'), low: level('low') },
        offset,
        limit,
        items: risks.slice(offset, offset + limit),
      },
    };
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
    const ordersOf = byCustomer(orders, (o) => o.customerId);
    const [complaintsOf, breachesOf, npsOf] = [complaints, breaches, nps].map((rs) => byCustomer(rs, rowId));
    const facts = (customerId: string) => ({
      customerId,
      orders: ordersOf(customerId).map((o) => o.wonAt),
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

/** Predicted CLV of each customer, or why not (module comment). */
function predict(orders: readonly WonOrder[], asOf: string) {
  const histories = purchaseHistories(orders, asOf);
  const repeatBuyers = histories.filter((h) => h.x > 0).length;
  const base = { repeatBuyers, minRepeatBuyers: MIN_REPEAT_BUYERS, horizonWeeks: CLV_OPTIONS.horizon };
  const fallback = (reason: string) => ({
    summary: { model: 'historic' as const, reason, ...base, total: null, perCustomer: null },
    perCustomer: new Map<string, { predictedClv: number; probabilityAlive: number }>(),
  });
  if (repeatBuyers < MIN_REPEAT_BUYERS)
    return fallback(`${repeatBuyers} repeat buyers, fewer than ${MIN_REPEAT_BUYERS}`);
  try {
    const fit = fitClvModel(histories);
    const model = { bgNbd: fit.bgNbd.params, gammaGamma: fit.gammaGamma.params };
    const values = histories.map((h) => predictCustomerValue(model, h, CLV_OPTIONS));
    const total = roundCents(values.reduce((sum, v) => sum + v.predictedClv, 0));
    return {
      summary: {
        model: 'bg_nbd_gamma_gamma' as const,
        reason: null,
        ...base,
        total,
        perCustomer: roundCents(total / values.length),
      },
      perCustomer: new Map(values.map((v) => [v.customerId, v])),
    };
  } catch (error) {
    return fallback(`the models did not fit: ${(error as Error).message}`);
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
