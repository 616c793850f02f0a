import { ClvFitCache } from '../metrics/clv-fit-cache';
import type { ClvFit, ClvFitInputs } from '../metrics/clv-predicted';
import type { WonOrder } from '../metrics/rfm';
import { customerValueFigures, MIN_REPEAT_BUYERS } from './customer-value.figures';

// The published CDNOW parameters stand in for a fit: this spec is about when the dashboard fits.
const CDNOW_FIT: ClvFit = {
  bgNbd: {
    params: { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 },
    logLikelihood: 0,
    iterations: 0,
    converged: true,
  },
  gammaGamma: { params: { p: 6.25, q: 3.74, gamma: 15.44 }, logLikelihood: 0, customers: 0, converged: true },
};

// 20 repeat buyers: customer i first buys on 1 January + i days at 10:00, again 14 days later.
const ORDERS: WonOrder[] = Array.from({ length: MIN_REPEAT_BUYERS }, (_, i) => {
  const first = Date.UTC(2026, 0, 1 + i, 10);
  const customerId = `c${String(i).padStart(2, '0')}`;
  return [
    { customerId, amount: 100, wonAt: new Date(first).toISOString() },
    { customerId, amount: 50 + i, wonAt: new Date(first + 14 * 86_400_000).toISOString() },
  ];
}).flat();

/** The dashboard of ORDERS (or others); `openComplaints` gives customers complaints open since 1 January. */
function dashboard(openComplaints: Record<string, number> = {}, fit: ClvFit = CDNOW_FIT) {
  const fitted: ClvFitInputs[] = [];
  const fits = new ClvFitCache(4, (inputs) => {
    fitted.push(inputs);
    return fit;
  });
  const ask = (asOf: string, orders: readonly WonOrder[] = ORDERS, top = 10, offset = 0, limit = 50) =>
    customerValueFigures(
      {
        asOf,
        orders,
        facts: (customerId) => ({
          complaints: Array.from({ length: openComplaints[customerId] ?? 0 }, () => ({
            openedAt: '2026-01-01T00:00:00.000Z',
            closedAt: null,
          })),
          slaBreaches: [],
          npsAnswers: [],
        }),
      },
      { top, offset, limit },
      fits,
    );
  return { ask, fitted };
}

describe('the customer-value dashboard’s fits', () => {
  it('fits once for the same population asked again later the same day', () => {
    const { ask, fitted } = dashboard();
    const morning = ask('2026-03-01T09:00:00.000Z');
    const evening = ask('2026-03-01T23:59:59.999Z');
    expect(fitted).toHaveLength(1);
    expect(morning.predicted.model).toBe('bg_nbd_gamma_gamma');
    expect(evening.predicted).toEqual(morning.predicted);
  });

  it('fits again the next day (every T is a day longer) and after a new order', () => {
    const { ask, fitted } = dashboard();
    ask('2026-03-01T09:00:00.000Z');
    ask('2026-03-02T00:00:00.000Z');
    ask('2026-03-02T09:00:00.000Z', [
      ...ORDERS,
      { customerId: 'c00', amount: 70, wonAt: '2026-03-02T08:00:00.000Z' },
    ]);
    expect(fitted).toHaveLength(3);
  });

  it('shows no prediction from a fit that ran out of iterations, and says why', () => {
    const adrift = { ...CDNOW_FIT, gammaGamma: { ...CDNOW_FIT.gammaGamma, converged: false } };
    const figures = dashboard({}, adrift).ask('2026-03-01T09:00:00.000Z');
    expect(figures.predicted).toMatchObject({ model: 'historic', repeatBuyers: 20, total: null });
    expect(figures.predicted.reason).toBe(
      'the models did not converge within 3000 iterations (Gamma-Gamma): this population is not one they describe',
    );
    expect(figures.topCustomers.every((c) => c.predictedClv === null)).toBe(true);
  });

  it('does not fit a population with fewer repeat buyers than the minimum', () => {
    const { ask, fitted } = dashboard();
    const figures = ask('2026-01-20T00:00:00.000Z');
    // by 20 January only c00..c04 (first orders 1..5 January) have bought again, on 15..19 January
    expect(figures.predicted).toMatchObject({ model: 'historic', repeatBuyers: 5, total: null });
    expect(fitted).toHaveLength(0);
  });
});

describe('the customer-value dashboard’s top customers', () => {
  it('lists the highest revenue first, equal revenue by customer id', () => {
    const { ask } = dashboard();
    // c19 has 100 + 69, c18 100 + 68, …: all have bought twice by 1 March
    expect(ask('2026-03-01T00:00:00.000Z', ORDERS, 3).topCustomers.map((c) => c.customerId)).toEqual([
      'c19',
      'c18',
      'c17',
    ]);
    // on 10 January c00..c09 have each one order of 100
    const tied = ask('2026-01-10T23:59:59.999Z', ORDERS, 3).topCustomers;
    expect(tied.map((c) => [c.customerId, c.revenue])).toEqual([
      ['c00', 100],
      ['c01', 100],
      ['c02', 100],
    ]);
  });
});

describe('the customer-value dashboard’s churn risk', () => {
  it('pages every customer by score, highest first, equal scores by customer id', () => {
    const { ask } = dashboard({ c07: 2, c05: 1, c12: 1 });
    // On 15 March customer i last bought 59 − i days ago, at least 40 days: over twice their usual
    // 14 days, 35 points each; open complaints add 10 each.
    const risk = (offset: number, limit: number) =>
      ask('2026-03-15T00:00:00.000Z', ORDERS, 10, offset, limit).churnRisk;
    const page = risk(1, 4);
    expect(page.items.map((r) => [r.customerId, r.score])).toEqual([
      ['c05', 45],
      ['c12', 45],
      ['c00', 35],
      ['c01', 35],
    ]);
    expect(page).toMatchObject({ total: 20, levels: { high: 0, medium: 20, low: 0 }, offset: 1, limit: 4 });
    expect(risk(0, 1).items.map((r) => [r.customerId, r.score])).toEqual([['c07', 55]]);
    expect(risk(18, 5).items.map((r) => r.customerId)).toEqual(['c18', 'c19']);
    expect(risk(20, 5).items).toEqual([]);
  });
});
