import { FUNNEL_STAGES } from '../metrics/lifecycle-funnel';
import { touchingCustomers, type Derivation, type Projector } from './projector';
import { qualified } from './sql';

/** An acquired customer churns this many days after an activity no other activity followed within them. */
export const CHURN_AFTER_DAYS = 365;

/** `(stage, next)`: each funnel stage and the one after it. */
const FUNNEL_NEXT = FUNNEL_STAGES.slice(0, -1)
  .map((stage, i) => `('${stage}', '${FUNNEL_STAGES[i + 1]}')`)
  .join(', ');

/**
 * `funnel_visit`: every stage visit of each customer over their whole history, what the lifecycle
 * funnel (src/dashboards/funnel.dashboard.ts) counts as of any instant:
 * - transitions: the stages reached (`lifecycle_stage`), plus the derived `churned` transitions:
 *   an acquired customer churns CHURN_AFTER_DAYS days after an activity of theirs (a won order or
 *   a stage reached other than churned, at or after their first acquisition) that no other
 *   activity followed within those days (a churn at activity + 365 days, possibly in the future);
 * - a visit lasts from its transition to the customer's next one (ordered by time, then event id;
 *   a derived churn, tie `~derived`, after published stages at the same instant): `left_at`, null
 *   for the last; `cohort_month` = UTC month of the customer's first interest stage, reached at
 *   `cohort_from`;
 * - so that the funnel counts customers without grouping the visits per customer:
 *   `first_of_customer` marks the customer's first visit, `first_of_stage` their first visit of
 *   its stage, and `next_stage_from` is when they first entered the funnel stage after this one
 *   (null: never, or the last stage).
 * Derived again per customer after every batch with a stage reached or a win of theirs.
 *
 * The dashboard as of T takes the visits entered at or before T, with left_at (and so a time in
 * stage) only when left_at <= T and the cohort only when cohort_from <= T. That is what deriving
 * them from the facts at or before T only gives (as the dashboard once did at every request):
 * - a derived churn at a + 365 d exists iff the activity after a (in time order) is after
 *   a + 365 d or there is none, a being at or after the first acquisition. As of T it counts iff
 *   a + 365 d <= T and the same holds of the activities by T. With a + 365 d <= T, every activity up
 *   to a + 365 d is known by T: the activity after a is the same, or it is after T, hence after
 *   a + 365 d, where as of T there is none; the verdict is the same. And a <= T, so the first
 *   acquisition (<= a) is the same as of T. So the churns as of T are the churns at or before T;
 * - so the transitions as of T are the customer's transitions at or before T: a prefix of them in
 *   the visits' order (time first). A visit entered by T has the same next transition when that is
 *   by T, and none (open at T) otherwise;
 * - the first interest stage as of T is the first one ever when that is by T, else none; likewise a
 *   customer's first visit, first visit of a stage and first visit of the next stage.
 */
export const funnelVisits: Derivation = {
  name: 'funnel_visit',
  derive: async (customers, db, schema) => {
    const table = qualified(schema, 'funnel_visit');
    const churn = `interval '${CHURN_AFTER_DAYS} days'`;
    await db.query(`delete from ${table} where customer_id = any($1::uuid[])`, [customers]);
    await db.query(
      `insert into ${table} (customer_id, stage, entered_at, tie, left_at, cohort_month, cohort_from,
                             first_of_customer, first_of_stage, next_stage_from)
       with transition as (
         select s.customer_id, s.stage, s.valid_from as at, s.event_id as tie
           from ${qualified(schema, 'lifecycle_stage')} s where s.customer_id = any($1::uuid[])),
       activity as (
         select customer_id, at from transition where stage <> 'churned'
         union all
         select s.customer_id, s.won_at from ${qualified(schema, 'sale')} s where s.customer_id = any($1::uuid[])),
       acquired as (select customer_id, min(at) as at from transition where stage = 'acquisition' group by customer_id),
       gap as (
         select a.customer_id, a.at, lead(a.at) over (partition by a.customer_id order by a.at) as next
           from activity a join acquired q on q.customer_id = a.customer_id and a.at >= q.at),
       churn as (
         select distinct g.customer_id, 'churned'::text as stage, g.at + ${churn} as at, '~derived'::text as tie
           from gap g where g.next is null or g.at + ${churn} < g.next),
       visit as (
         select customer_id, stage, at, tie, lead(at) over (partition by customer_id order by at, tie) as left_at
           from (select * from transition union all select * from churn) t),
       cohort as (select customer_id, min(at) as at from transition where stage = 'interest' group by customer_id),
       first_visit as (select customer_id, stage, min(at) as at from visit group by customer_id, stage),
       funnel_next (stage, next) as (values ${FUNNEL_NEXT})
       select v.customer_id, v.stage, v.at, v.tie, v.left_at,
              to_char(c.at at time zone 'UTC', 'YYYY-MM'), c.at,
              row_number() over (partition by v.customer_id order by v.at, v.tie) = 1,
              row_number() over (partition by v.customer_id, v.stage order by v.at, v.tie) = 1,
              f.at
         from visit v
         left join cohort c on c.customer_id = v.customer_id
         left join funnel_next n on n.stage = v.stage
         left join first_visit f on f.customer_id = v.customer_id and f.stage = n.next`,
      [customers],
    );
  },
};

/** A stage reached or a win: its customer's visits are derived again after the batch. */
const touched = touchingCustomers(funnelVisits);

export const funnelVisitProjector: Projector = {
  name: 'funnel-visit',
  tables: (schema) => [
    `create table if not exists ${qualified(schema, 'funnel_visit')} (
       customer_id uuid not null,
       stage text not null,
       entered_at timestamptz not null,
       tie text not null,
       left_at timestamptz,
       cohort_month text,
       cohort_from timestamptz,
       first_of_customer boolean not null,
       first_of_stage boolean not null,
       next_stage_from timestamptz,
       primary key (customer_id, entered_at, tie))`,
    `create index if not exists funnel_visit_entered on ${qualified(schema, 'funnel_visit')} (entered_at)`,
  ],
  // Read through analytics.dashboard_funnel_visit (as of), not a view of its own.
  views: () => [],
  handlers: {
    CustomerLifecycleStageReached: touched,
    OpportunityWon: touched,
  },
  erase: async () => undefined,
};
