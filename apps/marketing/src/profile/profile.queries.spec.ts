import { profileOf, returned, testsConsent, type ProfileRow } from './profile.queries';
import { setClause } from './profile.projection';

const ROW: ProfileRow = {
  customer_id: 'c-1',
  lifecycle_stage: 'retention',
  customer_type: 'prospect',
  country: 'ES',
  interests: ['solar'],
  owner_id: null,
  won_revenue: '1200.50',
  last_purchase_at: new Date('2026-05-01T00:00:00.000Z'),
  open_complaints: 1,
  csat: null,
};

describe('a profile row as segment rules see it', () => {
  it('reads numbers as numbers, instants as ISO strings, and leaves missing values out', () => {
    expect(profileOf(ROW)).toEqual({
      customerId: 'c-1',
      lifecycleStage: 'retention',
      customerType: 'prospect',
      country: 'ES',
      interests: ['solar'],
      wonRevenue: 1200.5,
      lastPurchaseAt: '2026-05-01T00:00:00.000Z',
      openComplaints: 1,
    });
  });

  it('carries the consents it is given', () => {
    const consents = [{ purpose: 'newsletter' as const, channel: 'sms' as const }];
    expect(profileOf(ROW, consents).consents).toEqual(consents);
  });
});

describe('whether a rule tests consent', () => {
  it('looks through all, any and not', () => {
    const consent = { hasConsent: { purpose: 'offers' as const, channel: 'email' as const } };
    const country = { field: 'country' as const, op: 'eq' as const, value: 'ES' };
    expect(testsConsent({ all: [country, { not: { any: [country, consent] } }] })).toBe(true);
    expect(testsConsent({ all: [country, { not: country }] })).toBe(false);
  });
});

describe('the SET list of a profile change', () => {
  it('writes, masks after erasure, adds, keeps the later instant, and numbers its parameters', () => {
    const at = new Date('2026-05-01T00:00:00.000Z');
    expect(
      setClause(
        [
          ['country', 'ES'],
          ['email', 'a@b.example', 'personal'],
          ['won_revenue', 10, 'add'],
          ['last_purchase_at', at, 'latest'],
          ['open_complaints', 'c-1', 'sql', (p) => `(select ${p})`],
        ],
        4,
      ),
    ).toEqual({
      sql:
        'country = $4, email = CASE WHEN erased_at IS NULL THEN $5 ELSE email END, ' +
        'won_revenue = won_revenue + $6, last_purchase_at = GREATEST(last_purchase_at, $7), ' +
        'open_complaints = (select $8)',
      values: ['ES', 'a@b.example', 10, at, 'c-1'],
    });
  });
});

describe('the rows a statement returned', () => {
  it('reads TypeORM’s [rows, count] of an UPDATE and the rows of an INSERT', () => {
    expect(returned([[{ n: 1 }], 1])).toEqual([{ n: 1 }]);
    expect(returned([[], 0])).toEqual([]);
    expect(returned([{ n: 1 }])).toEqual([{ n: 1 }]);
    expect(returned(undefined)).toEqual([]);
  });
});
