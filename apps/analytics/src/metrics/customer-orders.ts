/**
 * Each customer's won orders as of a date, read once: the per-customer facts that the historic
 * value (./clv-historic), RFM (./rfm) and churn risk (./churn-risk) of a population all start from.
 * Computing them once and handing them to each metric saves parsing every order's time and
 * grouping the orders by customer again per metric (at 100,000 customers most of a dashboard's time).
 */
import { instant } from './stats';

export interface WonOrder {
  readonly customerId: string;
  readonly amount: number;
  readonly wonAt: string;
}

/** One customer's orders won at or before asOf (an order exactly at asOf counts, ./as-of). */
export interface CustomerOrders {
  readonly customerId: string;
  /** Instants (ms since the epoch) of the orders, earliest first. */
  readonly times: readonly number[];
  /** Sum of the amounts, in the orders' given order, unrounded. */
  readonly amount: number;
  /** `wonAt` as given of the earliest order (the first given of those at that instant). */
  readonly firstOrderAt: string;
  /** `wonAt` as given of the latest order (the last given of those at that instant). */
  readonly lastOrderAt: string;
}

export interface OrdersAsOf {
  readonly asOf: string;
  /** The customers with an order, in order of their first order given. */
  readonly customers: readonly CustomerOrders[];
  /** Orders counted over all customers. */
  readonly orders: number;
  /** Sum of their amounts, in the orders' given order, unrounded. */
  readonly amount: number;
}

interface Building {
  readonly customerId: string;
  readonly times: number[];
  amount: number;
  firstOrderAt: string;
  lastOrderAt: string;
  first: number;
  last: number;
  sorted: boolean;
}

/** The orders won at or before `asOf`, grouped by customer, each time parsed once. */
export function customerOrders(orders: readonly WonOrder[], asOf: string): OrdersAsOf {
  const now = instant(asOf);
  const byCustomer = new Map<string, Building>();
  let counted = 0;
  let amount = 0;
  for (const order of orders) {
    const at = instant(order.wonAt);
    if (at > now) continue;
    counted++;
    amount += order.amount;
    const own = byCustomer.get(order.customerId);
    if (!own) {
      byCustomer.set(order.customerId, {
        customerId: order.customerId,
        times: [at],
        amount: order.amount,
        firstOrderAt: order.wonAt,
        lastOrderAt: order.wonAt,
        first: at,
        last: at,
        sorted: true,
      });
      continue;
    }
    own.sorted &&= at >= own.times[own.times.length - 1];
    own.times.push(at);
    own.amount += order.amount;
    // Ties: the first given stays the first, the last given becomes the last (a stable sort's ends).
    if (at < own.first) {
      own.first = at;
      own.firstOrderAt = order.wonAt;
    }
    if (at >= own.last) {
      own.last = at;
      own.lastOrderAt = order.wonAt;
    }
  }
  const customers: CustomerOrders[] = [];
  for (const { customerId, times, sorted, firstOrderAt, lastOrderAt, amount: own } of byCustomer.values()) {
    // Orders usually come in time order (the dashboards read them so): no sort then.
    if (!sorted) times.sort((a, b) => a - b);
    customers.push({ customerId, times, amount: own, firstOrderAt, lastOrderAt });
  }
  return { asOf, customers, orders: counted, amount };
}
