import { Inject, Injectable } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { READ_MODEL_DB } from '@crm/service-kit';
import { roundCents } from '../metrics/stats';
import { qualified, select } from '../projection/sql';
import { AS_OF_CTE, asOfInstant, atAsOf, inOrder, iso, num, validAtAsOf } from './as-of-session';
import type { CsvSection } from './csv';
import { pipelineRange, type PipelineQuery } from './dashboard.dto';
import { shift, type SeriesInterval } from './series';

/**
 * Pipeline and forecast over time. Each date d of the series from..to (by day, week or month) is
 * answered as of min(d, asOf) — what was known at asOf about d — from the validity intervals of
 * `opportunity_version`:
 * - open pipeline: the opportunities whose version valid then is `open`: count and amount (no
 *   amount counts 0), per forecast category and currency;
 * - weighted pipeline: Σ amount × probability / 100 of the same versions;
 * - won revenue in the period: opportunities won in (previous date, d] (the first date's period
 *   starts one interval before it), at or before asOf.
 * Computed in one pass over the versions, not one query per date: each open version adds its
 * figures at valid_from and removes them at valid_to (`analytics.dashboard_pipeline_change`); the
 * changes are put in the bucket of the first date at or after them and summed up cumulatively.
 */

/** `analytics.dashboard_pipeline_change`: +1 / −1 of each open version at its start and end. Open pipeline at T = Σ over at ≤ T. */
export const pipelineChangeView = (
  schema: string,
) => `create or replace view analytics.dashboard_pipeline_change as
  select o.opportunity_id, o.customer_id, o.owner, coalesce(o.forecast_category, 'unknown') as forecast_category,
         o.currency, e.at, e.sign as open_delta,
         e.sign * coalesce(o.amount, 0) as amount_delta,
         e.sign * coalesce(o.amount, 0) * coalesce(o.probability, 0) / 100 as weighted_delta
    from ${qualified(schema, 'opportunity_version')} o
    cross join lateral (values (o.valid_from, 1), (o.valid_to, -1)) e (at, sign)
   where o.status = 'open' and e.at is not null`;

/** `analytics.dashboard_pipeline`: the open and weighted pipeline as of `analytics.as_of`, per forecast category and currency. */
export const pipelineView = (schema: string) => `create or replace view analytics.dashboard_pipeline as
  with ${AS_OF_CTE}
  select coalesce(o.forecast_category, 'unknown') as forecast_category, o.currency,
         count(*) as open_count, sum(coalesce(o.amount, 0)) as open_amount,
         sum(coalesce(o.amount, 0) * coalesce(o.probability, 0) / 100) as weighted_amount
    from ${qualified(schema, 'opportunity_version')} o, asof
   where ${validAtAsOf('o')} and o.status = 'open'
   group by 1, 2`;

export interface PipelineCategory {
  forecastCategory: string;
  openCount: number;
  openAmount: number;
  weightedAmount: number;
}

export interface PipelinePoint {
  date: string;
  /** min(date, asOf): the moment the figures are as of. */
  asOf: string;
  currency: string;
  openCount: number;
  openAmount: number;
  weightedAmount: number;
  wonCount: number;
  wonRevenue: number;
  byForecastCategory: PipelineCategory[];
}

export interface PipelineDashboard {
  asOf: string;
  from: string;
  to: string;
  interval: SeriesInterval;
  points: PipelinePoint[];
}

type Sums = { n: number; a: number; w: number };

@Injectable()
export class PipelineDashboardQuery {
  constructor(@Inject(READ_MODEL_DB) private readonly db: DataSource) {}

