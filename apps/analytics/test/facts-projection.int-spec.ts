import { randomUUID } from 'node:crypto';
import type { SlaTargets } from '@crm/contracts';
import { AnalyticsProjection, fact } from './projection.given';

const iso = (d: Date | null) => (d === null ? null : d.toISOString());

describe('opportunity, sale, service and campaign projections', () => {
  let p: AnalyticsProjection;

  beforeAll(async () => {
    p = await AnalyticsProjection.start();
  });
  afterAll(() => p.close());
  beforeEach(() => p.reset());

  describe('opportunity_version and sale', () => {
    const customerId = randomUUID();
    const opportunityId = randomUUID();
    const accountId = randomUUID();
    const opened = fact('OpportunityOpened', {
      opportunityId,
      accountId,
      customerId,
      name: 'Ada Lovelace: CRM',
      ownerId: 'rep-1',
      stage: 'qualification',
      probability: 20,
      forecastCategory: 'pipeline',
      amount: 1000,
      currency: 'EUR',
      openedAt: '2026-04-01T09:00:00.000Z',
    });
    const moved = fact(
      'OpportunityStageChanged',
      {
        opportunityId,
        from: 'qualification',
        to: 'proposal',
        probability: 60,
        forecastCategory: 'best_case',
        changedAt: '2026-04-10T09:00:00.000Z',
      },
      { customerId },
    );
    const repriced = fact(
      'OpportunityDetailsChanged',
      { opportunityId, changes: { amount: 1500.5, name: 'Renamed' }, changedAt: '2026-04-12T09:00:00.000Z' },
      { customerId },
    );
    const won = fact('OpportunityWon', {
      opportunityId,
      accountId,
      customerId,
      ownerId: 'rep-1',
      previousStage: 'proposal',
      openedAt: '2026-04-01T09:00:00.000Z',
      amount: 1480.25,
      currency: 'EUR',
      wonAt: '2026-04-20T15:30:00.000Z',
    });

    it('versions stage, forecast, amount and status; the won one is a sale', async () => {
      await p.given(opened, moved, repriced, won);

      const rows = await p.rows(
        `select valid_from, valid_to, stage, forecast_category, probability::float8 as probability,
                amount::float8 as amount, currency, status, owner, customer_id
           from analytics.opportunity_version where opportunity_id = $1 order by valid_from`,
        [opportunityId],
      );
      expect(
        rows.map((r) => [
          iso(r.valid_from),
          iso(r.valid_to),
          r.stage,
          r.forecast_category,
          r.probability,
          r.amount,
          r.status,
        ]),
      ).toEqual([
        [
          '2026-04-01T09:00:00.000Z',
          '2026-04-10T09:00:00.000Z',
          'qualification',
          'pipeline',
          20,
          1000,
          'open',
        ],
        ['2026-04-10T09:00:00.000Z', '2026-04-12T09:00:00.000Z', 'proposal', 'best_case', 60, 1000, 'open'],
        ['2026-04-12T09:00:00.000Z', '2026-04-20T15:30:00.000Z', 'proposal', 'best_case', 60, 1500.5, 'open'],
        ['2026-04-20T15:30:00.000Z', null, 'proposal', 'closed', 100, 1480.25, 'won'],
      ]);
      expect(rows.every((r) => r.customer_id === customerId && r.owner === 'rep-1')).toBe(true);
      expect(
        await p.rows(
          `select opportunity_id, customer_id, amount::float8 as amount, currency, won_at from analytics.sale`,
        ),
      ).toEqual([
        {
          opportunity_id: opportunityId,
          customer_id: customerId,
          amount: 1480.25,
          currency: 'EUR',
          won_at: new Date('2026-04-20T15:30:00.000Z'),
        },
      ]);
    });

    it('keeps no personal data of an opportunity (its name)', async () => {
      await p.given(opened, repriced);
      const text =
        JSON.stringify(await p.table('opportunity_version')) +
        JSON.stringify(await p.table('opportunity_version_change'));
      expect(text).not.toContain('Ada');
      expect(text).not.toContain('Renamed');
    });
  });

  describe('support_case, case_version, sla_breach and survey', () => {
    const customerId = randomUUID();
    const caseId = randomUUID();
    const sla: SlaTargets = {
      policyId: 'priority-high',
      version: 2,
      firstResponseMinutes: 60,
      nextResponseMinutes: 240,
      resolutionMinutes: 480,
      warningShare: 0.8,
    };
    const opened = fact('CaseOpened', {
      caseId,
      customerId,
      knownCustomer: true,
      requester: { name: 'Ada Lovelace', email: 'ada@example.com' },
      channel: 'email',
      caseType: 'complaint',
      priority: 'high',
      subject: 'My invoice is wrong, Ada',
      queue: 'billing',
      sla,
      openedAt: '2026-05-04T09:00:00.000Z',
    });
    const status = (from: 'new' | 'open' | 'solved', to: 'open' | 'solved' | 'closed', changedAt: string) =>
      fact('CaseStatusChanged', { caseId, from, to, changedAt }, { customerId });
    const reply = (kind: 'agent' | 'customer', visibility: 'public' | 'internal', repliedAt: string) =>
      fact(
        'CaseReplied',
        {
          caseId,
          replyId: randomUUID(),
          author: { kind, id: 'x' },
          channel: 'email',
          visibility,
          body: 'Dear Ada',
          repliedAt,
        },
        { customerId },
      );
    const breached = fact(
      'SlaBreached',
      {
        caseId,
        clock: 'first_response',
        targetMinutes: 60,
        dueAt: '2026-05-04T10:00:00.000Z',
        priority: 'high',
        breachedAt: '2026-05-04T10:00:00.000Z',
      },
      { customerId },
    );

    it('keeps the first response, first solution and closing instants; the status over time; breaches and answers', async () => {
      await p.given(
        opened,
        reply('agent', 'internal', '2026-05-04T09:30:00.000Z'),
        reply('customer', 'public', '2026-05-04T09:40:00.000Z'),
        breached,
        reply('agent', 'public', '2026-05-04T11:00:00.000Z'),
        status('new', 'open', '2026-05-04T11:00:00.000Z'),
        status('open', 'solved', '2026-05-05T10:00:00.000Z'),
        status('solved', 'open', '2026-05-06T10:00:00.000Z'),
        status('open', 'solved', '2026-05-07T10:00:00.000Z'),
        fact('CaseRated', {
          caseId,
          customerId,
          score: 2,
          comment: 'Ada is unhappy',
          ratedAt: '2026-05-07T12:00:00.000Z',
        }),
        fact('NetPromoterScoreGiven', {
          caseId,
          customerId,
          score: 5,
          category: 'detractor',
          givenAt: '2026-05-07T12:00:00.000Z',
        }),
        status('solved', 'closed', '2026-05-10T10:00:00.000Z'),
      );

      const [c] = await p.rows(`select * from analytics.support_case`);
      expect(c).toMatchObject({
        case_id: caseId,
        customer_id: customerId,
        channel: 'email',
        case_type: 'complaint',
        priority: 'high',
        sla_policy: 'priority-high',
        sla_version: 2,
        opened_at: new Date('2026-05-04T09:00:00.000Z'),
        first_response_at: new Date('2026-05-04T11:00:00.000Z'),
        resolved_at: new Date('2026-05-05T10:00:00.000Z'),
        closed_at: new Date('2026-05-10T10:00:00.000Z'),
      });
      const statuses = await p.rows(
        `select status, valid_from, valid_to from analytics.case_version order by valid_from`,
      );
      expect(statuses.map((s) => [s.status, iso(s.valid_from), iso(s.valid_to)])).toEqual([
        ['new', '2026-05-04T09:00:00.000Z', '2026-05-04T11:00:00.000Z'],
        ['open', '2026-05-04T11:00:00.000Z', '2026-05-05T10:00:00.000Z'],
        ['solved', '2026-05-05T10:00:00.000Z', '2026-05-06T10:00:00.000Z'],
        ['open', '2026-05-06T10:00:00.000Z', '2026-05-07T10:00:00.000Z'],
        ['solved', '2026-05-07T10:00:00.000Z', '2026-05-10T10:00:00.000Z'],
        ['closed', '2026-05-10T10:00:00.000Z', null],
      ]);
      expect(
        await p.rows(
          `select case_id, customer_id, clock, policy, policy_version, due_at, breached_at from analytics.sla_breach`,
        ),
      ).toEqual([
        {
          case_id: caseId,
          customer_id: customerId,
          clock: 'first_response',
          policy: 'priority-high',
          policy_version: 2,
          due_at: new Date('2026-05-04T10:00:00.000Z'),
          breached_at: new Date('2026-05-04T10:00:00.000Z'),
        },
      ]);
      expect(await p.rows(`select kind, score, nps_category from analytics.survey order by kind`)).toEqual([
        { kind: 'csat', score: 2, nps_category: null },
        { kind: 'nps', score: 5, nps_category: 'detractor' },
      ]);
      const everything = JSON.stringify(
        await Promise.all(
          ['support_case', 'case_version', 'case_version_change', 'survey', 'timeline'].map((t) =>
            p.table(t),
          ),
        ),
      );
      expect(everything).not.toMatch(/Ada|invoice|ada@example/);
    });
  });

  describe('campaign_version, campaign_cost, campaign_touch and campaign_lead', () => {
    const campaignId = randomUUID();
    const customerId = randomUUID();
    const content = {
      campaignId,
      name: 'Spring offers',
      purpose: 'offers' as const,
      channel: 'email' as const,
      audience: { kind: 'customers' as const, customerIds: [customerId] },
      steps: [
        { subject: 'Hello {{name}}', body: 'Our offers', waitDays: 0, onlyNonResponders: false },
        { subject: 'Again', body: 'Still there?', waitDays: 3, onlyNonResponders: true },
      ],
      budget: 500,
      cost: 100,
      currency: 'EUR',
      objective: 'acquisition' as const,
    };
    const org = { customerId: '00000000-0000-0000-0000-000000000000' };

    it('versions the campaign (cost so far included), records costs, touches and leads', async () => {
      await p.given(
        fact('CampaignDrafted', { ...content, draftedAt: '2026-03-01T10:00:00.000Z' }, org),
        fact('CampaignRevised', { ...content, budget: 800, revisedAt: '2026-03-02T10:00:00.000Z' }, org),
        fact(
          'CampaignScheduled',
          { campaignId, startAt: '2026-03-05T08:00:00.000Z', scheduledAt: '2026-03-03T10:00:00.000Z' },
          org,
        ),
        fact(
          'CampaignCostRecorded',
          {
            campaignId,
            amount: 50,
            currency: 'EUR',
            item: 'design',
            cost: 150,
            recordedAt: '2026-03-04T10:00:00.000Z',
          },
          org,
        ),
        fact('CampaignMessageSent', {
          campaignId,
          step: 0,
          customerId,
          messageId: '<m0@crm>',
          sentAt: '2026-03-05T08:00:01.000Z',
        }),
        fact(
          'CampaignStepSent',
          { campaignId, step: 0, sent: 1, suppressed: 0, sentAt: '2026-03-05T08:00:02.000Z' },
          org,
        ),
        fact('CampaignResponseRecorded', {
          campaignId,
          step: 0,
          customerId,
          kind: 'open',
          respondedAt: '2026-03-05T09:00:00.000Z',
        }),
        fact('CampaignResponseRecorded', {
          campaignId,
          step: 0,
          customerId,
          kind: 'click',
          url: 'https://example.com/offer',
          respondedAt: '2026-03-05T09:01:00.000Z',
        }),
        fact('CampaignProspectResponded', {
          campaignId,
          step: 0,
          customerId,
          kind: 'click',
          personName: 'Ada',
          email: 'ada@example.com',
          interests: [],
          respondedAt: '2026-03-05T09:01:00.000Z',
        }),
      );

      const versions = await p.rows(
        `select valid_from, valid_to, name, objective, steps, budget::float8 as budget, cost::float8 as cost, status, start_at, last_step_sent
           from analytics.campaign_version order by valid_from`,
      );
      expect(
        versions.map((v) => [
          iso(v.valid_from),
          iso(v.valid_to),
          v.budget,
          v.cost,
          v.status,
          v.last_step_sent,
        ]),
      ).toEqual([
        ['2026-03-01T10:00:00.000Z', '2026-03-02T10:00:00.000Z', 500, 100, 'draft', null],
        ['2026-03-02T10:00:00.000Z', '2026-03-03T10:00:00.000Z', 800, 100, 'draft', null],
        ['2026-03-03T10:00:00.000Z', '2026-03-04T10:00:00.000Z', 800, 100, 'scheduled', null],
        ['2026-03-04T10:00:00.000Z', '2026-03-05T08:00:02.000Z', 800, 150, 'scheduled', null],
        ['2026-03-05T08:00:02.000Z', null, 800, 150, 'sending', 0],
      ]);
      expect(
        versions.every((v) => v.name === 'Spring offers' && v.objective === 'acquisition' && v.steps === 2),
      ).toBe(true);
      expect(await p.rows(`select amount::float8 as amount, item from analytics.campaign_cost`)).toEqual([
        { amount: 50, item: 'design' },
      ]);
      expect(
        await p.rows(`select kind, step, customer_id from analytics.campaign_touch order by at`),
      ).toEqual([
        { kind: 'sent', step: 0, customer_id: customerId },
        { kind: 'open', step: 0, customer_id: customerId },
        { kind: 'click', step: 0, customer_id: customerId },
      ]);
      expect(await p.rows(`select campaign_id, customer_id, kind, at from analytics.campaign_lead`)).toEqual([
        {
          campaign_id: campaignId,
          customer_id: customerId,
          kind: 'click',
          at: new Date('2026-03-05T09:01:00.000Z'),
        },
      ]);
    });
  });
});
