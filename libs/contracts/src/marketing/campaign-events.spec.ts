import { randomUUID } from 'node:crypto';
import { parseEvent, upcastStoredEvent } from '../validation/event-contracts';

const customerId = randomUUID();
const segmentId = randomUUID();
const v1 = (audience: unknown) => ({
  campaignId: randomUUID(),
  name: 'Spring offers',
  purpose: 'offers',
  channel: 'email',
  audience,
  steps: [{ subject: 'Hello', body: 'Hello {{name}}', waitDays: 0, onlyNonResponders: false }],
  budget: 1000,
  cost: 50,
  currency: 'EUR',
  draftedAt: '2026-03-01T10:00:00.000Z',
});

describe('CampaignDrafted v1, read as v2', () => {
  it("a topic reader gets v1's list of customer ids as `customers`, and the objective acquisition", () => {
    const data = v1({ kind: 'list', customerIds: [customerId] });
    expect(parseEvent({ type: 'crm.marketing.CampaignDrafted.v1', data })).toEqual({
      context: 'marketing',
      type: 'CampaignDrafted',
      schemaVersion: 2,
      data: { ...data, objective: 'acquisition', audience: { kind: 'customers', customerIds: [customerId] } },
    });
  });

  it('a segment audience stays as it was; the stored v1 is not changed', () => {
    const data = v1({ kind: 'segment', segmentId });
    const before = structuredClone(data);
    expect(upcastStoredEvent('CampaignRevised', 1, data)).toEqual({ ...data, objective: 'acquisition' });
    expect(data).toEqual(before);
  });

  it('v2 data, and types with one version, are answered as they are', () => {
    const v2 = { ...v1({ kind: 'list', listId: segmentId }), objective: 'up_sell' };
    expect(upcastStoredEvent('CampaignDrafted', 2, v2)).toBe(v2);
    const sent = { campaignId: randomUUID() };
    expect(upcastStoredEvent('CampaignStepSent', 1, sent)).toBe(sent);
  });

  it("refuses v1 data in v2's shape: a `list` of v1 names customers, not a list id", () => {
    expect(() =>
      parseEvent({ type: 'crm.marketing.CampaignDrafted.v1', data: v1({ kind: 'list', listId: segmentId }) }),
    ).toThrow(/CampaignDrafted v1/);
  });
});
