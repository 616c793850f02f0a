import type { SegmentRule } from '@crm/contracts';
import type { CustomerProfile } from './segment.rules';
import { summarize } from './segment.summary';
import {
  REEVALUATION_FALLBACK_MS,
  changesBetween,
  dependsOnTime,
  nextOutcomeChange,
  nextReevaluation,
  outcomeChanges,
} from './segment.time';

const DAY = 86_400_000;
const at = (iso: string) => new Date(iso);
const ms = (iso: string) => Date.parse(iso);
const RECENT: SegmentRule = { field: 'lastPurchaseAt', withinLastDays: 30 };
const SPAIN: SegmentRule = { field: 'country', op: 'eq', value: 'ES' };
const profile = (over: Partial<CustomerProfile> = {}): CustomerProfile => ({ customerId: 'c1', ...over });
const bought = (iso: string, over: Partial<CustomerProfile> = {}) =>
  profile({ lastPurchaseAt: iso, ...over });

describe('which rules depend on time', () => {
  it('is withinLastDays anywhere in the tree, and nothing else', () => {
    expect(dependsOnTime(RECENT)).toBe(true);
    expect(dependsOnTime({ all: [SPAIN, { not: { any: [SPAIN, RECENT] } }] })).toBe(true);
    // a date compared with a fixed date does not drift; nor do consents (never effective later than recorded)
    expect(dependsOnTime({ field: 'lastPurchaseAt', op: 'gt', value: '2026-01-01T00:00:00Z' })).toBe(false);
    expect(dependsOnTime({ field: 'lastPurchaseAt', op: 'lte', value: '2026-01-01T00:00:00Z' })).toBe(false);
    expect(dependsOnTime({ hasConsent: { purpose: 'newsletter', channel: 'email' } })).toBe(false);
    expect(dependsOnTime({ all: [SPAIN, { field: 'wonRevenue', op: 'gte', value: 1 }] })).toBe(false);
  });
});

describe('when a rule’s outcome for a profile next changes', () => {
  const purchase = '2026-03-01T10:00:00.000Z';
  const closes = ms(purchase) + 30 * DAY + 1;

  it('withinLastDays N: 1 ms after purchase + N days (the last instant inside is purchase + N days)', () => {
    expect(nextOutcomeChange(RECENT, bought(purchase), at('2026-03-05T00:00:00Z'))).toEqual(new Date(closes));
    expect(nextOutcomeChange(RECENT, bought(purchase), new Date(closes - 1))).toEqual(new Date(closes));
    expect(nextOutcomeChange(RECENT, bought(purchase), new Date(closes))).toBeUndefined();
  });

  it('a purchase dated in the future: at that instant it enters the window, N days later it leaves', () => {
    expect(outcomeChanges(RECENT, bought(purchase))).toEqual([ms(purchase), closes]);
    expect(nextOutcomeChange(RECENT, bought(purchase), at('2026-02-01T00:00:00Z'))).toEqual(at(purchase));
  });

  it('no date, or an outcome no time can change: never', () => {
    expect(nextOutcomeChange(RECENT, profile(), at('2026-03-05T00:00:00Z'))).toBeUndefined();
    const fixed: SegmentRule = { field: 'lastPurchaseAt', op: 'gt', value: '2026-01-01T00:00:00Z' };
    expect(nextOutcomeChange(fixed, bought(purchase), at('2026-03-05T00:00:00Z'))).toBeUndefined();
    // outside Spain the window changes nothing for `all`, inside it does
    const recentInSpain: SegmentRule = { all: [SPAIN, RECENT] };
    expect(outcomeChanges(recentInSpain, bought(purchase, { country: 'FR' }))).toEqual([]);
    expect(outcomeChanges(recentInSpain, bought(purchase, { country: 'ES' }))).toEqual([
      ms(purchase),
      closes,
    ]);
    // and for `any`, a true sibling holds it
    expect(outcomeChanges({ any: [SPAIN, RECENT] }, bought(purchase, { country: 'ES' }))).toEqual([]);
  });

  it('not: the same instants, the other way round', () => {
    const lapsed: SegmentRule = { not: RECENT };
    expect(nextOutcomeChange(lapsed, bought(purchase), at('2026-03-05T00:00:00Z'))).toEqual(new Date(closes));
  });

  it('two windows: the first instant at which the whole rule changes', () => {
    const rule: SegmentRule = {
      all: [RECENT, { not: { field: 'lastPurchaseAt', withinLastDays: 7 } }],
    };
    // bought on 1 March: out for the first 7 days, in from 8 March (7 days + 1 ms), out after 30 days
    const weekOver = ms(purchase) + 7 * DAY + 1;
    expect(outcomeChanges(rule, bought(purchase))).toEqual([weekOver, closes]);
    expect(nextOutcomeChange(rule, bought(purchase), at('2026-03-02T00:00:00Z'))).toEqual(new Date(weekOver));
  });

  it('a rule that tests consent, for a profile without consents read: every window edge may change it', () => {
    const rule: SegmentRule = { all: [RECENT, { hasConsent: { purpose: 'offers', channel: 'email' } }] };
    expect(outcomeChanges(rule, bought(purchase))).toEqual([ms(purchase), closes]);
    // with the consents known, exactly: none, no change
    expect(outcomeChanges(rule, bought(purchase, { consents: [] }))).toEqual([]);
  });
});

describe('which customers changed in a window, and when the segment is due again', () => {
  const purchase = '2026-03-01T10:00:00.000Z';
  const closes = ms(purchase) + 30 * DAY + 1;

  it('a change in (since, until], the bounds as written', () => {
    const p = bought(purchase);
    expect(changesBetween(RECENT, p, new Date(closes - 10), new Date(closes))).toBe(true);
    expect(changesBetween(RECENT, p, new Date(closes), new Date(closes + 10))).toBe(false);
    expect(changesBetween(RECENT, p, new Date(closes - 10), new Date(closes - 1))).toBe(false);
  });

  it('the earliest change over the profiles, at most a day on', () => {
    const now = at('2026-03-20T12:00:00Z');
    const soon = bought('2026-02-19T00:00:00.000Z'); // window closes 2026-03-21T00:00:00.001Z
    const later = bought('2026-03-10T00:00:00.000Z');
    expect(nextReevaluation(RECENT, [later, soon, profile()], now)).toEqual(
      new Date(ms('2026-03-21T00:00:00Z') + 1),
    );
    expect(nextReevaluation(RECENT, [later], now)).toEqual(
      new Date(now.getTime() + REEVALUATION_FALLBACK_MS),
    );
    expect(nextReevaluation(RECENT, [], now)).toEqual(new Date(now.getTime() + REEVALUATION_FALLBACK_MS));
  });
});

describe('a rule in a line', () => {
  it('reads as the tree, groups in brackets', () => {
    expect(
      summarize({
        all: [
          SPAIN,
          { any: [RECENT, { field: 'csat', op: 'gte', value: 4 }] },
          { not: { hasConsent: { purpose: 'offers', channel: 'sms' } } },
          { field: 'interests', op: 'in', value: ['solar', 'storage'] },
        ],
      }),
    ).toBe(
      'country = "ES" and (lastPurchaseAt within the last 30 days or csat ≥ 4) and not has consent offers by sms and interests in ("solar", "storage")',
    );
  });

  it('is cut at 300 characters', () => {
    const long = summarize({ any: Array.from({ length: 40 }, () => SPAIN) });
    expect(long).toHaveLength(300);
    expect(long.endsWith('…')).toBe(true);
  });
});
