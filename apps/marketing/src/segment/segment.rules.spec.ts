import type { SegmentRule } from '@crm/contracts';
import { MAX_RULE_DEPTH, matches, ruleProblems, type CustomerProfile } from './segment.rules';

const now = '2026-06-30T12:00:00.000Z';
const ana: CustomerProfile = {
  customerId: '3f1e2d3c-4b5a-4c6d-8e7f-0a1b2c3d4e5f',
  lifecycleStage: 'retention',
  customerType: 'prospect',
  country: 'ES',
  interests: ['ERP', 'payroll'],
  ownerId: 'rep-1',
  wonRevenue: 12_000,
  lastPurchaseAt: '2026-06-10T09:00:00.000Z',
  openComplaints: 0,
  csat: 5,
  consents: [{ purpose: 'offers', channel: 'email' }],
};
const bob: CustomerProfile = { customerId: '9e8d7c6b-5a4f-4e3d-8c2b-1a0f9e8d7c6b', country: 'PT' };
const who = (rule: SegmentRule) =>
  [ana, bob].filter((p) => matches(rule, p, now)).map((p) => (p === ana ? 'ana' : 'bob'));

describe('segment rules: which customers match', () => {
  it('compares profile fields with each operator their kind takes', () => {
    expect(who({ field: 'country', op: 'eq', value: 'ES' })).toEqual(['ana']);
    expect(who({ field: 'country', op: 'in', value: ['ES', 'PT'] })).toEqual(['ana', 'bob']);
    expect(who({ field: 'lifecycleStage', op: 'in', value: ['retention', 'at_risk'] })).toEqual(['ana']);
    expect(who({ field: 'wonRevenue', op: 'gte', value: 12_000 })).toEqual(['ana']);
    expect(who({ field: 'wonRevenue', op: 'gt', value: 12_000 })).toEqual([]);
    expect(who({ field: 'csat', op: 'lt', value: 4 })).toEqual([]);
    expect(who({ field: 'openComplaints', op: 'lte', value: 0 })).toEqual(['ana']);
    expect(who({ field: 'lastPurchaseAt', op: 'gt', value: '2026-06-01T00:00:00Z' })).toEqual(['ana']);
    expect(who({ field: 'ownerId', op: 'contains', value: 'REP' })).toEqual(['ana']);
  });

  it('finds an interest in the list whatever its case, by one value or any of several', () => {
    expect(who({ field: 'interests', op: 'contains', value: 'erp' })).toEqual(['ana']);
    expect(who({ field: 'interests', op: 'in', value: ['crm', 'Payroll'] })).toEqual(['ana']);
    expect(who({ field: 'interests', op: 'contains', value: 'crm' })).toEqual([]);
  });

  it('treats a field the profile lacks as matching nothing but neq', () => {
    expect(who({ field: 'csat', op: 'gte', value: 1 })).toEqual(['ana']);
    expect(who({ field: 'customerType', op: 'neq', value: 'supplier' })).toEqual(['ana', 'bob']);
    expect(who({ not: { field: 'csat', op: 'gte', value: 1 } })).toEqual(['bob']);
  });

  it('counts days back from the evaluation instant', () => {
    expect(who({ field: 'lastPurchaseAt', withinLastDays: 30 })).toEqual(['ana']);
    expect(who({ field: 'lastPurchaseAt', withinLastDays: 7 })).toEqual([]);
    expect(matches({ field: 'lastPurchaseAt', withinLastDays: 7 }, ana, '2026-06-12T00:00:00Z')).toBe(true);
    // a purchase dated after the instant asked about is not "in the last days" of it
    expect(matches({ field: 'lastPurchaseAt', withinLastDays: 7 }, ana, '2026-06-09T00:00:00Z')).toBe(false);
  });

  it('asks the consent the ledger gives now, and combines tests with all, any and not', () => {
    expect(who({ hasConsent: { purpose: 'offers', channel: 'email' } })).toEqual(['ana']);
    expect(who({ hasConsent: { purpose: 'offers', channel: 'sms' } })).toEqual([]);
    const crossSell: SegmentRule = {
      all: [
        {
          any: [
            { field: 'country', op: 'eq', value: 'PT' },
            { field: 'interests', op: 'contains', value: 'erp' },
          ],
        },
        { not: { field: 'openComplaints', op: 'gt', value: 0 } },
        { hasConsent: { purpose: 'offers', channel: 'email' } },
      ],
    };
    expect(who(crossSell)).toEqual(['ana']);
    expect(who({ any: [crossSell, { field: 'country', op: 'eq', value: 'PT' }] })).toEqual(['ana', 'bob']);
  });
});

