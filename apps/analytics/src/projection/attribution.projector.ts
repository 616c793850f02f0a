import { touchingCustomers, type Derivation, type Projector } from './projector';
import { qualified } from './sql';

/**
 * `sale_attribution`: each won opportunity's revenue per attribution model and campaign, the
 * attribution of apps/marketing/src/attribution/attribution.ts written in SQL (apps do not import
 * each other; the pure function could move to a lib):
 * - a touch is a campaign message sent to the customer or a response of theirs (open, click,
 *   reply, form); a won opportunity (`sale`) is attributed over the customer's touches at or
 *   before its win (none: no row);
 * - first_touch: the whole amount to the campaign of the earliest touch, last_touch: of the latest
 *   (ties in time broken by campaign id); linear: the amount split by the campaigns' share of the
 *   touches, in whole cents, the remainder to the largest share (then the first campaign id);
 * - `first_for_campaign`: the customer's first row attributed to the campaign (earliest win, then
 *   opportunity id, then model): one per customer and campaign, so the customers a campaign
 *   acquired by T are its rows so marked won by T, counted without a `count(distinct)`.
 *
 * A sale's attribution depends on the sale and the customer's touches up to its win only, never
 * on the instant it is asked as of (a sale counts as of T when won_at <= T, and then every touch it
 * counts is <= T too): so it is derived once, here, and the marketing dashboard filters it by
 * won_at. It is derived again, per customer, after every batch with a win (`sale` row, new or
 * won again) or a touch of theirs, from all of the customer's sales and touches, so a touch
 * arriving after the win it precedes (another topic) changes the attribution as it should.
 * Sales and touches hold no personal data: an erasure changes nothing.
 */
export const saleAttribution: Derivation = {
  name: 'sale_attribution',
  derive: async (customers, db, schema) => {
    const table = qualified(schema, 'sale_attribution');
    await db.query(`delete from ${table} where customer_id = any($1::uuid[])`, [customers]);
    await db.query(
      `insert into ${table} (opportunity_id, customer_id, won_at, currency, model, campaign_id, share, revenue, first_for_campaign)
       with touch as (
         select s.opportunity_id, s.customer_id, s.amount, s.currency, s.won_at, t.campaign_id,
                row_number() over (partition by s.opportunity_id order by t.at, t.campaign_id) as from_first,
                row_number() over (partition by s.opportunity_id order by t.at desc, t.campaign_id desc) as from_last,
                count(*) over (partition by s.opportunity_id) as touches
           from ${qualified(schema, 'sale')} s
           join ${qualified(schema, 'campaign_touch')} t on t.customer_id = s.customer_id and t.at <= s.won_at
          where s.customer_id = any($1::uuid[])),
       per_campaign as (
         select opportunity_id, customer_id, amount, currency, won_at, campaign_id, count(*) as n, max(touches) as touches
           from touch group by opportunity_id, customer_id, amount, currency, won_at, campaign_id),
       linear as (
         select p.*, floor(round(p.amount * 100) * p.n / p.touches) as cents,
                row_number() over (partition by p.opportunity_id order by p.n desc, p.campaign_id) as rank
           from per_campaign p),
       attributed as (
         select opportunity_id, customer_id, won_at, currency, 'first_touch'::text as model, campaign_id,
                1::float8 as share, amount as revenue
           from touch where from_first = 1
         union all
         select opportunity_id, customer_id, won_at, currency, 'last_touch', campaign_id, 1, amount
           from touch where from_last = 1
         union all
         select opportunity_id, customer_id, won_at, currency, 'linear', campaign_id, n::float8 / touches,
                (cents + case when rank = 1
                              then round(amount * 100) - sum(cents) over (partition by opportunity_id) else 0 end) / 100
           from linear)
       select a.*, row_number() over (partition by customer_id, campaign_id order by won_at, opportunity_id, model) = 1
         from attributed a`,
      [customers],
    );
  },
};

/** A win or a touch: its customer's sales are attributed again after the batch. */
const touched = touchingCustomers(saleAttribution);

export const attributionProjector: Projector = {
  name: 'attribution',
  tables: (schema) => [
    `create table if not exists ${qualified(schema, 'sale_attribution')} (
       opportunity_id uuid not null,
       customer_id uuid not null,
       won_at timestamptz not null,
       currency text not null,
       model text not null,
       campaign_id uuid not null,
       share float8 not null,
       revenue numeric not null,
       first_for_campaign boolean not null,
       primary key (opportunity_id, model, campaign_id))`,
    `create index if not exists sale_attribution_customer on ${qualified(schema, 'sale_attribution')} (customer_id)`,
  ],
  // Read through analytics.dashboard_campaign_attribution (as of), not a view of its own.
  views: () => [],
  handlers: {
    OpportunityWon: touched,
    CampaignMessageSent: touched,
    CampaignResponseRecorded: touched,
  },
  erase: async () => undefined,
};
