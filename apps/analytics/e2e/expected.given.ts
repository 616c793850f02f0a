import { DAY_MS, ms, percentileCont } from './platform.given';

/**
 * The expected figures of the end-to-end spec, computed from what the test drove (which customer
 * reached which stage, won what, answered which survey) and the instants the services recorded for
 * it (read from the topics): the definitions of apps/analytics/README.md, written out again here
 * independently of src/.
 */

export const FUNNEL = ['interest', 'acquisition', 'retention', 'expansion', 'at_risk', 'churned'];

/** A customer's journey: the stages in the order reached, each with its instant. */
export interface Journey {
  customerId: string;
  group: string;
  stages: { stage: string; at: string }[];
}

/** The funnel of `journeys` grouped by `group` (keys sorted), as `/dashboards/funnel` answers. */
export function expectedFunnel(journeys: readonly Journey[], asOf: string, by: string) {
  const keys = [...new Set(journeys.map((j) => j.group))].sort();
  return {
    asOf,
    by,
    churnAfterDays: 365,
    groups: keys.map((key) => {
      const members = journeys.filter((j) => j.group === key);
      const reached = (j: Journey, stage: string) => j.stages.some((s) => s.stage === stage);
      return {
        key,
        customers: members.length,
        stages: FUNNEL.map((stage, i) => {
          const next = FUNNEL[i + 1];
          const who = members.filter((j) => reached(j, stage));
          const ended = members.flatMap((j) =>
            j.stages.flatMap((s, k) =>
              s.stage === stage && k + 1 < j.stages.length
                ? [(ms(j.stages[k + 1].at) - ms(s.at)) / DAY_MS]
                : [],
            ),
          );
          const reachedNext = next ? who.filter((j) => reached(j, next)).length : 0;
          return {
            stage,
            reached: who.length,
            reachedNext,
            conversionToNext: !next || who.length === 0 ? null : reachedNext / who.length,
            timeInStageSamples: ended.length,
            medianDaysInStage: percentileCont(ended, 0.5),
            p90DaysInStage: percentileCont(ended, 0.9),
          };
        }),
      };
    }),
  };
}

/** The stage history of the 360: each stage valid until the next one (null for the last). */
export function expectedStages(
  visits: readonly {
    stage: string;
    previousStage: string | null;
    at: string;
    context: string;
    reasonType: string;
    reasonId: string;
  }[],
) {
  return visits.map((v, i) => ({
    stage: v.stage,
    previousStage: v.previousStage,
    context: v.context,
    reasonType: v.reasonType,
    reasonId: v.reasonId,
    validFrom: v.at,
    validTo: visits[i + 1]?.at ?? null,
  }));
}

/** Whole days from `from` to `asOf`, rounded down (RFM recency). */
export const recencyDays = (lastOrderAt: string, asOf: string) =>
  Math.floor((ms(asOf) - ms(lastOrderAt)) / DAY_MS);

/**
 * The churn points of "overdue" for a customer with the won orders `orders` (sorted), as of `asOf`:
 * 35 × clamp(since / usual − 1, 0, 1), rounded; `usual` the median gap. (Two orders: one gap.)
 */
export function overduePoints(orders: readonly string[], asOf: string): number {
  const gaps = orders.slice(1).map((t, i) => (ms(t) - ms(orders[i])) / DAY_MS);
  const usual = percentileCont(gaps, 0.5)!;
  const since = (ms(asOf) - ms(orders[orders.length - 1])) / DAY_MS;
  return Math.round(35 * Math.min(1, Math.max(0, since / usual - 1)));
}

/**
 * The pipeline dashboard over two days ending at `window` (interval day): nothing the day
 * before; at `window` the open pipeline (count, amount, weighted) all in the `pipeline` forecast
 * category and the wins of the day. The categories listed are every one an opportunity of the run
 * was open in (Ana's moved through proposal and negotiation).
 */