describe('segment rules: validation', () => {
  it('accepts every rule the evaluator takes', () => {
    expect(
      ruleProblems({
        all: [
          { field: 'csat', op: 'gte', value: 4 },
          {
            any: [
              { field: 'lastPurchaseAt', withinLastDays: 90 },
              { not: { field: 'country', op: 'eq', value: 'ES' } },
            ],
          },
          { hasConsent: { purpose: 'newsletter', channel: 'post' } },
        ],
      }),
    ).toEqual([]);
  });

  it('names every problem by its JSON pointer: unknown field, operator, wrong value type', () => {
    const problems = ruleProblems({
      all: [
        { field: 'country', op: 'eq', value: 'ES' },
        {
          any: [
            { field: 'shoeSize', op: 'eq', value: 42 },
            { field: 'wonRevenue', op: 'between', value: 1 },
            { field: 'wonRevenue', op: 'gt', value: '1000' },
            { field: 'lifecycleStage', op: 'in', value: ['retention', 'vip'] },
            { field: 'interests', op: 'gt', value: 'a' },
          ],
        },
      ],
    });
    expect(problems.map((p) => p.path)).toEqual([
      '/all/1/any/0/field',
      '/all/1/any/1/op',
      '/all/1/any/2/value',
      '/all/1/any/3/value/1',
      '/all/1/any/4/op',
    ]);
    expect(problems[0].message).toMatch(/unknown field "shoeSize"/);
    expect(problems[4].message).toBe('interests (list) takes contains, in, not gt');
  });

  it('refuses malformed nodes, empty groups, unknown keys and bad consent or day counts', () => {
    const paths = (rule: unknown) => ruleProblems(rule).map((p) => p.path);
    expect(paths(null)).toEqual(['/']);
    expect(paths({})).toEqual(['/']);
    expect(paths({ all: [] })).toEqual(['/all']);
    expect(paths({ all: [{ any: [] }], any: [] })).toEqual(['/']);
    expect(paths({ not: { field: 'csat', op: 'eq', value: 5, extra: true } })).toEqual(['/not/extra']);
    expect(paths({ field: 'country', op: 'eq' })).toEqual(['/value']);
    expect(paths({ field: 'country', op: 'eq', value: 'Spain' })).toEqual(['/value']);
    expect(paths({ hasConsent: { purpose: 'spam', channel: 'fax' } })).toEqual([
      '/hasConsent/purpose',
      '/hasConsent/channel',
    ]);
    expect(paths({ field: 'lastPurchaseAt', withinLastDays: 0 })).toEqual(['/withinLastDays']);
    expect(paths({ field: 'csat', withinLastDays: 5 })).toEqual(['/withinLastDays']);
    expect(paths({ field: 'lastPurchaseAt', op: 'gt', value: 'last week' })).toEqual(['/value']);
  });

  it('bounds how deep and how large a rule may be', () => {
    let deep: unknown = { field: 'csat', op: 'eq', value: 5 };
    for (let i = 0; i < MAX_RULE_DEPTH; i++) deep = { not: deep };
    expect(ruleProblems(deep)).toEqual([]);
    expect(ruleProblems({ not: deep })).toEqual([
      expect.objectContaining({
        path: '/not'.repeat(MAX_RULE_DEPTH + 1),
        message: expect.stringMatching(/deep/),
      }),
    ]);
    const wide = { any: Array.from({ length: 300 }, () => ({ field: 'csat', op: 'eq', value: 5 })) };
    expect(ruleProblems(wide)).toEqual([
      expect.objectContaining({ message: expect.stringMatching(/at most 200/) }),
    ]);
  });
});
