/**
 * Historic customer value from won orders (at or before asOf):
 * - per customer: won revenue (the historic CLV), orders, average order value = revenue / orders,
 *   first and last order, lifespan = days from the first to the last order (0 for one order);
 * - over all customers with an order: revenue per customer = total revenue / customers, average
 *   order value = total revenue / total orders, purchase frequency = total orders / customers (so
 *   revenue per customer = average order value × purchase frequency), average lifespan in days.
 * Money is rounded to cents; the average order value is computed from unrounded sums.
 */
import { customerOrders, type OrdersAsOf, type WonOrder } from './customer-orders';
import { DAY_MS, mean, roundCents } from './stats';

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
  return historicValuesOf(customerOrders(orders, asOf));
}

/** The population figures of the module comment; nulls when no customer has an order. */
export function historicValueSummary(orders: readonly WonOrder[], asOf: string): HistoricValueSummary {
  return historicSummaryOf(customerOrders(orders, asOf));
}

/** {@link historicCustomerValues} of orders already grouped by customer (./customer-orders). */
export function historicValuesOf({ customers }: OrdersAsOf): HistoricCustomerValue[] {
  return customers.map(({ customerId, times, amount, firstOrderAt, lastOrderAt }) => ({
    customerId,
    revenue: roundCents(amount),
    orders: times.length,
    averageOrderValue: roundCents(amount / times.length),
    firstOrderAt,
    lastOrderAt,
    lifespanDays: lifespanDays(times),
  }));
}

/** {@link historicValueSummary} of orders already grouped by customer (./customer-orders). */
export function historicSummaryOf({ customers, orders, amount }: OrdersAsOf): HistoricValueSummary {
  const n = customers.length;
  return {
    customers: n,
    orders,
    revenue: roundCents(amount),
    revenuePerCustomer: n === 0 ? null : roundCents(amount / n),
    averageOrderValue: orders === 0 ? null : roundCents(amount / orders),
    purchaseFrequency: n === 0 ? null : orders / n,
    averageLifespanDays: mean(customers.map((c) => lifespanDays(c.times))),
  };
}

/** Days from the first to the last of ascending order times. */
const lifespanDays = (times: readonly number[]) => (times[times.length - 1] - times[0]) / DAY_MS;
