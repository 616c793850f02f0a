import { Inject, Injectable } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { READ_MODEL_DB } from '@crm/service-kit';
import type { PeriodQuery, SatisfactionQuery, SlaComplianceQuery, WindowQuery } from './service-report.dto';

type Row = Record<string, unknown>;

const num = (v: unknown) => (v === null || v === undefined ? 0 : Number(v));
const numOrNull = (v: unknown) => (v === null || v === undefined ? null : Number(v));
const hours = (seconds: unknown) => (seconds === null ? null : Math.round((num(seconds) / 3600) * 100) / 100);
const instant = (v: unknown) => (v instanceof Date ? v.toISOString() : null);

/** The start day (UTC, `YYYY-MM-DD`) of the period of `column`: `$1` is day, week or month. */
const periodOf = (column: string) =>
  `to_char(date_trunc($1, ${column}, 'UTC') AT TIME ZONE 'UTC', 'YYYY-MM-DD')`;

/** `column` within the window [$n, $n+1), each bound optional (by default $2 and $3). */
const within = (column: string, n = 2) =>
  `($${n}::timestamptz IS NULL OR ${column} >= $${n}) AND ($${n + 1}::timestamptz IS NULL OR ${column} < $${n + 1})`;

const window = (q: WindowQuery) => [q.from ?? null, q.to ?? null];

/** Statuses of a case still waiting on someone (SQL list). */
const OPEN = `('new', 'open', 'pending', 'on_hold')`;

/**
 * The service desk's analytical queries: plain SQL over the documented tables `service.case` and
 * `service.case_sla_clock` (apps/service-desk/README.md), so that analysts can run the same
 * queries with psql. Periods are UTC days, ISO weeks (from Monday) or months, named by their
 * first day; windows are [from, to).
 */
@Injectable()
export class ServiceReportQueries {
  constructor(@Inject(READ_MODEL_DB) private readonly db: DataSource) {}

  /** Open cases per queue (new, open, pending, on hold) with the age of the oldest and the median age. */
  async backlog() {
    const rows: Row[] = await this.db.query(
      `SELECT queue,
              count(*) AS open_cases,
              count(*) FILTER (WHERE status = 'new') AS new,
              count(*) FILTER (WHERE status = 'open') AS open,
              count(*) FILTER (WHERE status = 'pending') AS pending,
              count(*) FILTER (WHERE status = 'on_hold') AS on_hold,
              count(*) FILTER (WHERE assignee_id IS NULL) AS unassigned,
              count(*) FILTER (WHERE breached) AS breached,
              min(opened_at) AS oldest_opened_at,
              max(extract(epoch FROM now() - opened_at)) AS oldest_age_seconds,
              percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM now() - opened_at)) AS median_age_seconds
         FROM service.case WHERE status IN ${OPEN}
        GROUP BY queue ORDER BY open_cases DESC, queue`,
    );
    return rows.map((r) => ({
      queue: r.queue,
      openCases: num(r.open_cases),
      byStatus: { new: num(r.new), open: num(r.open), pending: num(r.pending), on_hold: num(r.on_hold) },
      unassigned: num(r.unassigned),
      breached: num(r.breached),
      oldestOpenedAt: instant(r.oldest_opened_at),
      oldestAgeHours: hours(r.oldest_age_seconds),
      medianAgeHours: hours(r.median_age_seconds),
    }));
  }

  /** Per assignee: open cases by status (and breached among them), and the cases solved in the window. */
  async workload(q: WindowQuery) {
    const rows: Row[] = await this.db.query(
      `SELECT assignee_id,
              count(*) FILTER (WHERE status IN ${OPEN}) AS open_cases,
              count(*) FILTER (WHERE status = 'new') AS new,
              count(*) FILTER (WHERE status = 'open') AS open,
              count(*) FILTER (WHERE status = 'pending') AS pending,
              count(*) FILTER (WHERE status = 'on_hold') AS on_hold,
              count(*) FILTER (WHERE status IN ${OPEN} AND breached) AS breached_open,
              count(*) FILTER (WHERE solved_at IS NOT NULL AND ${within('solved_at', 1)}) AS solved
         FROM service.case WHERE assignee_id IS NOT NULL
        GROUP BY assignee_id
       HAVING count(*) FILTER (WHERE status IN ${OPEN}) > 0
           OR count(*) FILTER (WHERE solved_at IS NOT NULL AND ${within('solved_at', 1)}) > 0
        ORDER BY open_cases DESC, assignee_id`,
      window(q),
    );
    return rows.map((r) => ({
      agentId: r.assignee_id,
      openCases: num(r.open_cases),
      byStatus: { new: num(r.new), open: num(r.open), pending: num(r.pending), on_hold: num(r.on_hold) },
      breachedOpen: num(r.breached_open),
      solved: num(r.solved),
    }));
  }

