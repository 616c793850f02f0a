import { LIFECYCLE_STAGES } from '@crm/contracts';
import {
  FUNNEL_STAGES,
  cohortMonthOf,
  daysInStages,
  lifecycleFunnel,
  stageAsOf,
  type FunnelCustomer,
  type FunnelGroup,
  type FunnelStage,
} from './lifecycle-funnel';

const day = (date: string) => `${date}T00:00:00Z`;
const customer = (
  customerId: string,
  channel: string,
  customerType: string,
  owner: string,
  transitions: [FunnelStage, string][],
): FunnelCustomer => ({
  customerId,
  channel,
  customerType,
  owner,
  transitions: transitions.map(([stage, date]) => ({ stage, at: day(date) })),
});

// A: 10 days interested, 30 acquired, 30 retained, expanding since 16 March.
// B: 4, 10, 30 retained, 20 at risk, churned since 25 March. C: 20 interested, acquired since
// 2 March. D: interested since 20 February.
const A = customer('A', 'web', 'business', 'ana', [
  ['interest', '2026-01-05'],
  ['acquisition', '2026-01-15'],
  ['retention', '2026-02-14'],
  ['expansion', '2026-03-16'],
]);
const B = customer('B', 'web', 'consumer', 'ben', [
  ['interest', '2026-01-20'],
  ['acquisition', '2026-01-24'],
  ['retention', '2026-02-03'],
  ['at_risk', '2026-03-05'],
  ['churned', '2026-03-25'],
]);
const C = customer('C', 'email', 'business', 'ana', [
  ['acquisition', '2026-03-02'],
  ['interest', '2026-02-10'],
]);
const D = customer('D', 'email', 'consumer', 'ben', [['interest', '2026-02-20']]);
const ALL = [A, B, C, D];

const figures = (group: FunnelGroup) => Object.fromEntries(group.stages.map((s) => [s.stage, s]));

describe('lifecycle funnel', () => {
  it('has the six lifecycle stages of the contracts', () => {
    expect([...FUNNEL_STAGES].sort()).toEqual([...LIFECYCLE_STAGES].sort());
  });

  it('counts customers reaching each stage and converting to the next (reached both / reached)', () => {
    const [all] = lifecycleFunnel(ALL, day('2026-04-01'));
    expect(all.key).toBe('all');
    expect(all.customers).toBe(4);
    expect(all.stages.map((s) => [s.stage, s.reached, s.conversionToNext])).toEqual([
      ['interest', 4, 3 / 4],
      ['acquisition', 3, 2 / 3],
      ['retention', 2, 1 / 2],
      ['expansion', 1, 0],
      ['at_risk', 1, 1],
      ['churned', 1, null],
    ]);
  });

  it('takes median and p90 of the days in each ended visit, leaving the current stage out', () => {
    const f = figures(lifecycleFunnel(ALL, day('2026-04-01'))[0]);
    // interest: A 10, B 4, C 20 (D still interested): median 10, p90 h = 1.8 → 10 + 0.8·10 = 18
    expect(f.interest).toMatchObject({ timeInStageSamples: 3, medianDaysInStage: 10 });
    expect(f.interest.p90DaysInStage).toBeCloseTo(18, 10);
    // acquisition: A 30, B 10 (C still acquired): median 20, p90 h = 0.9 → 10 + 0.9·20 = 28
    expect(f.acquisition).toMatchObject({ timeInStageSamples: 2, medianDaysInStage: 20 });
    expect(f.acquisition.p90DaysInStage).toBeCloseTo(28, 10);
    expect(f.retention).toMatchObject({ timeInStageSamples: 2, medianDaysInStage: 30, p90DaysInStage: 30 });
    expect(f.expansion).toMatchObject({
      timeInStageSamples: 0,
      medianDaysInStage: null,
      p90DaysInStage: null,
    });
    expect(f.at_risk).toMatchObject({ timeInStageSamples: 1, medianDaysInStage: 20, p90DaysInStage: 20 });
    expect(f.churned.timeInStageSamples).toBe(0);
  });

  it('groups by channel, customer type, owner and cohort month of first interest', () => {
    const byChannel = lifecycleFunnel(ALL, day('2026-04-01'), 'channel');
    expect(byChannel.map((g) => [g.key, g.customers])).toEqual([
      ['email', 2],
      ['web', 2],
    ]);
    const email = figures(byChannel[0]);
    expect([email.interest.reached, email.acquisition.reached, email.interest.conversionToNext]).toEqual([
      2, 1, 0.5,
    ]);
    expect(email.interest.medianDaysInStage).toBe(20);
    expect(figures(byChannel[1]).interest.conversionToNext).toBe(1);

    const key = (by: 'customerType' | 'owner' | 'cohortMonth') =>
      lifecycleFunnel(ALL, day('2026-04-01'), by).map((g) => [g.key, g.customers]);
    expect(key('customerType')).toEqual([
      ['business', 2],
      ['consumer', 2],
    ]);
    expect(key('owner')).toEqual([
      ['ana', 2],
      ['ben', 2],
    ]);
    expect(key('cohortMonth')).toEqual([
      ['2026-01', 2],
      ['2026-02', 2],
    ]);
    expect(cohortMonthOf([{ stage: 'acquisition', at: day('2026-01-01') }])).toBe('none');
  });

  it('answers as of a moment: a transition exactly at asOf counts, one a millisecond later does not', () => {
    const at = figures(lifecycleFunnel(ALL, '2026-01-24T00:00:00Z')[0]);
    expect([at.interest.reached, at.acquisition.reached, at.retention.reached]).toEqual([2, 2, 0]);
    expect(at.interest.conversionToNext).toBe(1);
    // interest: A 10, B 4 → median 7
    expect(at.interest.medianDaysInStage).toBe(7);
    expect(at.acquisition.timeInStageSamples).toBe(0);

    const before = lifecycleFunnel(ALL, '2026-01-23T23:59:59.999Z')[0];
    expect(before.customers).toBe(2);
    expect(figures(before).acquisition.reached).toBe(1);
    expect(figures(before).interest.timeInStageSamples).toBe(1);
    expect(lifecycleFunnel(ALL, '2026-01-04T23:59:59.999Z')).toEqual([]);
  });

  it('counts each ended visit of a stage revisited, and knows the stage at a moment', () => {
    const E = customer('E', 'web', 'business', 'ana', [
      ['interest', '2026-01-01'],
      ['acquisition', '2026-01-02'],
      ['at_risk', '2026-01-12'],
      ['retention', '2026-01-22'],
      ['at_risk', '2026-01-25'],
      ['retention', '2026-01-31'],
    ]).transitions;
    expect(daysInStages(E).get('at_risk')).toEqual([10, 6]);
    expect(daysInStages(E).get('retention')).toEqual([3]);
    expect(stageAsOf(E, '2026-01-25T00:00:00Z')).toBe('at_risk');
    expect(stageAsOf(E, '2026-01-24T23:59:59Z')).toBe('retention');
    expect(stageAsOf(E, '2025-12-31T00:00:00Z')).toBeUndefined();
  });
});
