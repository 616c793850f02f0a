import { customerOrders, type WonOrder } from './customer-orders';

const AS_OF = '2026-04-01T00:00:00.000Z';
const DAY = 86_400_000;
const at = (iso: string) => Date.parse(iso);

describe("each customer's orders as of a date", () => {
  it('groups the orders won by asOf per customer, times ascending, amounts summed in the order given', () => {
    const orders: WonOrder[] = [
      { customerId: 'b', amount: 5, wonAt: '2026-03-01T00:00:00.000Z' },
      { customerId: 'a', amount: 10, wonAt: '2026-03-05T00:00:00.000Z' },
      // given out of time order: still ascending below
      { customerId: 'a', amount: 20.5, wonAt: '2026-03-02T00:00:00.000Z' },
      // exactly at asOf counts, a millisecond later does not
      { customerId: 'a', amount: 1, wonAt: AS_OF },
      { customerId: 'a', amount: 99, wonAt: '2026-04-01T00:00:00.001Z' },
      { customerId: 'c', amount: 7, wonAt: '2026-04-02T00:00:00.000Z' },
    ];
    expect(customerOrders(orders, AS_OF)).toEqual({
      asOf: AS_OF,
      customers: [
        {
          customerId: 'b',
          times: [at('2026-03-01T00:00:00Z')],
          amount: 5,
          firstOrderAt: '2026-03-01T00:00:00.000Z',
          lastOrderAt: '2026-03-01T00:00:00.000Z',
        },
        {
          customerId: 'a',
          times: [at('2026-03-02T00:00:00Z'), at('2026-03-05T00:00:00Z'), at(AS_OF)],
          amount: 31.5,
          firstOrderAt: '2026-03-02T00:00:00.000Z',
          lastOrderAt: AS_OF,
        },
      ],
      // 'c' bought only after asOf: not a customer yet
      orders: 4,
      amount: 36.5,
    });
  });

  it('keeps the texts given of the first and last order: at equal instants the first given and the last given', () => {
    const orders: WonOrder[] = [
      { customerId: 'a', amount: 1, wonAt: '2026-03-01T01:00:00+01:00' },
      { customerId: 'a', amount: 1, wonAt: '2026-03-01T00:00:00Z' },
      { customerId: 'a', amount: 1, wonAt: '2026-03-10T00:00:00Z' },
      { customerId: 'a', amount: 1, wonAt: '2026-03-10T02:00:00+02:00' },
    ];
    const [a] = customerOrders(orders, AS_OF).customers;
    expect(a.firstOrderAt).toBe('2026-03-01T01:00:00+01:00');
    expect(a.lastOrderAt).toBe('2026-03-10T02:00:00+02:00');
    expect(a.times).toEqual([
      at('2026-03-01T00:00:00Z'),
      at('2026-03-01T00:00:00Z'),
      9 * DAY + at('2026-03-01T00:00:00Z'),
      9 * DAY + at('2026-03-01T00:00:00Z'),
    ]);
  });

  it('has no customers without orders', () => {
    expect(customerOrders([], AS_OF)).toEqual({ asOf: AS_OF, customers: [], orders: 0, amount: 0 });
  });
});