  /**
   * Per SLA policy version and period: clocks met (stopped in time) and breached, all clocks and
   * each clock, and the compliance (% met of met + breached). A clock counts in the period it was
   * decided: met when it stopped, breached when it ran out (its due instant).
   */
  async slaCompliance(q: SlaComplianceQuery) {
    const decided = `CASE WHEN state = 'met' THEN stopped_at ELSE COALESCE(due_at, breached_at) END`;
    const rows: Row[] = await this.db.query(
      `WITH decided AS (
         SELECT policy_id, policy_version, clock, state, ${decided} AS decided_at
           FROM service.case_sla_clock WHERE state IN ('met', 'breached')),
       counted AS (
         SELECT policy_id, policy_version, ${periodOf('decided_at')} AS period, clock, state FROM decided
          WHERE decided_at IS NOT NULL AND ${within('decided_at')} AND ($4::text IS NULL OR policy_id = $4))
       SELECT policy_id, policy_version, period, clock,
              count(*) FILTER (WHERE state = 'met') AS met,
              count(*) FILTER (WHERE state = 'breached') AS breached,
              round(100.0 * count(*) FILTER (WHERE state = 'met') / count(*), 2) AS compliance_percent
         FROM counted
        GROUP BY GROUPING SETS ((policy_id, policy_version, period, clock), (policy_id, policy_version, period))
        ORDER BY period, policy_id, policy_version, clock NULLS FIRST`,
      [q.period ?? 'month', ...window(q), q.policyId ?? null],
    );
    const figures = (r: Row) => ({
      met: num(r.met),
      breached: num(r.breached),
      compliancePercent: num(r.compliance_percent),
    });
    return rows
      .filter((r) => r.clock === null)
      .map((total) => ({
        policyId: total.policy_id,
        policyVersion: total.policy_version,
        period: total.period,
        ...figures(total),
        clocks: Object.fromEntries(
          rows
            .filter(
              (r) =>
                r.clock !== null &&
                r.policy_id === total.policy_id &&
                r.policy_version === total.policy_version &&
                r.period === total.period,
            )
            .map((r) => [r.clock as string, figures(r)]),
        ),
      }));
  }

  /**
   * Per period: percentiles (p50, p90, p99, continuous) of the business minutes to the first
   * response (cases an agent answered in public, by when) and to resolution (solved cases, by when).
   */
  async responseTimes(q: PeriodQuery) {
    const rows: Row[] = await this.db.query(
      `SELECT ${periodOf('k.stopped_at')} AS period, k.clock,
              count(*) AS measured,
              round(percentile_cont(0.5) WITHIN GROUP (ORDER BY k.elapsed_business_minutes)::numeric, 2) AS p50,
              round(percentile_cont(0.9) WITHIN GROUP (ORDER BY k.elapsed_business_minutes)::numeric, 2) AS p90,
              round(percentile_cont(0.99) WITHIN GROUP (ORDER BY k.elapsed_business_minutes)::numeric, 2) AS p99
         FROM service.case_sla_clock k JOIN service.case c USING (case_id)
        WHERE k.stopped_at IS NOT NULL AND ${within('k.stopped_at')}
          AND (k.clock = 'resolution' OR (k.clock = 'first_response' AND c.first_response_at IS NOT NULL))
        GROUP BY 1, 2 ORDER BY 1, 2`,
      [q.period ?? 'month', ...window(q)],
    );
    const periods = [...new Set(rows.map((r) => r.period as string))];
    const of = (period: string, clock: string) => {
      const r = rows.find((x) => x.period === period && x.clock === clock);
      return r
        ? { measured: num(r.measured), p50: numOrNull(r.p50), p90: numOrNull(r.p90), p99: numOrNull(r.p99) }
        : { measured: 0, p50: null, p90: null, p99: null };
    };
    return periods.map((period) => ({
      period,
      firstResponseMinutes: of(period, 'first_response'),
      resolutionMinutes: of(period, 'resolution'),
    }));
  }

  /**
   * CSAT and NPS per period (of the answer), alone or per agent (the case's assignee) or queue:
   * CSAT % is the share of 4 and 5 among the ratings; NPS is % promoters (9-10) minus % detractors
   * (0-6), passives 7-8.
   */
  async satisfaction(q: SatisfactionQuery) {
    const by = q.by ?? 'none';
    const rows: Row[] = await this.db.query(
      `WITH answers AS (
         SELECT rated_at AS at, assignee_id, queue, csat, NULL::int AS nps FROM service.case WHERE csat IS NOT NULL
         UNION ALL
         SELECT nps_given_at, assignee_id, queue, NULL, nps FROM service.case WHERE nps IS NOT NULL)
       SELECT ${periodOf('at')} AS period,
              CASE $4::text WHEN 'agent' THEN assignee_id WHEN 'queue' THEN queue END AS grp,
              count(csat) AS ratings,
              count(*) FILTER (WHERE csat >= 4) AS satisfied,
              round(100.0 * count(*) FILTER (WHERE csat >= 4) / NULLIF(count(csat), 0), 2) AS csat_percent,
              count(nps) AS answers,
              count(*) FILTER (WHERE nps >= 9) AS promoters,
              count(*) FILTER (WHERE nps BETWEEN 7 AND 8) AS passives,
              count(*) FILTER (WHERE nps <= 6) AS detractors,
              round(100.0 * (count(*) FILTER (WHERE nps >= 9) - count(*) FILTER (WHERE nps <= 6))
                    / NULLIF(count(nps), 0), 2) AS nps
         FROM answers WHERE ${within('at')}
        GROUP BY 1, 2 ORDER BY 1, 2 NULLS LAST`,
      [q.period ?? 'month', ...window(q), by],
    );
    return rows.map((r) => ({
      period: r.period,
      ...(by === 'agent' ? { agentId: r.grp } : by === 'queue' ? { queue: r.grp } : {}),
      csat: { ratings: num(r.ratings), satisfied: num(r.satisfied), percent: numOrNull(r.csat_percent) },
      nps: {
        answers: num(r.answers),
        promoters: num(r.promoters),
        passives: num(r.passives),
        detractors: num(r.detractors),
        score: numOrNull(r.nps),
      },
    }));
  }
}
