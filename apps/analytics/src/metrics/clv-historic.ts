/**
 * Historic customer value from won orders (at or before asOf):
 * - per customer: won revenue (the historic CLV), orders, average order value = revenue / orders,
 *   first and last order, lifespan = days from the first to the last order (0 for one order);
 * - over all customers with an order: revenue per customer = total revenue / customers, average
 *   order value = total revenue / total orders, purchase frequency = total orders / customers (so
 *   revenue per customer = average order value × purchase frequency), average lifespan in days.
 * Money is rounded to cents; the average order value is computed from unrounded sums.
 */
import { happenedBy } from './as-of';
import type { WonOrder } from './rfm';
import { daysBetween, groupBy, instant, mean, roundCents } from './stats';

export interface HistoricCustomerValue {
  readonly customerId: string;
  readonly revenue: number;
  readonly orders: number;
  readonly averageOrderValue: number;
  readonly firstOrderAt: string;
  readonly lastOrderAt: string;
  readonly lifespanDays: number;
}

export interface HistoricValueSummary {
  readonly customers: number;
  readonly orders: number;
  readonly revenue: number;
  readonly revenuePerCustomer: number | null;
  readonly averageOrderValue: number | null;
  readonly purchaseFrequency: number | null;
  readonly averageLifespanDays: number | null;
}

/** Per-customer historic value as of `asOf`, in order of first order seen. */
export function historicCustomerValues(orders: readonly WonOrder[], asOf: string): HistoricCustomerValue[] {
  const byCustomer = groupBy(
    happenedBy(orders, (o) => o.wonAt, asOf),
    (o) => o.customerId,
  );
  return [...byCustomer.entries()].map(([customerId, own]) => {
    const sorted = [...own].sort((a, b) => instant(a.wonAt) - instant(b.wonAt));
    const revenue = own.reduce((sum, o) => sum + o.amount, 0);
    const firstOrderAt = sorted[0].wonAt;
    const lastOrderAt = sorted[sorted.length - 1].wonAt;
    return {
      customerId,
      revenue: roundCents(revenue),
      orders: own.length,
      averageOrderValue: roundCents(revenue / own.length),
      firstOrderAt,
      lastOrderAt,
      lifespanDays: daysBetween(firstOrderAt, lastOrderAt),
    };
  });
}

/** The population figures of the module comment; nulls when no customer has an order. */
export function historicValueSummary(orders: readonly WonOrder[], asOf: string): HistoricValueSummary {
  const customers = historicCustomerValues(orders, asOf);
  const counted = happenedBy(orders, (o) => o.wonAt, asOf);
  const revenue = counted.reduce((sum, o) => sum + o.amount, 0);
  const n = customers.length;
  return {
    customers: n,
    orders: counted.length,
    revenue: roundCents(revenue),
    revenuePerCustomer: n === 0 ? null : roundCents(revenue / n),
    averageOrderValue: counted.length === 0 ? null : roundCents(revenue / counted.length),
    purchaseFrequency: n === 0 ? null : counted.length / n,
    averageLifespanDays: mean(customers.map((c) => c.lifespanDays)),
  };
}
