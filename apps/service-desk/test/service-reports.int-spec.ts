import type { InProcessService } from '@crm/test-support';
import { aCase, as, startServiceDesk, type CaseReadModel } from './service-desk.given';

jest.setTimeout(60_000);

/**
 * The analyst queries over the service read model, with figures computed by hand. Business hours
 * Monday to Friday 09:00-17:00 UTC; 2026-06-08 is a Monday. Policy `priority-normal` v3: first
 * response 60, resolution 960 business minutes. Every case is opened at 09:00 unless said.
 *
 *   case  queue    agent  first response      resolution                 CSAT  NPS
 *   A     billing  sam    10 min              solved Mon 12:00 → 180     5     10
 *   B     tech     sam    20 min              solved Mon 13:00 → 240     4     8
 *   C     billing  kim    30 min              solved Tue 09:00 → 480     2     3
 *   D     billing  sam    40 min              open
 *   E     tech     kim    100 min, breached   solved Tue 10:00 → 540     5     9
 *   F     billing  kim    30 min (July 1st)   solved 10:00 → 60          1     0
 *   G     tech     -      -                   new (opened Wed June 10)
 *   H     billing  kim    -                   pending (opened Tue June 9)
 */
let desk: InProcessService;
let readModel: CaseReadModel;
const mon = (time: string) => `2026-06-08T${time}:00.000Z`;
const tue = (time: string) => `2026-06-09T${time}:00.000Z`;

beforeAll(async () => {
  ({ desk, readModel } = await startServiceDesk());
  const solvedCase = async (
    queue: string,
    agent: string,
    answeredAt: string,
    solvedAt: string,
    csat: number,
    nps: number,
    { openedAt = mon('09:00'), ratedAt = tue('12:00'), breachedAt = '' } = {},
  ) => {
    const c = aCase(openedAt, { queue });
    await readModel.given(
      c,
      c.opened(),
      c.assigned(agent, openedAt),
      ...(breachedAt ? [c.breached('first_response', breachedAt)] : []),
      ...c.answered(answeredAt, agent),
      c.status('open', 'solved', solvedAt),
      c.rated(csat, ratedAt),
      c.nps(nps, ratedAt),
    );
  };
  await solvedCase('billing', 'sam', mon('09:10'), mon('12:00'), 5, 10);
  await solvedCase('tech', 'sam', mon('09:20'), mon('13:00'), 4, 8);
  await solvedCase('billing', 'kim', mon('09:30'), tue('09:00'), 2, 3);
  await solvedCase('tech', 'kim', mon('10:40'), tue('10:00'), 5, 9, { breachedAt: mon('10:00') });
  const july = (time: string) => `2026-07-01T${time}:00.000Z`;
  await solvedCase('billing', 'kim', july('09:30'), july('10:00'), 1, 0, {
    openedAt: july('09:00'),
    ratedAt: july('11:00'),
  });
  const d = aCase(mon('09:00'), { queue: 'billing' });
  await readModel.given(d, d.opened(), d.assigned('sam', mon('09:00')), ...d.answered(mon('09:40')));
  const g = aCase('2026-06-10T09:00:00.000Z', { queue: 'tech' });
  await readModel.given(g, g.opened());
  const h = aCase(tue('09:00'), { queue: 'billing' });
  await readModel.given(
    h,
    h.opened(),
    h.assigned('kim', tue('09:00')),
    h.status('new', 'pending', tue('09:30')),
  );
});
afterAll(async () => {
  await readModel?.close();
  await desk?.stop();
});

const report = async (path: string, who = 'ada') => {
  const response = await desk.request('GET', `/reports/service/${path}`, undefined, await as(who));
  expect({ path, status: response.status }).toEqual({ path, status: 200 });
  return response.body;
};

const JUNE = 'from=2026-06-01&to=2026-07-01';

describe('backlog and workload', () => {
  it('counts the open cases of each queue with the age of the oldest and the median age', async () => {
    const now = Date.now();
    const ageHours = (at: string) => (now - Date.parse(at)) / 3_600_000;
    const backlog = await report('backlog');
    expect(backlog).toEqual([
      {
        queue: 'billing',
        openCases: 2,
        byStatus: { new: 0, open: 1, pending: 1, on_hold: 0 },
        unassigned: 0,
        breached: 0,
        oldestOpenedAt: mon('09:00'),
        oldestAgeHours: expect.any(Number),
        medianAgeHours: expect.any(Number),
      },
      {
        queue: 'tech',
        openCases: 1,
        byStatus: { new: 1, open: 0, pending: 0, on_hold: 0 },
        unassigned: 1,
        breached: 0,
        oldestOpenedAt: '2026-06-10T09:00:00.000Z',
        oldestAgeHours: expect.any(Number),
        medianAgeHours: expect.any(Number),
      },
    ]);
    expect(backlog[0].oldestAgeHours).toBeCloseTo(ageHours(mon('09:00')), 0);
    // The median of D (Monday) and H (Tuesday): half-way, 12 hours younger than D.
    expect(backlog[0].medianAgeHours).toBeCloseTo(ageHours(mon('09:00')) - 12, 0);
    expect(backlog[1].medianAgeHours).toBeCloseTo(ageHours('2026-06-10T09:00:00.000Z'), 0);
  });

  it('gives each agent their open cases and the cases they solved in the window', async () => {
    expect(await report(`workload?${JUNE}`)).toEqual([
      {
        agentId: 'kim',
        openCases: 1,
        byStatus: { new: 0, open: 0, pending: 1, on_hold: 0 },
        breachedOpen: 0,
        solved: 2,
      },
      {
        agentId: 'sam',
        openCases: 1,
        byStatus: { new: 0, open: 1, pending: 0, on_hold: 0 },
        breachedOpen: 0,
        solved: 2,
      },
    ]);
    const allTime = await report('workload');
    expect(allTime.map((a: { agentId: string; solved: number }) => [a.agentId, a.solved])).toEqual([
      ['kim', 3],
      ['sam', 2],
    ]);
  });
});

