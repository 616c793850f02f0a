import {
  historicCustomerValues,
  historicSummaryOf,
  historicValueSummary,
  historicValuesOf,
} from './clv-historic';
import { customerOrders } from './customer-orders';
import type { WonOrder } from './rfm';

const AS_OF = '2026-04-01T00:00:00Z';
const ORDERS: WonOrder[] = [
  { customerId: 'c1', amount: 100, wonAt: '2026-01-01T00:00:00Z' },
  { customerId: 'c1', amount: 49.5, wonAt: '2026-03-02T00:00:00Z' },
  { customerId: 'c1', amount: 50.5, wonAt: '2026-01-31T00:00:00Z' },
  { customerId: 'c2', amount: 10.01, wonAt: '2026-02-01T00:00:00Z' },
  { customerId: 'c3', amount: 500, wonAt: '2026-04-01T00:00:00.001Z' },
];

describe('historic customer value', () => {
  it('sums won revenue per customer with orders, average order value and lifespan first to last order', () => {
    expect(historicCustomerValues(ORDERS, AS_OF)).toEqual([
      {
        customerId: 'c1',
        revenue: 200,
        orders: 3,
        // 200 / 3 = 66.666… → 66.67
        averageOrderValue: 66.67,
        firstOrderAt: '2026-01-01T00:00:00Z',
        lastOrderAt: '2026-03-02T00:00:00Z',
        // 31 days of January + 28 of February + 1
        lifespanDays: 60,
      },
      {
        customerId: 'c2',
        revenue: 10.01,
        orders: 1,
        averageOrderValue: 10.01,
        firstOrderAt: '2026-02-01T00:00:00Z',
        lastOrderAt: '2026-02-01T00:00:00Z',
        lifespanDays: 0,
      },
    ]);
  });

  it('summarises: revenue per customer = average order value × purchase frequency', () => {
    expect(historicValueSummary(ORDERS, AS_OF)).toEqual({
      customers: 2,
      orders: 4,
      revenue: 210.01,
      // 210.01 / 2 = 105.005 → 105.01 (half away from zero)
      revenuePerCustomer: 105.01,
      // 210.01 / 4 = 52.5025
      averageOrderValue: 52.5,
      purchaseFrequency: 2,
      averageLifespanDays: 30,
    });
  });

  it('counts the order won exactly at asOf, and has no averages without orders', () => {
    expect(historicValueSummary(ORDERS, '2026-04-01T00:00:00.001Z')).toMatchObject({
      customers: 3,
      revenue: 710.01,
    });
    expect(historicValueSummary(ORDERS, '2025-12-31T23:59:59Z')).toEqual({
      customers: 0,
      orders: 0,
      revenue: 0,
      revenuePerCustomer: null,
      averageOrderValue: null,
      purchaseFrequency: null,
      averageLifespanDays: null,
    });
  });
});

describe('historic customer value of orders grouped once', () => {
  it('gives the same values and summary as from the orders', () => {
    const population = customerOrders(ORDERS, AS_OF);
    expect(
      historicValuesOf(population).map((v) => [v.customerId, v.revenue, v.orders, v.lifespanDays]),
    ).toEqual([
      ['c1', 200, 3, 60],
      ['c2', 10.01, 1, 0],
    ]);
    expect(historicSummaryOf(population)).toEqual({
      customers: 2,
      orders: 4,
      revenue: 210.01,
      revenuePerCustomer: 105.01,
      averageOrderValue: 52.5,
      purchaseFrequency: 2,
      averageLifespanDays: 30,
    });
  });
});
