import { attribute, campaignReturn } from './attribution';

const [A, B, C] = ['aaaaaaaa', 'bbbbbbbb', 'cccccccc'].map((p) => `${p}-0000-4000-8000-000000000000`);

describe('attribution of a win to the campaigns that touched the customer before it', () => {
  // Touches: A sent 1 May, B sent 3 May, A clicked 5 May, C sent 12 May (after the win: ignored).
  const touches = [
    { campaignId: C, at: '2026-05-12T09:00:00Z' },
    { campaignId: A, at: '2026-05-05T09:00:00Z' },
    { campaignId: B, at: '2026-05-03T09:00:00Z' },
    { campaignId: A, at: '2026-05-01T09:00:00Z' },
  ];
  const win = { amount: 1000, wonAt: '2026-05-10T09:00:00Z' };

  it('gives first touch and last touch the whole amount, linear 2/3 and 1/3 to the cent', () => {
    expect(attribute(win, touches)).toEqual([
      { model: 'first_touch', campaignId: A, share: 1, revenue: 1000 },
      { model: 'last_touch', campaignId: A, share: 1, revenue: 1000 },
      // 100000 cents * 2/3 = 66666.67 -> 66666, * 1/3 -> 33333; the 1 cent left to the largest share
      { model: 'linear', campaignId: A, share: 2 / 3, revenue: 666.67 },
      { model: 'linear', campaignId: B, share: 1 / 3, revenue: 333.33 },
    ]);
  });

  it('counts a touch at the instant of the win, and none after it', () => {
    const late = [{ campaignId: C, at: '2026-05-10T09:00:00Z' }, ...touches];
    expect(attribute(win, late).find((a) => a.model === 'last_touch')?.campaignId).toBe(C);
    expect(attribute(win, [{ campaignId: C, at: '2026-05-12T09:00:00Z' }])).toEqual([]);
  });

  it('splits three equal touches of 100.00 as 33.34, 33.33, 33.33 (the remainder to the first by id)', () => {
    const three = [C, B, A].map((campaignId) => ({ campaignId, at: '2026-05-02T00:00:00Z' }));
    const linear = attribute({ amount: 100, wonAt: '2026-05-03T00:00:00Z' }, three).filter(
      (a) => a.model === 'linear',
    );
    expect(linear.map((a) => [a.campaignId, a.revenue])).toEqual([
      [A, 33.34],
      [B, 33.33],
      [C, 33.33],
    ]);
    // Equal times: the first and last touch are decided by campaign id, not the order of the rows.
    const models = attribute({ amount: 100, wonAt: '2026-05-03T00:00:00Z' }, three);
    expect(models.slice(0, 2).map((a) => a.campaignId)).toEqual([A, C]);
  });
});

describe('the return of a campaign', () => {
  it('answers ROI per model, cost per lead and per acquired customer, and rates per step', () => {
    const figures = campaignReturn({
      cost: 500,
      revenue: { first_touch: 1000, last_touch: 0, linear: 666.67 },
      leads: 4,
      acquiredCustomers: 2,
      steps: [
        { step: 0, sent: 10, responders: 3, converted: 1 },
        { step: 1, sent: 0, responders: 0, converted: 0 },
      ],
    });
    expect(figures).toEqual({
      cost: 500,
      revenue: { first_touch: 1000, last_touch: 0, linear: 666.67 },
      // (1000 - 500) / 500 = 1; (0 - 500) / 500 = -1; (666.67 - 500) / 500 = 0.33334 -> 0.3333
      roi: { first_touch: 1, last_touch: -1, linear: 0.3333 },
      leads: 4,
      acquiredCustomers: 2,
      costPerLead: 125, // 500 / 4
      costPerAcquiredCustomer: 250, // 500 / 2
      steps: [
        { step: 0, sent: 10, responders: 3, converted: 1, responseRate: 0.3, conversionRate: 0.1 },
        { step: 1, sent: 0, responders: 0, converted: 0, responseRate: null, conversionRate: null },
      ],
    });
  });

  it('answers no ROI for a campaign that cost nothing, and no cost per lead without leads', () => {
    const figures = campaignReturn({
      cost: 0,
      revenue: { first_touch: 200, last_touch: 200, linear: 200 },
      leads: 0,
      acquiredCustomers: 0,
      steps: [],
    });
    expect(figures).toMatchObject({
      roi: { first_touch: null, last_touch: null, linear: null },
      costPerLead: null,
      costPerAcquiredCustomer: null,
    });
  });
});
