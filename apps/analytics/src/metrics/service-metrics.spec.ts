import { csat, nps, serviceTimes, slaCompliance, slaOutcome, type SlaTarget } from './service-metrics';

const AS_OF = '2026-03-10T12:00:00Z';
const target = (policy: string, dueAt: string, achievedAt: string | null): SlaTarget => ({
  policy,
  dueAt,
  achievedAt,
});
const TARGETS = [
  target('gold', '2026-03-02T10:00:00Z', '2026-03-02T10:00:00Z'),
  target('gold', '2026-03-03T10:00:00Z', '2026-03-03T10:00:00.001Z'),
  target('gold', '2026-03-04T10:00:00Z', null),
  target('gold', '2026-03-10T12:00:00Z', null),
  target('gold', '2026-03-10T13:00:00Z', '2026-03-10T11:00:00Z'),
  target('gold', '2026-03-10T13:00:00Z', '2026-03-10T12:30:00Z'),
  target('silver', '2026-02-27T10:00:00Z', '2026-02-27T09:00:00Z'),
  target('bronze', '2026-03-20T10:00:00Z', null),
];

describe('SLA outcomes and compliance', () => {
  it('meets a target achieved exactly at its due time and keeps one due exactly at asOf pending', () => {
    expect(TARGETS.map((t) => slaOutcome(t, AS_OF))).toEqual([
      'met',
      'breached',
      'breached',
      'pending',
      'met',
      'pending',
      'met',
      'pending',
    ]);
    // achieved late, but after asOf: already breached at asOf
    expect(slaOutcome(target('gold', '2026-03-04T10:00:00Z', '2026-03-11T00:00:00Z'), AS_OF)).toBe(
      'breached',
    );
  });

  it('shares met among decided targets per policy and ISO week or month of the due time', () => {
    expect(slaCompliance(TARGETS, AS_OF, 'week')).toEqual([
      { policy: 'bronze', period: '2026-03-16', met: 0, breached: 0, pending: 1, compliance: null },
      { policy: 'gold', period: '2026-03-02', met: 1, breached: 2, pending: 0, compliance: 1 / 3 },
      { policy: 'gold', period: '2026-03-09', met: 1, breached: 0, pending: 2, compliance: 1 },
      { policy: 'silver', period: '2026-02-23', met: 1, breached: 0, pending: 0, compliance: 1 },
    ]);
    expect(slaCompliance(TARGETS, AS_OF, 'month').map((c) => [c.policy, c.period, c.compliance])).toEqual([
      ['bronze', '2026-03', null],
      ['gold', '2026-03', 0.5],
      ['silver', '2026-02', 1],
    ]);
  });
});

describe('response and resolution times', () => {
  const opened = '2026-03-01T09:00:00Z';
  const cases = [
    { openedAt: opened, firstRespondedAt: '2026-03-01T09:30:00Z', resolvedAt: '2026-03-01T13:00:00Z' },
    { openedAt: opened, firstRespondedAt: '2026-03-01T10:00:00Z', resolvedAt: null },
    { openedAt: opened, firstRespondedAt: '2026-03-01T09:10:00Z', resolvedAt: '2026-03-02T09:00:00Z' },
    { openedAt: opened, firstRespondedAt: null, resolvedAt: null },
    { openedAt: opened, firstRespondedAt: '2026-03-10T12:00:00.001Z', resolvedAt: null },
  ];

  it('takes median and p90 in minutes of what happened by asOf', () => {
    expect(serviceTimes(cases, AS_OF)).toEqual({
      // 10, 30, 60: p90 h = 1.8 → 30 + 0.8·30
      response: { count: 3, medianMinutes: 30, p90Minutes: expect.closeTo(54, 9) },
      // 240, 1440: median 840, p90 h = 0.9 → 240 + 0.9·1200
      resolution: { count: 2, medianMinutes: 840, p90Minutes: expect.closeTo(1320, 9) },
    });
  });

  it('counts a response exactly at asOf', () => {
    expect(serviceTimes(cases, '2026-03-10T12:00:00.001Z').response.count).toBe(4);
    expect(serviceTimes([], AS_OF).response).toEqual({ count: 0, medianMinutes: null, p90Minutes: null });
  });
});

describe('CSAT and NPS', () => {
  const at = (score: number, when = '2026-03-01T00:00:00Z') => ({ score, at: when });

  it('shares 4-5 ratings among all ratings by asOf', () => {
    expect(csat([at(5), at(4), at(3), at(1), at(4), at(1, '2026-03-10T12:00:00.001Z')], AS_OF)).toEqual({
      responses: 5,
      csat: 0.6,
    });
    expect(csat([at(5, AS_OF)], AS_OF)).toEqual({ responses: 1, csat: 1 });
    expect(csat([], AS_OF)).toEqual({ responses: 0, csat: null });
  });

  it('subtracts the detractor share (0-6) from the promoter share (9-10), in points', () => {
    expect(
      nps(
        [10, 9, 8, 7, 6, 0, 10, 3].map((s) => at(s)),
        AS_OF,
      ),
    ).toEqual({
      responses: 8,
      promoters: 3,
      passives: 2,
      detractors: 3,
      nps: 0,
    });
    // (3 − 1) / 5
    expect(
      nps(
        [10, 9, 9, 8, 2].map((s) => at(s)),
        AS_OF,
      ).nps,
    ).toBe(40);
    expect(nps([], AS_OF).nps).toBeNull();
  });

  it('refuses scores outside their scale', () => {
    expect(() => csat([at(6)], AS_OF)).toThrow('score must be a whole number within 1..5, got 6');
    expect(() => csat([at(0)], AS_OF)).toThrow(RangeError);
    expect(() => nps([at(4.5)], AS_OF)).toThrow(RangeError);
    expect(() => nps([at(11)], AS_OF)).toThrow(RangeError);
  });
});
