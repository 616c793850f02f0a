import { historicCustomerValues } from '../metrics/clv-historic';
import {
  fmScore,
  quintileScores,
  rfmSegment,
  type RfmSegment,
  type Score,
  type WonOrder,
} from '../metrics/rfm';
import { DAY_MS, instant, roundCents } from '../metrics/stats';

/**
 * The key figures of the customer 360, from the customer's own facts as of a moment and, for the
 * RFM quintiles (which rank the customer among every customer with a won order as of that
 * moment), the population's values. Pure: the queries gather the facts.
 */

/** One customer's RFM inputs as the population query answers them (won orders at or before asOf). */
export interface RfmPopulationRow {
  readonly customerId: string;
  readonly frequency: number;
  readonly monetary: number;
  readonly lastWonAt: string;
}

export interface RfmPlacement {
  readonly recencyDays: number;
  readonly frequency: number;
  readonly monetary: number;
  readonly r: Score;
  readonly f: Score;
  readonly m: Score;
  readonly fm: Score;
  readonly segment: RfmSegment;
  /** Customers with a won order as of asOf, the quintiles' population. */
  readonly population: number;
}

/**
 * The customer's RFM scores and segment among `population` (./../metrics/rfm: recency in whole
 * days, mid-rank quintiles, the named segment); null when the customer has no won order yet.
 */
export function rfmPlacement(
  customerId: string,
  population: readonly RfmPopulationRow[],
  asOf: string,
): RfmPlacement | null {
  const index = population.findIndex((row) => row.customerId === customerId);
  if (index < 0) return null;
  const now = instant(asOf);
  const recency = population.map((row) => Math.floor((now - instant(row.lastWonAt)) / DAY_MS));
  const r = quintileScores(recency, false)[index];
  const f = quintileScores(
    population.map((row) => row.frequency),
    true,
  )[index];
  const m = quintileScores(
    population.map((row) => roundCents(row.monetary)),
    true,
  )[index];
  const fm = fmScore(f, m);
  const own = population[index];
  return {
    recencyDays: recency[index],
    frequency: own.frequency,
    monetary: roundCents(own.monetary),
    r,
    f,
    m,
    fm,
    segment: rfmSegment(r, fm),
    population: population.length,
  };
}

export interface CustomerValue {
  readonly wonRevenue: number;
  readonly orders: number;
  readonly averageOrderValue: number | null;
  readonly firstPurchaseAt: string | null;
  readonly lastPurchaseAt: string | null;
  readonly lifespanDays: number | null;
  /** The currencies of the orders summed (figures add amounts as they are, without conversion). */
  readonly currencies: readonly string[];
}

/** Historic value of the customer's won orders as of asOf (./../metrics/clv-historic). */
export function customerValue(
  customerId: string,
  orders: readonly (WonOrder & { readonly currency: string })[],
  asOf: string,
): CustomerValue {
  const [value] = historicCustomerValues(
    orders.filter((o) => o.customerId === customerId),
    asOf,
  );
  const currencies = [
    ...new Set(orders.filter((o) => instant(o.wonAt) <= instant(asOf)).map((o) => o.currency)),
  ];
  if (!value)
    return {
      wonRevenue: 0,
      orders: 0,
      averageOrderValue: null,
      firstPurchaseAt: null,
      lastPurchaseAt: null,
      lifespanDays: null,
      currencies,
    };
  return {
    wonRevenue: value.revenue,
    orders: value.orders,
    averageOrderValue: value.averageOrderValue,
    firstPurchaseAt: value.firstOrderAt,
    lastPurchaseAt: value.lastOrderAt,
    lifespanDays: value.lifespanDays,
    currencies: currencies.sort(),
  };
}