describe('service levels', () => {
  it('counts the clocks met and breached per policy version and month, with the compliance', async () => {
    expect(await report('sla-compliance?period=month')).toEqual([
      {
        policyId: 'priority-normal',
        policyVersion: 3,
        period: '2026-06-01',
        met: 8,
        breached: 1,
        compliancePercent: 88.89,
        clocks: {
          first_response: { met: 4, breached: 1, compliancePercent: 80 },
          resolution: { met: 4, breached: 0, compliancePercent: 100 },
        },
      },
      {
        policyId: 'priority-normal',
        policyVersion: 3,
        period: '2026-07-01',
        met: 2,
        breached: 0,
        compliancePercent: 100,
        clocks: {
          first_response: { met: 1, breached: 0, compliancePercent: 100 },
          resolution: { met: 1, breached: 0, compliancePercent: 100 },
        },
      },
    ]);
    const weekly = await report(`sla-compliance?period=week&${JUNE}&policyId=priority-normal`);
    expect(weekly.map((r: { period: string; met: number }) => [r.period, r.met])).toEqual([
      ['2026-06-08', 8],
    ]);
    expect(await report('sla-compliance?policyId=priority-urgent')).toEqual([]);
  });

  it('gives the percentiles of the business minutes to first response and to resolution', async () => {
    expect(await report(`response-times?period=month&${JUNE}`)).toEqual([
      {
        period: '2026-06-01',
        // 10, 20, 30, 40, 100: p90 at rank 4.6 = 40 + 0.6 × 60, p99 at rank 4.96 = 40 + 0.96 × 60
        firstResponseMinutes: { measured: 5, p50: 30, p90: 76, p99: 97.6 },
        // 180, 240, 480, 540: p50 at rank 2.5 = 240 + 0.5 × 240, p90 at 3.7 = 480 + 0.7 × 60, p99 at 3.97
        resolutionMinutes: { measured: 4, p50: 360, p90: 522, p99: 538.2 },
      },
    ]);
    expect(await report('response-times?period=day&from=2026-07-01')).toEqual([
      {
        period: '2026-07-01',
        firstResponseMinutes: { measured: 1, p50: 30, p90: 30, p99: 30 },
        resolutionMinutes: { measured: 1, p50: 60, p90: 60, p99: 60 },
      },
    ]);
  });
});

describe('satisfaction', () => {
  it('gives CSAT (share of 4 and 5) and NPS (% promoters − % detractors) per month', async () => {
    expect(await report('satisfaction?period=month')).toEqual([
      {
        period: '2026-06-01',
        csat: { ratings: 4, satisfied: 3, percent: 75 },
        nps: { answers: 4, promoters: 2, passives: 1, detractors: 1, score: 25 },
      },
      {
        period: '2026-07-01',
        csat: { ratings: 1, satisfied: 0, percent: 0 },
        nps: { answers: 1, promoters: 0, passives: 0, detractors: 1, score: -100 },
      },
    ]);
  });

  it('gives them per agent and per queue', async () => {
    expect(await report(`satisfaction?period=week&by=agent&${JUNE}`)).toEqual([
      {
        period: '2026-06-08',
        agentId: 'kim',
        csat: { ratings: 2, satisfied: 1, percent: 50 },
        nps: { answers: 2, promoters: 1, passives: 0, detractors: 1, score: 0 },
      },
      {
        period: '2026-06-08',
        agentId: 'sam',
        csat: { ratings: 2, satisfied: 2, percent: 100 },
        nps: { answers: 2, promoters: 1, passives: 1, detractors: 0, score: 50 },
      },
    ]);
    const byQueue = await report(`satisfaction?by=queue&${JUNE}`);
    expect(
      byQueue.map((r: { queue: string; csat: { percent: number }; nps: { score: number } }) => [
        r.queue,
        r.csat.percent,
        r.nps.score,
      ]),
    ).toEqual([
      ['billing', 50, 0],
      ['tech', 100, 50],
    ]);
  });
});

describe('who may read the reports', () => {
  it('lets support managers and analysts read them, not agents; 400 names a bad period or window', async () => {
    expect(await report('backlog', 'sue')).toHaveLength(2);
    const agent = await desk.request('GET', '/reports/service/backlog', undefined, await as('sam'));
    expect(agent.status).toBe(403);
    const bad = await desk.request(
      'GET',
      '/reports/service/satisfaction?period=year&from=yesterday&by=team',
      undefined,
      await as('ada'),
    );
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['by', 'from', 'period']);
  });
});