  async run(q: PipelineQuery): Promise<PipelineDashboard> {
    const asOf = asOfInstant(q.asOf);
    const range = pipelineRange(q, asOf);
    const effective = range.dates.map((d) => new Date(Math.min(d.getTime(), Date.parse(asOf))).toISOString());
    const result: PipelineDashboard = {
      asOf,
      from: iso(range.from),
      to: iso(range.to),
      interval: range.interval,
      points: [],
    };
    if (effective.length === 0) return result;
    const periodStart = shift(range.dates[0].toISOString(), -1, range.interval).toISOString();
    const owner = q.owner ?? null;
    const [changes, wins] = await atAsOf(this.db, asOf, (sql) =>
      inOrder([
        // Bucket k (1-based) = the first date at or after the change: 1 + (dates before it).
        () =>
          select<Record<string, unknown>>(
            sql,
            `select width_bucket(c.at - interval '1 microsecond', $1::timestamptz[]) + 1 as k,
                  c.forecast_category, c.currency,
                  sum(c.open_delta) as n, sum(c.amount_delta) as a, sum(c.weighted_delta) as w
             from analytics.dashboard_pipeline_change c
            where c.at <= $2 and ($3::text is null or c.owner = $3)
            group by 1, 2, 3`,
            [effective, effective[effective.length - 1], owner],
          ),
        () =>
          select<Record<string, unknown>>(
            sql,
            `select width_bucket(s.won_at - interval '1 microsecond', $1::timestamptz[]) + 1 as k, s.currency,
                  count(*) as n, sum(s.amount) as a
             from analytics.sale s
            where s.won_at > $2 and s.won_at <= $3
              and ($4::text is null or exists (select 1 from analytics.opportunity_version o
                    where o.opportunity_id = s.opportunity_id and o.status = 'won' and o.owner = $4))
            group by 1, 2`,
            [effective, periodStart, effective[effective.length - 1], owner],
          ),
      ]),
    );
    const currencies = [...new Set([...changes, ...wins].map((r) => String(r.currency)))].sort();
    const categories = [...new Set(changes.map((r) => String(r.forecast_category)))].sort();
    const running = new Map<string, Sums>();
    effective.forEach((at, i) => {
      const k = i + 1;
      for (const r of changes.filter((c) => num(c.k) === k)) {
        const key = `${r.currency}\u0000${r.forecast_category}`;
        const s = running.get(key) ?? { n: 0, a: 0, w: 0 };
        running.set(key, { n: s.n + num(r.n), a: s.a + num(r.a), w: s.w + num(r.w) });
      }
      for (const currency of currencies) {
        const byForecastCategory = categories.map((forecastCategory) => {
          const s = running.get(`${currency}\u0000${forecastCategory}`) ?? { n: 0, a: 0, w: 0 };
          return {
            forecastCategory,
            openCount: s.n,
            openAmount: roundCents(s.a),
            weightedAmount: roundCents(s.w),
          };
        });
        const won = wins.find((w) => num(w.k) === k && String(w.currency) === currency);
        result.points.push({
          date: range.dates[i].toISOString(),
          asOf: at,
          currency,
          openCount: byForecastCategory.reduce((sum, c) => sum + c.openCount, 0),
          openAmount: roundCents(byForecastCategory.reduce((sum, c) => sum + c.openAmount, 0)),
          weightedAmount: roundCents(byForecastCategory.reduce((sum, c) => sum + c.weightedAmount, 0)),
          wonCount: won ? num(won.n) : 0,
          wonRevenue: won ? roundCents(num(won.a)) : 0,
          byForecastCategory,
        });
      }
    });
    return result;
  }

  static csv(d: PipelineDashboard): CsvSection[] {
    const base = (p: PipelinePoint) => ({ date: p.date, asOf: p.asOf, currency: p.currency });
    return [
      {
        name: 'total',
        rows: d.points.map((p) => ({
          ...base(p),
          forecastCategory: null,
          openCount: p.openCount,
          openAmount: p.openAmount,
          weightedAmount: p.weightedAmount,
          wonCount: p.wonCount,
          wonRevenue: p.wonRevenue,
        })),
      },
      {
        name: 'forecast_category',
        rows: d.points.flatMap((p) => p.byForecastCategory.map((c) => ({ ...base(p), ...c }))),
      },
    ];
  }
}
