import { Inject, Injectable } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { READ_MODEL_DB, recordScope, type Principal } from '@crm/service-kit';
import type { ForecastQuery } from './report.dto';

const num = (v: unknown) => (v === null || v === undefined ? 0 : Number(v));

/** The owners whose opportunities the caller may read, as a query parameter: null for all. */
const ownersOf = (caller: Principal | undefined) => {
  const scope = recordScope(caller, 'read');
  return scope.all ? null : scope.owners;
};

/**
 * Analytical queries over the opportunity projection: weighted pipeline and forecast, won/lost
 * with reasons, and sales performance per owner. Plain SQL over documented tables, so that
 * analysts can run the same queries with psql. A caller sees the figures of the owners of their
 * read scope only (a manager their team's, a rep their own).
 */
@Injectable()
export class ReportQueries {
  constructor(@Inject(READ_MODEL_DB) private readonly db: DataSource) {}

  /**
   * Per owner and period (month or quarter of the expected close date; of the close date for
   * won deals): open amount, weighted amount (amount x probability), amounts per forecast category.
   */
  async forecast(query: ForecastQuery, caller?: Principal) {
    const period = query.period ?? 'month';
    const format = period === 'month' ? 'YYYY-MM' : 'YYYY-"Q"Q';
    const rows: Record<string, unknown>[] = await this.db.query(
      `WITH o AS (
         SELECT owner_id, status, forecast_category, probability, COALESCE(amount, 0) AS amount, currency,
                CASE WHEN status = 'won' THEN closed_at::date ELSE expected_close_date END AS day
           FROM pipeline.opportunity
          WHERE status <> 'lost' AND ($1::text IS NULL OR owner_id = $1)
            AND ($4::text[] IS NULL OR owner_id = ANY($4)))
       SELECT owner_id, currency, COALESCE(to_char(date_trunc($2, day), $3), 'unscheduled') AS period,
              count(*) FILTER (WHERE status = 'open') AS open_count,
              sum(amount) FILTER (WHERE status = 'open') AS open_amount,
              sum(amount * probability / 100.0) FILTER (WHERE status = 'open') AS weighted_amount,
              sum(amount) FILTER (WHERE status = 'open' AND forecast_category = 'pipeline') AS pipeline,
              sum(amount) FILTER (WHERE status = 'open' AND forecast_category = 'best_case') AS best_case,
              sum(amount) FILTER (WHERE status = 'open' AND forecast_category = 'commit') AS commit,
              sum(amount) FILTER (WHERE status = 'won') AS closed
         FROM o GROUP BY owner_id, currency, 3 ORDER BY 3, owner_id`,
      [query.ownerId ?? null, period, format, ownersOf(caller)],
    );
    return rows.map((r) => ({
      ownerId: r.owner_id,
      period: r.period,
      currency: r.currency,
      openCount: num(r.open_count),
      openAmount: num(r.open_amount),
      weightedAmount: Math.round(num(r.weighted_amount) * 100) / 100,
      byCategory: {
        pipeline: num(r.pipeline),
        best_case: num(r.best_case),
        commit: num(r.commit),
        closed: num(r.closed),
      },
    }));
  }

  async winLoss(caller?: Principal) {
    const rows: { status: string; lost_reason: string | null; count: string }[] = await this.db.query(
      `SELECT status, lost_reason, count(*) FROM pipeline.opportunity
        WHERE status IN ('won', 'lost') AND ($1::text[] IS NULL OR owner_id = ANY($1)) GROUP BY 1, 2`,
      [ownersOf(caller)],
    );
    const won = rows.filter((r) => r.status === 'won').reduce((s, r) => s + Number(r.count), 0);
    const lost = rows.filter((r) => r.status === 'lost').reduce((s, r) => s + Number(r.count), 0);
    const lossReasons = rows
      .filter((r) => r.status === 'lost')
      .map((r) => ({ reason: r.lost_reason, count: Number(r.count) }))
      .sort((a, b) => b.count - a.count);
    return { won, lost, winRate: won + lost === 0 ? null : won / (won + lost), lossReasons };
  }

  async salesPerformance(caller?: Principal) {
    const rows: Record<string, unknown>[] = await this.db.query(
      `SELECT owner_id,
              count(*) FILTER (WHERE status = 'won') AS won,
              count(*) FILTER (WHERE status = 'lost') AS lost,
              count(*) FILTER (WHERE status = 'open') AS open,
              COALESCE(sum(amount) FILTER (WHERE status = 'won'), 0) AS won_revenue,
              avg(extract(epoch FROM closed_at - opened_at)) FILTER (WHERE status = 'won') / 86400 AS cycle_days
         FROM pipeline.opportunity WHERE ($1::text[] IS NULL OR owner_id = ANY($1))
        GROUP BY owner_id ORDER BY won_revenue DESC, owner_id`,
      [ownersOf(caller)],
    );
    return rows.map((r) => {
      const won = num(r.won);
      const lost = num(r.lost);
      return {
        ownerId: r.owner_id,
        won,
        lost,
        open: num(r.open),
        wonRevenue: num(r.won_revenue),
        winRate: won + lost === 0 ? null : won / (won + lost),
        averageCycleDays: r.cycle_days === null ? null : Math.round(num(r.cycle_days) * 100) / 100,
      };
    });
  }
}
