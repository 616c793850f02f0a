import type { Projector } from './projector';
import { qualified, viewOf } from './sql';
import { recordChange, versionedTableDdl, type VersionedTable } from './versioned';

/**
 * Marketing's facts:
 * - `campaign_version`: name, objective, purpose, channel, budget, cost so far (planned at
 *   drafting, each recorded cost's running total after), status (draft, scheduled, sending) and the
 *   last step sent, over time;
 * - `campaign_cost`: each recorded cost;
 * - `campaign_touch`: each message sent and each response (open, click, reply, form) per customer;
 * - `campaign_lead`: the prospects a campaign brought (`CampaignProspectResponded`), once each.
 * Campaigns hold no personal data; touches name customers by id only.
 */
export const CAMPAIGN_VERSION: VersionedTable = {
  table: 'campaign_version',
  key: 'campaign_id',
  keyType: 'uuid',
  columns: [
    { name: 'name', type: 'text' },
    { name: 'objective', type: 'text' },
    { name: 'purpose', type: 'text' },
    { name: 'channel', type: 'text' },
    { name: 'steps', type: 'integer' },
    { name: 'budget', type: 'numeric' },
    { name: 'cost', type: 'numeric' },
    { name: 'currency', type: 'text' },
    { name: 'status', type: 'text' },
    { name: 'start_at', type: 'timestamptz' },
    { name: 'last_step_sent', type: 'integer' },
  ],
};

type Content = {
  name: string;
  objective: string;
  purpose: string;
  channel: string;
  steps: unknown[];
  budget: number;
  cost: number;
  currency: string;
};

const content = (d: Content) => ({
  name: d.name,
  objective: d.objective,
  purpose: d.purpose,
  channel: d.channel,
  steps: d.steps.length,
  budget: d.budget,
  cost: d.cost,
  currency: d.currency,
  status: 'draft',
});

export const campaignProjector: Projector = {
  name: 'campaign',
  tables: (schema) => [
    ...versionedTableDdl(schema, CAMPAIGN_VERSION),
    `create table if not exists ${qualified(schema, 'campaign_cost')} (
       event_id text primary key,
       campaign_id uuid not null,
       amount numeric not null,
       currency text not null,
       item text not null,
       recorded_at timestamptz not null)`,
    `create index if not exists campaign_cost_campaign on ${qualified(schema, 'campaign_cost')} (campaign_id, recorded_at)`,
    `create table if not exists ${qualified(schema, 'campaign_touch')} (
       event_id text primary key,
       campaign_id uuid not null,
       customer_id uuid not null,
       step integer not null,
       kind text not null check (kind in ('sent', 'open', 'click', 'reply', 'form')),
       at timestamptz not null)`,
    `create index if not exists campaign_touch_customer on ${qualified(schema, 'campaign_touch')} (customer_id, at)`,
    `create index if not exists campaign_touch_campaign on ${qualified(schema, 'campaign_touch')} (campaign_id, kind)`,
    `create table if not exists ${qualified(schema, 'campaign_lead')} (
       campaign_id uuid not null,
       customer_id uuid not null,
       step integer not null,
       kind text not null,
       at timestamptz not null,
       primary key (campaign_id, customer_id))`,
  ],
  views: (schema) =>
    ['campaign_version', 'campaign_cost', 'campaign_touch', 'campaign_lead'].map((t) => viewOf(schema, t)),
  handlers: {
    CampaignDrafted: (e, db, schema) =>
      recordChange(db, schema, CAMPAIGN_VERSION, e.data.campaignId, e.data.draftedAt, e.id, content(e.data)),
    CampaignRevised: (e, db, schema) =>
      recordChange(db, schema, CAMPAIGN_VERSION, e.data.campaignId, e.data.revisedAt, e.id, content(e.data)),
    CampaignScheduled: (e, db, schema) =>
      recordChange(db, schema, CAMPAIGN_VERSION, e.data.campaignId, e.data.scheduledAt, e.id, {
        status: 'scheduled',
        start_at: e.data.startAt,
      }),
    CampaignStepSent: (e, db, schema) =>
      recordChange(db, schema, CAMPAIGN_VERSION, e.data.campaignId, e.data.sentAt, e.id, {
        status: 'sending',
        last_step_sent: e.data.step,
      }),
    CampaignCostRecorded: async (e, db, schema) => {
      const d = e.data;
      await db.query(
        `insert into ${qualified(schema, 'campaign_cost')} (event_id, campaign_id, amount, currency, item, recorded_at)
         values ($1, $2, $3, $4, $5, $6) on conflict do nothing`,
        [e.id, d.campaignId, d.amount, d.currency, d.item, d.recordedAt],
      );
      await recordChange(db, schema, CAMPAIGN_VERSION, d.campaignId, d.recordedAt, e.id, { cost: d.cost });
    },
    CampaignMessageSent: (e, db, schema) =>
      touch(db, schema, e.id, e.data.campaignId, e.data.customerId, e.data.step, 'sent', e.data.sentAt),
    CampaignResponseRecorded: (e, db, schema) =>
      touch(
        db,
        schema,
        e.id,
        e.data.campaignId,
        e.data.customerId,
        e.data.step,
        e.data.kind,
        e.data.respondedAt,
      ),
    CampaignProspectResponded: async (e, db, schema) => {
      const d = e.data;
      // Once per campaign and customer; the first response counts (the same whichever arrives first).
      await db.query(
        `insert into ${qualified(schema, 'campaign_lead')} (campaign_id, customer_id, step, kind, at)
         values ($1, $2, $3, $4, $5)
         on conflict (campaign_id, customer_id) do update set step = excluded.step, kind = excluded.kind, at = excluded.at
           where excluded.at < campaign_lead.at`,
        [d.campaignId, d.customerId, d.step, d.kind, d.respondedAt],
      );
    },
  },
  erase: async () => undefined,
};

async function touch(
  db: { query(sql: string, parameters?: unknown[]): Promise<unknown> },
  schema: string,
  eventId: string,
  campaignId: string,
  customerId: string,
  step: number,
  kind: string,
  at: string,
): Promise<void> {
  await db.query(
    `insert into ${qualified(schema, 'campaign_touch')} (event_id, campaign_id, customer_id, step, kind, at)
     values ($1, $2, $3, $4, $5, $6) on conflict do nothing`,
    [eventId, campaignId, customerId, step, kind, at],
  );
}
