import type { AnalyticsEvent, ProjectionBatch, Projector } from './projector';
import { insertRows, qualified, recordset, viewOf } from './sql';
import { versionedTableDdl, type Changes, type VersionedTable } from './versioned';

/**
 * The service desk's facts:
 * - `support_case`: one row per case with what does not change (customer, channel, type, the SLA
 *   policy version and its targets) and the instants of its milestones, each the first time it
 *   happened: first public agent reply, first solved, first closed ("as of T" compares them with T);
 * - `case_version`: status, priority, queue and assignee over time (open cases as of T: the
 *   version valid at T is neither solved nor closed; a reopened case is open again);
 * - `sla_breach`: every breached clock (a next-response clock may breach more than once);
 * - `survey`: CSAT ratings (1-5) and NPS answers (0-10), one row per answer.
 * Subjects, descriptions, replies and comments are personal data and are not kept.
 */
export const CASE_VERSION: VersionedTable = {
  table: 'case_version',
  key: 'case_id',
  keyType: 'uuid',
  columns: [
    { name: 'customer_id', type: 'uuid' },
    { name: 'status', type: 'text' },
    { name: 'priority', type: 'text' },
    { name: 'queue', type: 'text' },
    { name: 'assignee', type: 'text' },
  ],
};

/** An event's change of its case, at `at` (every version names the case's customer). */
const caseChange = (
  batch: ProjectionBatch,
  e: Pick<AnalyticsEvent, 'id' | 'customerId'>,
  caseId: string,
  at: string,
  changes: Changes,
) =>
  batch.change(CASE_VERSION, {
    key: caseId,
    at,
    eventId: e.id,
    changes: { customer_id: e.customerId, ...changes },
  });

const SURVEY_COLUMNS = {
  survey_id: 'text',
  case_id: 'uuid',
  customer_id: 'uuid',
  kind: 'text',
  score: 'integer',
  nps_category: 'text',
  given_at: 'timestamptz',
};

