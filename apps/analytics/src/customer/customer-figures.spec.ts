import { rfmScores, type WonOrder } from '../metrics/rfm';
import { customerValue, rfmPlacement, type RfmPopulationRow } from './customer-figures';
import { decodeTimelineCursor, encodeTimelineCursor } from './timeline-cursor';

const asOf = '2026-06-30T00:00:00.000Z';

/** Per-customer aggregates of `orders`, as the population query answers them. */
function population(orders: WonOrder[]): RfmPopulationRow[] {
  const rows = new Map<string, RfmPopulationRow>();
  for (const o of orders.filter((x) => x.wonAt <= asOf)) {
    const row = rows.get(o.customerId);
    rows.set(o.customerId, {
      customerId: o.customerId,
      frequency: (row?.frequency ?? 0) + 1,
      monetary: (row?.monetary ?? 0) + o.amount,
      lastWonAt: row && row.lastWonAt > o.wonAt ? row.lastWonAt : o.wonAt,
    });
  }
  return [...rows.values()];
}

const order = (customerId: string, amount: number, wonAt: string): WonOrder => ({
  customerId,
  amount,
  wonAt,
});

describe('customer 360 figures', () => {
  const orders = [
    order('a', 100, '2026-06-29T10:00:00.000Z'),
    order('b', 200, '2026-05-01T10:00:00.000Z'),
    order('b', 200, '2026-06-20T10:00:00.000Z'),
    order('c', 300, '2026-01-10T10:00:00.000Z'),
    order('c', 300, '2026-03-10T10:00:00.000Z'),
    order('c', 400, '2026-05-10T10:00:00.000Z'),
    order('d', 50, '2026-04-20T10:00:00.000Z'),
    order('e', 2000, '2026-03-01T10:00:00.000Z'),
    order('e', 1, '2026-07-01T10:00:00.000Z'),
  ];

  it('places a customer among the population by the RFM metric (hand-computed)', () => {
    // Recency a 0, b 9, c 50, d 70, e 120 days; frequency a 1, b 2, c 3, d 1, e 1 (its July order
    // is after asOf); monetary a 100, d 50, b 400, c 1000, e 2000.
    // c: R 1 + ⌊5·(2·2 + 1)/10⌋ = 3; F: worse 4 → 1 + ⌊5·9/10⌋ = 5; M: worse 3 → 1 + ⌊5·7/10⌋ = 4;
    // FM ⌊(5 + 4 + 1)/2⌋ = 5: Loyal (R 3-4, FM 4-5).
    expect(rfmPlacement('c', population(orders), asOf)).toEqual({
      recencyDays: 50,
      frequency: 3,
      monetary: 1000,
      r: 3,
      f: 5,
      m: 4,
      fm: 5,
      segment: 'Loyal',
      population: 5,
    });
    expect(rfmPlacement('nobody', population(orders), asOf)).toBeNull();
  });

  it('agrees with rfmScores over the orders themselves, for every customer', () => {
    const rows = population(orders);
    for (const score of rfmScores(orders, asOf)) {
      const { population: n, ...placement } = rfmPlacement(score.customerId, rows, asOf)!;
      expect(n).toBe(5);
      expect(placement).toEqual({
        recencyDays: score.recencyDays,
        frequency: score.frequency,
        monetary: score.monetary,
        r: score.r,
        f: score.f,
        m: score.m,
        fm: score.fm,
        segment: score.segment,
      });
    }
  });

  it('sums the customer’s won orders up to asOf (an order exactly at asOf counts)', () => {
    const withCurrency = orders.map((o) => ({ ...o, currency: 'EUR' }));
    expect(customerValue('c', withCurrency, '2026-03-10T10:00:00.000Z')).toEqual({
      wonRevenue: 600,
      orders: 2,
      averageOrderValue: 300,
      firstPurchaseAt: '2026-01-10T10:00:00.000Z',
      lastPurchaseAt: '2026-03-10T10:00:00.000Z',
      lifespanDays: 59,
      currencies: ['EUR'],
    });
    expect(customerValue('c', withCurrency, '2026-01-10T09:59:59.999Z')).toMatchObject({
      wonRevenue: 0,
      orders: 0,
      lastPurchaseAt: null,
    });
  });
});

describe('timeline cursor', () => {
  it('round-trips a position', () => {
    const position = {
      occurredAt: new Date('2026-06-01T10:00:00.000Z'),
      eventId: '4f1c3a52-7d8e-4b8a-9c1e-2a3b4c5d6e7f',
    };
    const cursor = encodeTimelineCursor(position);
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeTimelineCursor(cursor)).toEqual(position);
  });

  it.each([
    ['not base64url', 'a+b/'],
    ['no separator', Buffer.from('2026-06-01T10:00:00.000Z').toString('base64url')],
    ['a bad instant', Buffer.from('2026-13-01T10:00:00.000Z|x').toString('base64url')],
    ['extra parts', Buffer.from('2026-06-01T10:00:00.000Z|x|y').toString('base64url')],
    ['an empty event id', Buffer.from('2026-06-01T10:00:00.000Z|').toString('base64url')],
  ])('refuses %s', (_what, cursor) => {
    expect(decodeTimelineCursor(cursor)).toBeUndefined();
  });
});
