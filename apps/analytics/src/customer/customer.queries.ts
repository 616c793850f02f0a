import { Inject, Injectable } from '@nestjs/common';
import { notFound } from '@crm/decider';
import { READ_MODEL_DB } from '@crm/service-kit';
import { churnRisk } from '../metrics/churn-risk';
import type { Sql } from '../projection/projector';
import { select } from '../projection/sql';
import { customerValue, rfmPlacement, type RfmPopulationRow } from './customer-figures';
import {
  DEFAULT_TIMELINE_PAGE,
  type Customer360View,
  type StageVisitView,
  type SurveyAnswerView,
  type TimelineEntryView,
  type TimelinePage,
  type TimelineQuery,
} from './customer.dto';
import { decodeTimelineCursor, encodeTimelineCursor } from './timeline-cursor';

type Row = Record<string, unknown>;

const iso = (v: unknown): string => (v instanceof Date ? v : new Date(String(v))).toISOString();
const isoOrNull = (v: unknown): string | null => (v === null || v === undefined ? null : iso(v));
const text = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));

/** Statuses of a case nobody waits on any more. */
const DONE = ['solved', 'closed'];

/**
 * One customer's 360 and timeline as of a moment, read from the stable views of `analytics`
 * (the current generation): rows valid at asOf (valid_from ≤ asOf < valid_to) and facts that
 * happened at or before it. Figures come from the metric functions (src/metrics).
 */
@Injectable()
export class CustomerQueries {
  constructor(@Inject(READ_MODEL_DB) private readonly db: Sql) {}

  /** The instant `asOf` names (a day: its start, UTC), or now. */
  static asOf(asOf: string | undefined): string {
    return (asOf === undefined ? new Date() : new Date(asOf)).toISOString();
  }

  async view360(customerId: string, asOfParam?: string): Promise<Customer360View> {
    const asOf = CustomerQueries.asOf(asOfParam);
    await this.mustKnow(customerId, asOf);
    const [profile, stages, figures] = await Promise.all([
      this.profile(customerId, asOf),
      this.stages(customerId, asOf),
      this.figures(customerId, asOf),
    ]);
    const currentStage = stages.find((s) => s.validTo === null) ?? null;
    return { customerId, asOf, profile, currentStage, stageHistory: stages, figures };
  }

  async timeline(customerId: string, q: TimelineQuery): Promise<TimelinePage> {
    const asOf = CustomerQueries.asOf(q.asOf);
    await this.mustKnow(customerId, asOf);
    const limit = q.limit ?? DEFAULT_TIMELINE_PAGE;
    const before = q.before === undefined ? undefined : decodeTimelineCursor(q.before);
    const rows = await select<Row>(
      this.db,
      `select event_id, occurred_at, context, channel, kind, title, detail
         from analytics.timeline
        where customer_id = $1 and occurred_at <= $2
          and ($3::text is null or context = $3)
          and ($4::text is null or channel = $4)
          and ($5::timestamptz is null or (occurred_at, event_id) < ($5::timestamptz, $6::text))
        order by occurred_at desc, event_id desc
        limit $7`,
      [
        customerId,
        asOf,
        q.context ?? null,
        q.channel ?? null,
        before?.occurredAt ?? null,
        before?.eventId ?? null,
        limit + 1,
      ],
    );
    const items: TimelineEntryView[] = rows.slice(0, limit).map((r) => ({
      eventId: String(r.event_id),
      occurredAt: iso(r.occurred_at),
      context: String(r.context),
      channel: String(r.channel),
      kind: String(r.kind),
      title: String(r.title),
      detail: r.detail as Record<string, unknown>,
    }));
    const last = items[items.length - 1];
    return {
      customerId,
      asOf,
      items,
      limit,
      ...(rows.length > limit && last
        ? { next: encodeTimelineCursor({ occurredAt: new Date(last.occurredAt), eventId: last.eventId }) }
        : {}),
    };
  }

  /** A customer is known as of asOf once any of its facts happened by then; otherwise 404. */
  private async mustKnow(customerId: string, asOf: string): Promise<void> {
    const [row] = await select<{ known: boolean }>(
      this.db,
      `select exists (select 1 from analytics.customer_version where customer_id = $1 and valid_from <= $2)
           or exists (select 1 from analytics.timeline where customer_id = $1 and occurred_at <= $2)
           or exists (select 1 from analytics.lifecycle_stage where customer_id = $1 and valid_from <= $2) as known`,
      [customerId, asOf],
    );
    if (!row?.known)
      throw notFound('CUSTOMER_NOT_FOUND', 'no customer with this id (as of the moment asked)', {
        customerId,
      });
  }