export const serviceProjector: Projector = {
  name: 'service',
  tables: (schema) => [
    `create table if not exists ${qualified(schema, 'support_case')} (
       case_id uuid primary key,
       customer_id uuid not null,
       known_customer boolean not null,
       channel text not null,
       case_type text not null,
       priority text not null,
       queue text not null,
       sla_policy text not null,
       sla_version integer not null,
       first_response_target_minutes numeric not null,
       next_response_target_minutes numeric not null,
       resolution_target_minutes numeric not null,
       follows_up_case_id uuid,
       opened_at timestamptz not null,
       first_response_at timestamptz,
       resolved_at timestamptz,
       closed_at timestamptz)`,
    `create index if not exists support_case_customer on ${qualified(schema, 'support_case')} (customer_id)`,
    `create index if not exists support_case_opened on ${qualified(schema, 'support_case')} (opened_at)`,
    ...versionedTableDdl(schema, CASE_VERSION),
    `create index if not exists case_version_customer on ${qualified(schema, 'case_version')} (customer_id)`,
    `create table if not exists ${qualified(schema, 'sla_breach')} (
       case_id uuid not null,
       customer_id uuid not null,
       clock text not null,
       policy text,
       policy_version integer,
       priority text not null,
       target_minutes numeric not null,
       due_at timestamptz not null,
       breached_at timestamptz not null,
       primary key (case_id, clock, breached_at))`,
    `create index if not exists sla_breach_customer on ${qualified(schema, 'sla_breach')} (customer_id, breached_at)`,
    `create table if not exists ${qualified(schema, 'survey')} (
       survey_id text primary key,
       case_id uuid not null,
       customer_id uuid not null,
       kind text not null check (kind in ('csat', 'nps')),
       score integer not null,
       nps_category text,
       given_at timestamptz not null)`,
    `create index if not exists survey_customer on ${qualified(schema, 'survey')} (customer_id, given_at)`,
  ],
  views: (schema) => ['support_case', 'case_version', 'sla_breach', 'survey'].map((t) => viewOf(schema, t)),
  // Cases opened first: the batch's replies, status changes and breaches of a case may follow its opening.
  handlers: {
    CaseOpened: async (events, db, schema, batch) => {
      await insertRows(
        db,
        qualified(schema, 'support_case'),
        {
          case_id: 'uuid',
          customer_id: 'uuid',
          known_customer: 'boolean',
          channel: 'text',
          case_type: 'text',
          priority: 'text',
          queue: 'text',
          sla_policy: 'text',
          sla_version: 'integer',
          first_response_target_minutes: 'numeric',
          next_response_target_minutes: 'numeric',
          resolution_target_minutes: 'numeric',
          follows_up_case_id: 'uuid',
          opened_at: 'timestamptz',
        },
        events.map(({ data: d }) => ({
          case_id: d.caseId,
          customer_id: d.customerId,
          known_customer: d.knownCustomer,
          channel: d.channel,
          case_type: d.caseType,
          priority: d.priority,
          queue: d.queue,
          sla_policy: d.sla.policyId,
          sla_version: d.sla.version,
          first_response_target_minutes: d.sla.firstResponseMinutes,
          next_response_target_minutes: d.sla.nextResponseMinutes,
          resolution_target_minutes: d.sla.resolutionMinutes,
          follows_up_case_id: d.followsUpCaseId ?? null,
          opened_at: d.openedAt,
        })),
      );
      for (const { id, data: d } of events)
        batch.change(CASE_VERSION, {
          key: d.caseId,
          at: d.openedAt,
          eventId: id,
          changes: {
            customer_id: d.customerId,
            status: 'new',
            priority: d.priority,
            queue: d.queue,
            assignee: null,
          },
        });
    },
    CaseReplied: async (events, db, schema) => {
      const replies = events
        .map((e) => e.data)
        .filter((d) => d.author.kind === 'agent' && d.visibility === 'public')
        .map((d) => ({ case_id: d.caseId, at: d.repliedAt }));
      if (replies.length === 0) return;
      await db.query(
        `update ${qualified(schema, 'support_case')} c set first_response_at = least(c.first_response_at, x.at)
           from (select case_id, min(at) as at from ${recordset({ case_id: 'uuid', at: 'timestamptz' })}
                  group by case_id) x
          where c.case_id = x.case_id`,
        [JSON.stringify(replies)],
      );
    },
    CaseStatusChanged: async (events, db, schema, batch) => {
      const milestones = events
        .map((e) => e.data)
        .filter((d) => d.to === 'solved' || d.to === 'closed')
        .map((d) => ({ case_id: d.caseId, status: d.to, at: d.changedAt }));
      if (milestones.length > 0)
        await db.query(
          `update ${qualified(schema, 'support_case')} c
              set resolved_at = least(c.resolved_at, x.resolved_at), closed_at = least(c.closed_at, x.closed_at)
             from (select case_id, min(at) filter (where status = 'solved') as resolved_at,
                          min(at) filter (where status = 'closed') as closed_at
                     from ${recordset({ case_id: 'uuid', status: 'text', at: 'timestamptz' })}
                    group by case_id) x
            where c.case_id = x.case_id`,
          [JSON.stringify(milestones)],
        );
      for (const e of events) caseChange(batch, e, e.data.caseId, e.data.changedAt, { status: e.data.to });
    },
    CaseAssigned: async (events, _db, _schema, batch) => {
      for (const e of events)
        caseChange(batch, e, e.data.caseId, e.data.assignedAt, { assignee: e.data.agentId });
    },
    CaseEscalated: async (events, _db, _schema, batch) => {
      for (const e of events)
        caseChange(batch, e, e.data.caseId, e.data.escalatedAt, {
          queue: e.data.toQueue,
          priority: e.data.priority,
        });
    },
    SlaBreached: async (events, db, schema) => {
      const columns = {
        case_id: 'uuid',
        customer_id: 'uuid',
        clock: 'text',
        priority: 'text',
        target_minutes: 'numeric',
        due_at: 'timestamptz',
        breached_at: 'timestamptz',
      };
      await db.query(
        `insert into ${qualified(schema, 'sla_breach')}
           (case_id, customer_id, clock, policy, policy_version, priority, target_minutes, due_at, breached_at)
         select x.case_id, x.customer_id, x.clock, c.sla_policy, c.sla_version, x.priority, x.target_minutes,
                x.due_at, x.breached_at
           from ${recordset(columns)} left join ${qualified(schema, 'support_case')} c on c.case_id = x.case_id
         on conflict do nothing`,
        [
          JSON.stringify(
            events.map(({ customerId, data: d }) => ({
              case_id: d.caseId,
              customer_id: customerId,
              clock: d.clock,
              priority: d.priority,
              target_minutes: d.targetMinutes,
              due_at: d.dueAt,
              breached_at: d.breachedAt,
            })),
          ),
        ],
      );
    },
    CaseRated: (events, db, schema) =>
      insertRows(
        db,
        qualified(schema, 'survey'),
        SURVEY_COLUMNS,
        events.map((e) => ({
          survey_id: e.id,
          case_id: e.data.caseId,
          customer_id: e.data.customerId,
          kind: 'csat',
          score: e.data.score,
          given_at: e.data.ratedAt,
        })),
      ),
    NetPromoterScoreGiven: (events, db, schema) =>
      insertRows(
        db,
        qualified(schema, 'survey'),
        SURVEY_COLUMNS,
        events.map((e) => ({
          survey_id: e.id,
          case_id: e.data.caseId,
          customer_id: e.data.customerId,
          kind: 'nps',
          score: e.data.score,
          nps_category: e.data.category,
          given_at: e.data.givenAt,
        })),
      ),
  },
  // Channels, types, times and scores are no personal data (comments and texts are not kept).
  erase: async () => undefined,
};
