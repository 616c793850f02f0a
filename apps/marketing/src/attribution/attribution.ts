/**
 * Attribution of won revenue to the campaigns that touched the customer before the win, and the
 * figures of a campaign's return. Pure functions: the projection and the ROI query feed them rows.
 *
 * A touch is a campaign message sent to the customer or a response of theirs recorded; only
 * touches at or before the win count. Models:
 * - `first_touch`: the whole amount to the campaign of the earliest touch;
 * - `last_touch`: the whole amount to the campaign of the latest touch;
 * - `linear`: the amount split evenly over the touches (a campaign that touched twice of four
 *   touches gets half).
 * Ties in time are broken by campaign id, so the answer never depends on the order of the rows.
 * Amounts are in cents-exact shares: the rounding remainder goes to the campaign with the largest
 * share (then the first by id), so the shares of a win always add up to its amount.
 */
export const ATTRIBUTION_MODELS = ['first_touch', 'last_touch', 'linear'] as const;
export type AttributionModel = (typeof ATTRIBUTION_MODELS)[number];

export interface Touch {
  campaignId: string;
  /** ISO 8601. */
  at: string;
}
export interface Win {
  amount: number;
  /** ISO 8601. */
  wonAt: string;
}
export interface Attribution {
  model: AttributionModel;
  campaignId: string;
  /** The fraction of the win (0..1). */
  share: number;
  revenue: number;
}

const cents = (amount: number) => Math.round(amount * 100);

/** Every model's attribution of the win over the touches before it; none when no touch came before. */
export function attribute(win: Win, touches: Touch[]): Attribution[] {
  const wonAt = Date.parse(win.wonAt);
  const before = touches
    .filter((t) => Date.parse(t.at) <= wonAt)
    .sort((a, b) => Date.parse(a.at) - Date.parse(b.at) || a.campaignId.localeCompare(b.campaignId));
  if (before.length === 0) return [];
  const whole = (model: AttributionModel, campaignId: string): Attribution => ({
    model,
    campaignId,
    share: 1,
    revenue: win.amount,
  });
  const counts = new Map<string, number>();
  for (const t of before) counts.set(t.campaignId, (counts.get(t.campaignId) ?? 0) + 1);
  return [
    whole('first_touch', before[0].campaignId),
    whole('last_touch', before[before.length - 1].campaignId),
    ...split(win.amount, counts, before.length),
  ];
}

/** The linear shares in whole cents, the remainder to the largest share (then the first by id). */
function split(amount: number, counts: Map<string, number>, touches: number): Attribution[] {
  const total = cents(amount);
  const ids = [...counts.keys()].sort();
  const shares = ids.map((campaignId) => ({
    campaignId,
    share: counts.get(campaignId)! / touches,
    cents: Math.floor((total * counts.get(campaignId)!) / touches),
  }));
  const largest = shares.reduce((best, s) => (s.share > best.share ? s : best), shares[0]);
  largest.cents += total - shares.reduce((sum, s) => sum + s.cents, 0);
  return shares.map((s) => ({
    model: 'linear',
    campaignId: s.campaignId,
    share: s.share,
    revenue: s.cents / 100,
  }));
}

/** A ratio, or null when the denominator is zero (no cost, no lead, nobody sent). */
const ratio = (numerator: number, denominator: number) =>
  denominator === 0 ? null : Math.round((numerator / denominator) * 10_000) / 10_000;
const money = (amount: number | null) => (amount === null ? null : Math.round(amount * 100) / 100);

export interface StepFigures {
  step: number;
  sent: number;
  /** Distinct recipients of the step who responded to it (any kind). */
  responders: number;
  /** Distinct recipients of the step with a win attributed to the campaign. */
  converted: number;
}

export interface CampaignFigures {
  cost: number;
  /** Revenue attributed to the campaign, per model. */
  revenue: Record<AttributionModel, number>;
  /** Responders who were not customers yet (published to leads). */
  leads: number;
  /** Distinct customers with a win attributed to the campaign. */
  acquiredCustomers: number;
  steps: StepFigures[];
}

/**
 * ROI per model = (revenue - cost) / cost; cost per lead and per acquired customer; per step the
 * response rate (responders / sent) and conversion rate (converted / sent). Null where the
 * denominator is zero. Ratios to 4 decimals, money to cents.
 */
export function campaignReturn(figures: CampaignFigures) {
  const { cost, revenue, leads, acquiredCustomers } = figures;
  const roi = Object.fromEntries(
    ATTRIBUTION_MODELS.map((model) => [model, ratio(revenue[model] - cost, cost)]),
  ) as Record<AttributionModel, number | null>;
  return {
    cost,
    revenue,
    roi,
    leads,
    acquiredCustomers,
    costPerLead: money(leads === 0 ? null : cost / leads),
    costPerAcquiredCustomer: money(acquiredCustomers === 0 ? null : cost / acquiredCustomers),
    steps: figures.steps.map((s) => ({
      ...s,
      responseRate: ratio(s.responders, s.sent),
      conversionRate: ratio(s.converted, s.sent),
    })),
  };
}
