import type { EventData } from '@crm/contracts';
import type { AnalyticsEvent, ProjectionBatch, Projector, Sql } from './projector';
import { insertRows, qualified, viewOf } from './sql';
import { versionedTableDdl, type Changes, type VersionedTable } from './versioned';

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
    CampaignDrafted: async (events, _db, _schema, batch) => {
      for (const e of events) version(batch, e, e.data.campaignId, e.data.draftedAt, content(e.data));
    },
    CampaignRevised: async (events, _db, _schema, batch) => {
      for (const e of events) version(batch, e, e.data.campaignId, e.data.revisedAt, content(e.data));
    },
    CampaignScheduled: async (events, _db, _schema, batch) => {
      for (const e of events)
        version(batch, e, e.data.campaignId, e.data.scheduledAt, {
          status: 'scheduled',
          start_at: e.data.startAt,
        });
    },
    CampaignStepSent: async (events, _db, _schema, batch) => {
      for (const e of events)
        version(batch, e, e.data.campaignId, e.data.sentAt, {
          status: 'sending',
          last_step_sent: e.data.step,
        });
    },
    CampaignCostRecorded: async (events, db, schema, batch) => {
      await insertRows(
        db,
        qualified(schema, 'campaign_cost'),
        {
          event_id: 'text',
          campaign_id: 'uuid',
          amount: 'numeric',
          currency: 'text',
          item: 'text',
          recorded_at: 'timestamptz',
        },
        events.map(({ id, data: d }) => ({
          event_id: id,
          campaign_id: d.campaignId,
          amount: d.amount,
          currency: d.currency,
          item: d.item,
          recorded_at: d.recordedAt,
        })),
      );
      for (const e of events) version(batch, e, e.data.campaignId, e.data.recordedAt, { cost: e.data.cost });
    },
    CampaignMessageSent: (events, db, schema) =>
      touches(
        db,
        schema,
        events.map(({ id, data: d }) => ({
          event_id: id,
          campaign_id: d.campaignId,
          customer_id: d.customerId,
          step: d.step,
          kind: 'sent',
          at: d.sentAt,
        })),
      ),
    CampaignResponseRecorded: (events, db, schema) =>
      touches(
        db,
        schema,
        events.map(({ id, data: d }) => ({
          event_id: id,
          campaign_id: d.campaignId,
          customer_id: d.customerId,
          step: d.step,
          kind: d.kind,
          at: d.respondedAt,
        })),
      ),
    CampaignProspectResponded: async (events, db, schema) => {
      // Once per campaign and customer; the first response counts (the same whichever arrives
      // first; of two at the same instant, the first to arrive).
      const first = new Map<string, EventData<'CampaignProspectResponded'>>();
      for (const { data: d } of events) {
        const key = `${d.campaignId}|${d.customerId}`;
        const known = first.get(key);
        if (!known || Date.parse(d.respondedAt) < Date.parse(known.respondedAt)) first.set(key, d);
      }
      await insertRows(
        db,
        qualified(schema, 'campaign_lead'),
        { campaign_id: 'uuid', customer_id: 'uuid', step: 'integer', kind: 'text', at: 'timestamptz' },
        [...first.values()].map((d) => ({
          campaign_id: d.campaignId,
          customer_id: d.customerId,
          step: d.step,
          kind: d.kind,
          at: d.respondedAt,
        })),
        `on conflict (campaign_id, customer_id) do update set step = excluded.step, kind = excluded.kind, at = excluded.at
           where excluded.at < campaign_lead.at`,
      );
    },
  },
  erase: async () => undefined,
};

/** An event's change of its campaign. */
const version = (
  batch: ProjectionBatch,
  e: Pick<AnalyticsEvent, 'id'>,
  campaignId: string,
  at: string,
  changes: Changes,
) => batch.change(CAMPAIGN_VERSION, { key: campaignId, at, eventId: e.id, changes });

const touches = (db: Sql, schema: string, rows: object[]) =>
  insertRows(
    db,
    qualified(schema, 'campaign_touch'),
    {
      event_id: 'text',
      campaign_id: 'uuid',
      customer_id: 'uuid',
      step: 'integer',
      kind: 'text',
      at: 'timestamptz',
    },
    rows,
  );
