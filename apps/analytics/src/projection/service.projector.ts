import type { Projector } from './projector';
import { qualified, viewOf } from './sql';
import { recordChange, versionedTableDdl, type VersionedTable } from './versioned';

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
  handlers: {
    CaseOpened: async (e, db, schema) => {
      const d = e.data;
      await db.query(
        `insert into ${qualified(schema, 'support_case')}
           (case_id, customer_id, known_customer, channel, case_type, priority, queue, sla_policy, sla_version,
            first_response_target_minutes, next_response_target_minutes, resolution_target_minutes,
            follows_up_case_id, opened_at)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) on conflict do nothing`,
        [
          d.caseId,
          d.customerId,
          d.knownCustomer,
          d.channel,
          d.caseType,
          d.priority,
          d.queue,
          d.sla.policyId,
          d.sla.version,
          d.sla.firstResponseMinutes,
          d.sla.nextResponseMinutes,
          d.sla.resolutionMinutes,
          d.followsUpCaseId ?? null,
          d.openedAt,
        ],
      );
      await recordChange(db, schema, CASE_VERSION, d.caseId, d.openedAt, e.id, {
        customer_id: d.customerId,
        status: 'new',
        priority: d.priority,
        queue: d.queue,
        assignee: null,
      });
    },
    CaseReplied: async (e, db, schema) => {
      const d = e.data;
      if (d.author.kind !== 'agent' || d.visibility !== 'public') return;
      await db.query(
        `update ${qualified(schema, 'support_case')} set first_response_at = least(first_response_at, $2)
          where case_id = $1`,
        [d.caseId, d.repliedAt],
      );
    },
    CaseStatusChanged: async (e, db, schema) => {
      const d = e.data;
      const column = d.to === 'solved' ? 'resolved_at' : d.to === 'closed' ? 'closed_at' : undefined;
      if (column)
        await db.query(
          `update ${qualified(schema, 'support_case')} set ${column} = least(${column}, $2) where case_id = $1`,
          [d.caseId, d.changedAt],
        );
      await recordChange(db, schema, CASE_VERSION, d.caseId, d.changedAt, e.id, {
        customer_id: e.customerId,
        status: d.to,
      });
    },
    CaseAssigned: (e, db, schema) =>
      recordChange(db, schema, CASE_VERSION, e.data.caseId, e.data.assignedAt, e.id, {
        customer_id: e.customerId,
        assignee: e.data.agentId,
      }),
    CaseEscalated: (e, db, schema) =>
      recordChange(db, schema, CASE_VERSION, e.data.caseId, e.data.escalatedAt, e.id, {
        customer_id: e.customerId,
        queue: e.data.toQueue,
        priority: e.data.priority,
      }),
    SlaBreached: async (e, db, schema) => {
      const d = e.data;
      await db.query(
        `insert into ${qualified(schema, 'sla_breach')}
           (case_id, customer_id, clock, policy, policy_version, priority, target_minutes, due_at, breached_at)
         select $1, $2, $3, c.sla_policy, c.sla_version, $4, $5, $6, $7
           from (select 1) one left join ${qualified(schema, 'support_case')} c on c.case_id = $1
         on conflict do nothing`,
        [d.caseId, e.customerId, d.clock, d.priority, d.targetMinutes, d.dueAt, d.breachedAt],
      );
    },
    CaseRated: (e, db, schema) =>
      db
        .query(
          `insert into ${qualified(schema, 'survey')} (survey_id, case_id, customer_id, kind, score, given_at)
           values ($1, $2, $3, 'csat', $4, $5) on conflict do nothing`,
          [e.id, e.data.caseId, e.data.customerId, e.data.score, e.data.ratedAt],
        )
        .then(() => undefined),
    NetPromoterScoreGiven: (e, db, schema) =>
      db
        .query(
          `insert into ${qualified(schema, 'survey')}
             (survey_id, case_id, customer_id, kind, score, nps_category, given_at)
           values ($1, $2, $3, 'nps', $4, $5, $6) on conflict do nothing`,
          [e.id, e.data.caseId, e.data.customerId, e.data.score, e.data.category, e.data.givenAt],
        )
        .then(() => undefined),
  },
  // Channels, types, times and scores are no personal data (comments and texts are not kept).
  erase: async () => undefined,
};
