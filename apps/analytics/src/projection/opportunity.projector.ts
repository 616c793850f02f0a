import type { AnalyticsEvent, Projector, Sql } from './projector';
import { qualified, viewOf } from './sql';
import { recordChange, versionedTableDdl, type Changes, type VersionedTable } from './versioned';

/**
 * `opportunity_version`: each opportunity's owner, stage, forecast category, probability, amount
 * and status (open, won, lost) over time; the name is personal data and is not kept. A won
 * opportunity is forecast `closed` at 100 %, a lost one `omitted` at 0 %. `sale`: the won
 * opportunities (what CLV, RFM and purchase frequency count).
 */
export const OPPORTUNITY_VERSION: VersionedTable = {
  table: 'opportunity_version',
  key: 'opportunity_id',
  keyType: 'uuid',
  columns: [
    { name: 'customer_id', type: 'uuid' },
    { name: 'owner', type: 'text' },
    { name: 'stage', type: 'text' },
    { name: 'forecast_category', type: 'text' },
    { name: 'probability', type: 'numeric' },
    { name: 'amount', type: 'numeric' },
    { name: 'currency', type: 'text' },
    { name: 'expected_close_date', type: 'text' },
    { name: 'status', type: 'text' },
    { name: 'from_lead_id', type: 'uuid', keep: 'first' },
    { name: 'from_campaign_id', type: 'uuid', keep: 'first' },
  ],
};

const change =
  (opportunityId: string, at: string, changes: Changes) =>
  (e: Pick<AnalyticsEvent, 'id' | 'customerId'>, db: Sql, schema: string) =>
    recordChange(db, schema, OPPORTUNITY_VERSION, opportunityId, at, e.id, {
      customer_id: e.customerId,
      ...changes,
    });

const defined = (changes: Record<string, string | number | null | undefined>): Changes =>
  Object.fromEntries(Object.entries(changes).filter(([, v]) => v !== undefined)) as Changes;

export const opportunityProjector: Projector = {
  name: 'opportunity',
  tables: (schema) => [
    ...versionedTableDdl(schema, OPPORTUNITY_VERSION),
    `create index if not exists opportunity_version_customer on ${qualified(schema, 'opportunity_version')} (customer_id)`,
    `create table if not exists ${qualified(schema, 'sale')} (
       opportunity_id uuid primary key,
       customer_id uuid not null,
       amount numeric not null,
       currency text not null,
       won_at timestamptz not null)`,
    `create index if not exists sale_customer on ${qualified(schema, 'sale')} (customer_id, won_at)`,
    `create index if not exists sale_won_at on ${qualified(schema, 'sale')} (won_at)`,
  ],
  views: (schema) => [viewOf(schema, 'opportunity_version'), viewOf(schema, 'sale')],
  handlers: {
    OpportunityOpened: (e, db, schema) => {
      const d = e.data;
      return change(
        d.opportunityId,
        d.openedAt,
        defined({
          owner: d.ownerId,
          stage: d.stage,
          forecast_category: d.forecastCategory,
          probability: d.probability,
          amount: d.amount ?? null,
          currency: d.currency,
          expected_close_date: d.expectedCloseDate ?? null,
          status: 'open',
          from_lead_id: d.fromLeadId ?? null,
          from_campaign_id: d.fromCampaignId ?? null,
        }),
      )(e, db, schema);
    },
    OpportunityStageChanged: (e, db, schema) => {
      const d = e.data;
      return change(d.opportunityId, d.changedAt, {
        stage: d.to,
        probability: d.probability,
        forecast_category: d.forecastCategory,
      })(e, db, schema);
    },
    OpportunityDetailsChanged: (e, db, schema) => {
      const { opportunityId, changes: c, changedAt } = e.data;
      return change(
        opportunityId,
        changedAt,
        defined({
          amount: c.amount,
          currency: c.currency,
          expected_close_date: c.expectedCloseDate,
          forecast_category: c.forecastCategory,
          owner: c.ownerId,
        }),
      )(e, db, schema);
    },
    OpportunityWon: async (e, db, schema) => {
      const d = e.data;
      await change(d.opportunityId, d.wonAt, {
        status: 'won',
        owner: d.ownerId,
        amount: d.amount,
        currency: d.currency,
        forecast_category: 'closed',
        probability: 100,
      })(e, db, schema);
      await db.query(
        `insert into ${qualified(schema, 'sale')} (opportunity_id, customer_id, amount, currency, won_at)
         values ($1, $2, $3, $4, $5)
         on conflict (opportunity_id) do update
           set amount = excluded.amount, currency = excluded.currency, won_at = excluded.won_at`,
        [d.opportunityId, d.customerId, d.amount, d.currency, d.wonAt],
      );
    },
    OpportunityLost: (e, db, schema) => {
      const d = e.data;
      return change(d.opportunityId, d.lostAt, {
        status: 'lost',
        owner: d.ownerId,
        forecast_category: 'omitted',
        probability: 0,
      })(e, db, schema);
    },
  },
  // Owners, stages and amounts are no personal data (the opportunity's name is not kept).
  erase: async () => undefined,
};
