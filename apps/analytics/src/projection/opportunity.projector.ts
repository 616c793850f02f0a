import type { AnalyticsEvent, ProjectionBatch, Projector } from './projector';
import { insertRows, lastPer, qualified, viewOf } from './sql';
import { versionedTableDdl, type Changes, type VersionedTable } from './versioned';

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

/** An event's change of its opportunity (the customer it is about included). */
const change = (
  batch: ProjectionBatch,
  e: Pick<AnalyticsEvent, 'id' | 'customerId'>,
  opportunityId: string,
  at: string,
  changes: Changes,
) =>
  batch.change(OPPORTUNITY_VERSION, {
    key: opportunityId,
    at,
    eventId: e.id,
    changes: { customer_id: e.customerId, ...changes },
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
    OpportunityOpened: async (events, _db, _schema, batch) => {
      for (const e of events) {
        const d = e.data;
        change(
          batch,
          e,
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
        );
      }
    },
    OpportunityStageChanged: async (events, _db, _schema, batch) => {
      for (const e of events) {
        const d = e.data;
        change(batch, e, d.opportunityId, d.changedAt, {
          stage: d.to,
          probability: d.probability,
          forecast_category: d.forecastCategory,
        });
      }
    },
    OpportunityDetailsChanged: async (events, _db, _schema, batch) => {
      for (const e of events) {
        const { opportunityId, changes: c, changedAt } = e.data;
        change(
          batch,
          e,
          opportunityId,
          changedAt,
          defined({
            amount: c.amount,
            currency: c.currency,
            expected_close_date: c.expectedCloseDate,
            forecast_category: c.forecastCategory,
            owner: c.ownerId,
          }),
        );
      }
    },
    OpportunityWon: async (events, db, schema, batch) => {
      for (const e of events) {
        const d = e.data;
        change(batch, e, d.opportunityId, d.wonAt, {
          status: 'won',
          owner: d.ownerId,
          amount: d.amount,
          currency: d.currency,
          forecast_category: 'closed',
          probability: 100,
        });
      }
      // The last win of an opportunity in the batch counts, as when they come one at a time.
      await insertRows(
        db,
        qualified(schema, 'sale'),
        {
          opportunity_id: 'uuid',
          customer_id: 'uuid',
          amount: 'numeric',
          currency: 'text',
          won_at: 'timestamptz',
        },
        lastPer(events, (e) => e.data.opportunityId).map(({ data: d }) => ({
          opportunity_id: d.opportunityId,
          customer_id: d.customerId,
          amount: d.amount,
          currency: d.currency,
          won_at: d.wonAt,
        })),
        `on conflict (opportunity_id) do update
           set amount = excluded.amount, currency = excluded.currency, won_at = excluded.won_at`,
      );
    },
    OpportunityLost: async (events, _db, _schema, batch) => {
      for (const e of events) {
        const d = e.data;
        change(batch, e, d.opportunityId, d.lostAt, {
          status: 'lost',
          owner: d.ownerId,
          forecast_category: 'omitted',
          probability: 0,
        });
      }
    },
  },
  // Owners, stages and amounts are no personal data (the opportunity's name is not kept).
  erase: async () => undefined,
};