export function pipelinePoints(window: string, open: [number, number, number], won: [number, number]) {
  const categories = (pipeline: [number, number, number]) =>
    ['best_case', 'commit', 'pipeline'].map((forecastCategory) => {
      const [openCount, openAmount, weightedAmount] = forecastCategory === 'pipeline' ? pipeline : [0, 0, 0];
      return { forecastCategory, openCount, openAmount, weightedAmount };
    });
  const point = (date: string, o: [number, number, number], w: [number, number]) => ({
    date,
    asOf: date,
    currency: 'EUR',
    openCount: o[0],
    openAmount: o[1],
    weightedAmount: o[2],
    wonCount: w[0],
    wonRevenue: w[1],
    byForecastCategory: categories(o),
  });
  return [point(new Date(ms(window) - DAY_MS).toISOString(), [0, 0, 0], [0, 0]), point(window, open, won)];
}

export interface CaseFacts {
  policy: string;
  priority: string;
  openedAt: string;
  repliedAt: string;
  solvedAt: string;
  firstResponse: 'met' | 'breached';
  csat: number;
  nps: number;
}

const minutes = (from: string, to: string) => (ms(to) - ms(from)) / 60_000;

/** The service dashboard (interval month) of cases answered and solved, each rated. */
export function serviceDashboard(asOf: string, cases: readonly CaseFacts[]) {
  const period = month(cases[0].openedAt);
  if (cases.some((c) => month(c.openedAt) !== period)) throw new Error('the cases span two months');
  const sla = cases
    .flatMap((c) =>
      ['first_response', 'resolution'].map((clock) => {
        const breached = clock === 'first_response' && c.firstResponse === 'breached' ? 1 : 0;
        const met = 1 - breached;
        return {
          policy: c.policy,
          priority: c.priority,
          period,
          clock,
          met,
          breached,
          pending: 0,
          compliance: met,
        };
      }),
    )
    .sort((x, y) =>
      `${x.policy}|${x.priority}|${x.clock}`.localeCompare(`${y.policy}|${y.priority}|${y.clock}`),
    );
  const responses = cases.map((c) => minutes(c.openedAt, c.repliedAt));
  const resolutions = cases.map((c) => minutes(c.openedAt, c.solvedAt));
  const promoters = cases.filter((c) => c.nps >= 9).length;
  const detractors = cases.filter((c) => c.nps <= 6).length;
  const figures = (p: string) => ({
    period: p,
    cases: cases.length,
    responded: cases.length,
    responseP50Minutes: percentileCont(responses, 0.5),
    responseP90Minutes: percentileCont(responses, 0.9),
    resolved: cases.length,
    resolutionP50Minutes: percentileCont(resolutions, 0.5),
    resolutionP90Minutes: percentileCont(resolutions, 0.9),
    csatResponses: cases.length,
    csat: cases.filter((c) => c.csat >= 4).length / cases.length,
    npsResponses: cases.length,
    promoters,
    passives: cases.length - promoters - detractors,
    detractors,
    nps: (100 * (promoters - detractors)) / cases.length,
  });
  return { asOf, interval: 'month', sla, periods: [figures(period), figures('all')] };
}

/** A campaign of the marketing dashboard: every model attributes it `revenue`; no leads. */
export function campaignReturn(
  campaignId: string,
  status: string,
  cost: number,
  revenue: number,
  acquired: number,
) {
  const roi = Math.round(((revenue - cost) / cost) * 1e4) / 1e4;
  return {
    campaignId,
    name: expect.stringMatching(/^Cross-sell /),
    objective: 'cross_sell',
    purpose: 'offers',
    channel: 'email',
    status,
    currency: 'EUR',
    cost,
    revenue: { first_touch: revenue, last_touch: revenue, linear: revenue },
    roi: { first_touch: roi, last_touch: roi, linear: roi },
    leads: 0,
    acquiredCustomers: acquired,
    costPerLead: null,
    costPerAcquiredCustomer: acquired === 0 ? null : cost / acquired,
  };
}

/** The count of every named RFM segment, in the dashboard's order. */
export const rfmSegments = (counts: Record<string, number>) =>
  [
    'Champions',
    'Loyal',
    'Potential loyalist',
    'New customers',
    'Promising',
    'Need attention',
    'About to sleep',
    "Can't lose them",
    'At risk',
    'Hibernating',
    'Lost',
  ].map((segment) => ({ segment, customers: counts[segment] ?? 0 }));

export const month = (at: string) => at.slice(0, 7);
