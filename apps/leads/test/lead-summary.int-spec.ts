import { randomUUID } from 'node:crypto';
import { publishedEvents, type InProcessService, type ProjectionSpec } from '@crm/test-support';
import { LeadSummaryProjection } from '../src/lead/lead.projection';
import { aLead, startLeads, workingLead, type GivenLead } from './leads.given';

jest.setTimeout(60_000);

/**
 * The lead-summary projection: given these events on crm.leads.events, then these rows in
 * leads.lead_summary and leads.lead_engagement (the service's migrated tables, real transactions),
 * and what GET /leads answers from them.
 */
let leads: InProcessService;
let projection: ProjectionSpec;
beforeAll(async () => {
  leads = await startLeads();
  projection = await leads.projection('lead-summary', [LeadSummaryProjection]);
});
afterAll(() => leads?.stop());

const summary = async (lead: GivenLead) => {
  const rows = await projection.rows(
    `select status, owner_id, channel, person_name, email, score, score_breakdown, engagement_count,
            revision, qualified_at, converted_at, disqualification_reason
     from leads.lead_summary where lead_id = $1`,
    [lead.leadId],
  );
  return rows[0];
};

describe('lead-summary projection', () => {
  it('given a lead captured, engaged, qualified and converted, then one row with its story and its engagement', async () => {
    const lead = aLead();
    await projection.given(
      ...publishedEvents('leads', lead.leadId, [...workingLead(lead), lead.qualified(), lead.converted()]),
    );
    expect(await summary(lead)).toEqual({
      status: 'converted',
      owner_id: 'rep-1',
      channel: 'referral',
      person_name: 'Ana Pérez',
      email: lead.email,
      score: 45,
      score_breakdown: { channel: 25, customerType: 10, engagements: 10, companySize: 0 },
      engagement_count: 1,
      revision: 6,
      qualified_at: new Date('2026-05-04T09:30:00.000Z'),
      converted_at: new Date('2026-05-04T09:30:00.000Z'),
      disqualification_reason: null,
    });
    const engagements = await projection.rows(
      'select kind, channel, occurred_at from leads.lead_engagement where lead_id = $1',
      [lead.leadId],
    );
    expect(engagements).toEqual([
      { kind: 'meeting', channel: 'event', occurred_at: new Date('2026-05-04T09:30:00.000Z') },
    ]);
  });

  it('shows a disqualified lead with its reason; the lifecycle stage moves only the revision', async () => {
    const lead = aLead();
    await projection.given(
      ...publishedEvents('leads', lead.leadId, [lead.captured(), lead.interest(), lead.disqualified()]),
    );
    expect(await summary(lead)).toMatchObject({
      status: 'disqualified',
      owner_id: null,
      disqualification_reason: 'no_budget',
      engagement_count: 0,
      revision: 2,
    });
  });

  it('given the customer erased, then their personal columns read [erased] and the rest of the story stays', async () => {
    const lead = aLead({ phone: '+34600111222', notes: 'prefers mornings' });
    const other = aLead();
    const history = [...workingLead(lead), lead.qualified()];
    await projection.given(
      ...publishedEvents('leads', lead.leadId, history),
      ...publishedEvents('leads', other.leadId, [other.captured()]),
    );
    const erased = { customerId: lead.customerId, reason: 'request 9', erasedAt: '2026-11-29T09:00:00.000Z' };
    await projection.given(
      ...publishedEvents('leads', lead.customerId, [{ type: 'CustomerErased', data: erased }]),
    );
    const [row] = await projection.rows(
      'select person_name, email, phone, notes, company_name, status, score from leads.lead_summary where lead_id = $1',
      [lead.leadId],
    );
    expect(row).toEqual({
      person_name: '[erased]',
      email: '[erased]',
      phone: '[erased]',
      notes: '[erased]',
      company_name: null,
      status: 'qualified',
      score: 45,
    });
    expect(await summary(other)).toMatchObject({ person_name: 'Ana Pérez', email: other.email });
  });

  it('does not let an older event delivered after a newer one undo it', async () => {
    const lead = aLead();
    const [captured, interest, assigned, engaged, workStarted, qualified] = publishedEvents(
      'leads',
      lead.leadId,
      [...workingLead(lead), lead.qualified()],
    );
    await projection.given(captured, interest, assigned, engaged, qualified);
    await projection.given(workStarted);
    expect(await summary(lead)).toMatchObject({ status: 'qualified', score: 45, revision: 5 });
  });

  it('leaves the rows as they were when the whole history is delivered again', async () => {
    const lead = aLead();
    const history = publishedEvents('leads', lead.leadId, [...workingLead(lead), lead.qualified()]);
    await projection.given(...history);
    const before = await summary(lead);
    await projection.given(...history);
    expect(await summary(lead)).toEqual(before);
    expect(before).toMatchObject({ engagement_count: 1, revision: 5 });
    const engagements = await projection.rows('select 1 from leads.lead_engagement where lead_id = $1', [
      lead.leadId,
    ]);
    expect(engagements).toHaveLength(1);
  });

  it('applies none of a batch whose event breaks its contract', async () => {
    const lead = aLead();
    const [captured, interest] = publishedEvents('leads', lead.leadId, [lead.captured(), lead.interest()]);
    const broken = { ...interest, data: { ...(interest.data as object), stage: 'dreaming' } };
    await expect(projection.given(captured, broken)).rejects.toThrow(/violates its contract/);
    expect(await summary(lead)).toBeUndefined();
  });
});

describe('queries of the projection', () => {
  it('lists leads filtered by owner, status and channel, newest first, one page at a time', async () => {
    const owner = `rep-${randomUUID().slice(0, 8)}`;
    const lead = (capturedAt: string, channel = 'social') =>
      aLead({ channel: channel as 'social', capturedAt });
    const older = lead('2026-05-01T08:00:00.000Z');
    const newer = lead('2026-05-02T08:00:00.000Z');
    const elsewhere = lead('2026-05-03T08:00:00.000Z', 'email');
    for (const l of [older, newer, elsewhere])
      await projection.given(
        ...publishedEvents('leads', l.leadId, [l.captured(), l.interest(), l.assigned(owner)]),
      );

    const page = await leads.request('GET', `/leads?channel=social&status=new&ownerId=${owner}&pageSize=1`);
    expect(page.status).toBe(200);
    expect(page.body).toMatchObject({ total: 2, page: 1, pageSize: 1 });
    expect(page.body.items).toEqual([
      expect.objectContaining({ leadId: newer.leadId, channel: 'social', status: 'new', ownerId: owner }),
    ]);
    const read = await leads.request('GET', `/leads/${older.leadId}`);
    expect(read.headers.get('etag')).toBe('"2"');
    expect((await leads.request('GET', '/leads?pageSize=1000')).status).toBe(400);
  });
});
