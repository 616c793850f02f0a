import { churnRisk, churnRiskOf, type ChurnFacts } from './churn-risk';
import { customerOrders } from './customer-orders';

const none: Omit<ChurnFacts, 'customerId'> = { orders: [], complaints: [], slaBreaches: [], npsAnswers: [] };
const d = (date: string) => `${date}T00:00:00Z`;

describe('churn risk', () => {
  it('adds up every signal with its reasons, largest first', () => {
    const facts: ChurnFacts = {
      customerId: 'c1',
      // gaps 61, 61, 62 days: usual 61; 3 orders in the 180 days before the last 180 days, 1 in them
      orders: [d('2025-08-01'), d('2025-10-01'), d('2025-12-01'), d('2026-02-01')],
      complaints: [
        { openedAt: d('2026-06-01'), closedAt: null },
        { openedAt: d('2026-05-01'), closedAt: d('2026-06-15') },
        { openedAt: d('2026-05-01'), closedAt: d('2026-07-01') },
        { openedAt: '2026-07-01T00:00:00.001Z', closedAt: null },
      ],
      // asOf − 90 days = 2 April: a breach exactly then is outside the window, a millisecond later inside
      slaBreaches: [d('2026-06-20'), d('2026-04-02'), '2026-04-02T00:00:00.001Z'],
      npsAnswers: [
        { score: 9, at: d('2026-05-01') },
        { score: 3, at: d('2026-06-01') },
        { score: 10, at: '2026-07-01T00:00:00.001Z' },
      ],
    };
    expect(churnRisk(facts, d('2026-07-01'))).toEqual({
      customerId: 'c1',
      score: 80,
      level: 'high',
      reasons: [
        // 150 / 61 = 2.46 ≥ 2: all 35
        { signal: 'overdue', points: 35, text: 'no order for 150 days, 2.5× the usual 61-day interval' },
        { signal: 'detractor_nps', points: 15, text: 'detractor: latest NPS answer 3' },
        { signal: 'open_complaints', points: 10, text: '1 open complaint' },
        { signal: 'breached_slas', points: 10, text: '2 SLA breaches in the last 90 days' },
        // 15 · (3 − 1) / 3
        {
          signal: 'falling_frequency',
          points: 10,
          text: '1 order in the last 180 days against 3 in the 180 days before',
        },
      ],
    });
  });

  it('grows the overdue points from the usual interval (0) to twice it (35)', () => {
    const orders = [d('2026-01-01'), d('2026-03-02')];
    // 60 days since the last order: exactly the usual 60
    expect(churnRisk({ customerId: 'c', ...none, orders }, d('2026-05-01'))).toEqual({
      customerId: 'c',
      score: 0,
      level: 'low',
      reasons: [],
    });
    // 75 days: ratio 1.25 → 35 · 0.25 = 8.75 → 9
    expect(churnRisk({ customerId: 'c', ...none, orders }, d('2026-05-16')).reasons).toEqual([
      { signal: 'overdue', points: 9, text: 'no order for 75 days, 1.3× the usual 60-day interval' },
    ]);
    // one order: no usual interval, no overdue signal
    expect(churnRisk({ customerId: 'c', ...none, orders: [d('2026-01-01')] }, d('2026-12-01')).score).toBe(0);
  });

  it('caps complaints at 20 and breaches at 15; a passive answer is no detractor', () => {
    const open = { openedAt: d('2026-01-01'), closedAt: null };
    const risk = churnRisk(
      {
        customerId: 'c',
        ...none,
        complaints: [open, open, open],
        slaBreaches: [d('2026-06-01'), d('2026-06-02'), d('2026-06-03'), d('2026-06-04')],
        npsAnswers: [{ score: 7, at: d('2026-06-01') }],
      },
      d('2026-07-01'),
    );
    expect(risk.reasons.map((r) => [r.signal, r.points])).toEqual([
      ['open_complaints', 20],
      ['breached_slas', 15],
    ]);
    expect(risk).toMatchObject({ score: 35, level: 'medium' });
  });
});

describe('churn risk of orders grouped once', () => {
  it('reads the orders as of asOf from the grouped ones, the rest from the facts', () => {
    const asOf = d('2026-05-16');
    const [customer] = customerOrders(
      [
        { customerId: 'c', amount: 1, wonAt: d('2026-03-02') },
        { customerId: 'c', amount: 1, wonAt: d('2026-01-01') },
      ],
      asOf,
    ).customers;
    // as above: 75 days since the last order, usual 60 → 9 points; one open complaint → 10
    expect(
      churnRiskOf(customer, { ...none, complaints: [{ openedAt: d('2026-05-01'), closedAt: null }] }, asOf),
    ).toEqual({
      customerId: 'c',
      score: 19,
      level: 'low',
      reasons: [
        { signal: 'open_complaints', points: 10, text: '1 open complaint' },
        { signal: 'overdue', points: 9, text: 'no order for 75 days, 1.3× the usual 60-day interval' },
      ],
    });
    // asked earlier than the population's asOf: its later orders do not count (one order: no interval)
    expect(churnRiskOf(customer, none, d('2026-02-01')).score).toBe(0);
  });
});