  private async profile(customerId: string, asOf: string) {
    const [row] = await select<Row>(
      this.db,
      `select p.name, p.email, p.company, coalesce(p.erased, false) as erased,
              v.customer_type, v.channel, v.country, v.owner, v.cohort_month
         from (select $1::uuid as customer_id) c
         left join analytics.customer_profile p on p.customer_id = c.customer_id
         left join analytics.customer_version v on v.customer_id = c.customer_id
              and v.valid_from <= $2 and (v.valid_to is null or $2 < v.valid_to)`,
      [customerId, asOf],
    );
    return {
      name: text(row?.name),
      email: text(row?.email),
      company: text(row?.company),
      erased: row?.erased === true,
      customerType: text(row?.customer_type),
      channel: text(row?.channel),
      country: text(row?.country),
      owner: text(row?.owner),
      cohortMonth: text(row?.cohort_month),
    };
  }

  /** The stages reached by asOf, oldest first; a stage left after asOf reads as current (validTo null). */
  private async stages(customerId: string, asOf: string): Promise<StageVisitView[]> {
    const rows = await select<Row>(
      this.db,
      `select stage, previous_stage, context, reason_type, reason_id, valid_from,
              case when valid_to <= $2 then valid_to end as valid_to
         from analytics.lifecycle_stage
        where customer_id = $1 and valid_from <= $2
        order by valid_from, event_id`,
      [customerId, asOf],
    );
    return rows.map((r) => ({
      stage: String(r.stage),
      previousStage: text(r.previous_stage),
      context: String(r.context),
      reasonType: String(r.reason_type),
      reasonId: String(r.reason_id),
      validFrom: iso(r.valid_from),
      validTo: isoOrNull(r.valid_to),
    }));
  }

  private async figures(customerId: string, asOf: string) {
    const [orders, population, cases, breaches, surveys] = await Promise.all([
      select<Row>(
        this.db,
        `select amount, currency, won_at from analytics.sale where customer_id = $1 and won_at <= $2`,
        [customerId, asOf],
      ),
      // The RFM quintiles rank the customer among every customer with a won order as of asOf.
      select<Row>(
        this.db,
        `select customer_id, count(*) as frequency, sum(amount) as monetary, max(won_at) as last_won_at
           from analytics.sale where won_at <= $1 group by customer_id`,
        [asOf],
      ),
      select<Row>(
        this.db,
        `select c.case_id, c.case_type, c.opened_at, v.status, v.valid_from as status_since
           from analytics.support_case c
           left join analytics.case_version v on v.case_id = c.case_id
                and v.valid_from <= $2 and (v.valid_to is null or $2 < v.valid_to)
          where c.customer_id = $1 and c.opened_at <= $2`,
        [customerId, asOf],
      ),
      select<Row>(
        this.db,
        `select breached_at from analytics.sla_breach where customer_id = $1 and breached_at <= $2`,
        [customerId, asOf],
      ),
      select<Row>(
        this.db,
        `select kind, score, case_id, given_at from analytics.survey
          where customer_id = $1 and given_at <= $2 order by given_at, survey_id`,
        [customerId, asOf],
      ),
    ]);
    const won = orders.map((o) => ({
      customerId,
      amount: Number(o.amount),
      currency: String(o.currency),
      wonAt: iso(o.won_at),
    }));
    const value = customerValue(customerId, won, asOf);
    const rfm = rfmPlacement(
      customerId,
      population.map((r): RfmPopulationRow => ({
        customerId: String(r.customer_id),
        frequency: Number(r.frequency),
        monetary: Number(r.monetary),
        lastWonAt: iso(r.last_won_at),
      })),
      asOf,
    );
    const isOpen = (c: Row) => !DONE.includes(String(c.status));
    const complaints = cases.filter((c) => c.case_type === 'complaint');
    const answers = (kind: string) => surveys.filter((s) => s.kind === kind);
    const lastOf = (kind: string): SurveyAnswerView | null => {
      const last = answers(kind).at(-1);
      return last
        ? { score: Number(last.score), at: iso(last.given_at), caseId: String(last.case_id) }
        : null;
    };
    const risk = churnRisk(
      {
        customerId,
        orders: won.map((o) => o.wonAt),
        complaints: complaints.map((c) => ({
          openedAt: iso(c.opened_at),
          closedAt: isOpen(c) ? null : iso(c.status_since),
        })),
        slaBreaches: breaches.map((b) => iso(b.breached_at)),
        npsAnswers: answers('nps').map((a) => ({ score: Number(a.score), at: iso(a.given_at) })),
      },
      asOf,
    );
    return {
      ...value,
      currencies: [...value.currencies],
      openCases: cases.filter(isOpen).length,
      openComplaints: complaints.filter(isOpen).length,
      lastCsat: lastOf('csat'),
      lastNps: lastOf('nps'),
      rfm,
      churnRisk: { score: risk.score, level: risk.level, reasons: risk.reasons.map((r) => ({ ...r })) },
    };
  }
}
