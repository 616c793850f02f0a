import { randomUUID } from 'node:crypto';
import type { LifecycleStage } from '@crm/contracts';
import { AnalyticsProjection, fact, type Fact } from './projection.given';

const customerId = randomUUID();
const leadId = randomUUID();
const accountId = randomUUID();

const captured = fact(
  'LeadCaptured',
  {
    leadId,
    customerId,
    personName: 'Ada Lovelace',
    companyName: 'Analytical Engines',
    email: 'ada@example.com',
    channel: 'web_form',
    source: {},
    customerType: 'prospect',
    interests: ['crm'],
    capturedAt: '2026-03-10T10:00:00.000Z',
  },
  { id: 'e1-captured' },
);
const assigned = (ownerId: string, time: string, id: string) =>
  fact('LeadAssigned', { leadId, ownerId, method: 'manual' }, { customerId, time, id });
const opened = fact(
  'AccountOpened',
  {
    accountId,
    customerId,
    profile: {
      name: 'Analytical Engines Ltd',
      kind: 'company',
      customerType: 'prospect',
      email: 'info@ae.example',
      address: { country: 'de' },
    },
    ownerId: 'rep-2',
    openedAt: '2026-04-02T00:00:00.000Z',
  },
  { id: 'e4-opened' },
);
const stage = (s: LifecycleStage, context: string, reachedAt: string, id: string) =>
  fact(
    'CustomerLifecycleStageReached',
    { customerId, stage: s, reason: { aggregateType: 'Test', aggregateId: id }, reachedAt },
    { context, id },
  );

const interest = stage('interest', 'leads', '2026-03-10T10:00:00.000Z', 'e0-interest');
const acquisition = stage('acquisition', 'pipeline', '2026-04-02T00:00:00.000Z', 'e5-acquisition');
const retention = stage('retention', 'service', '2026-04-20T08:00:00.000Z', 'e6-retention');
const firstOwner = assigned('rep-1', '2026-03-11T09:00:00.000Z', 'e2-assigned');
const laterOwner = assigned('rep-3', '2026-04-05T12:00:00.000Z', 'e3-reassigned');

/** In time order; and as they may arrive: the pipeline's and the service's topics first, the leads' late. */
const IN_TIME_ORDER: Fact[] = [interest, captured, firstOwner, opened, acquisition, laterOwner, retention];
const LEADS_LATE: Fact[] = [opened, acquisition, retention, laterOwner, captured, firstOwner, interest];

const iso = (d: Date | null) => (d === null ? null : d.toISOString());

describe('customer_version, customer_profile and lifecycle_stage projections', () => {
  let p: AnalyticsProjection;

  beforeAll(async () => {
    p = await AnalyticsProjection.start();
  });
  afterAll(() => p.close());
  beforeEach(() => p.reset());

  const versions = async () =>
    (
      await p.rows(
        `select valid_from, valid_to, customer_type, channel, country, owner, cohort_month
           from analytics.customer_version where customer_id = $1 order by valid_from`,
        [customerId],
      )
    ).map((r) => ({ ...r, valid_from: iso(r.valid_from), valid_to: iso(r.valid_to) }));

  it('versions the attributes over time, a late event splitting the interval it falls into', async () => {
    await p.given(...LEADS_LATE);

    expect(await versions()).toEqual([
      {
        valid_from: '2026-03-10T10:00:00.000Z',
        valid_to: '2026-03-11T09:00:00.000Z',
        customer_type: 'prospect',
        channel: 'web_form',
        country: null,
        owner: null,
        cohort_month: '2026-03',
      },
      {
        valid_from: '2026-03-11T09:00:00.000Z',
        valid_to: '2026-04-02T00:00:00.000Z',
        customer_type: 'prospect',
        channel: 'web_form',
        country: null,
        owner: 'rep-1',
        cohort_month: '2026-03',
      },
      {
        valid_from: '2026-04-02T00:00:00.000Z',
        valid_to: '2026-04-05T12:00:00.000Z',
        customer_type: 'prospect',
        channel: 'web_form',
        country: 'DE',
        owner: 'rep-2',
        cohort_month: '2026-03',
      },
      {
        valid_from: '2026-04-05T12:00:00.000Z',
        valid_to: null,
        customer_type: 'prospect',
        channel: 'web_form',
        country: 'DE',
        owner: 'rep-3',
        cohort_month: '2026-03',
      },
    ]);
  });

  it('ends with the same rows whatever order the topics delivered in', async () => {
    const tables = ['customer_version', 'customer_version_change', 'customer_profile', 'lifecycle_stage'];
    await p.given(...IN_TIME_ORDER);
    const inOrder = await Promise.all(tables.map((t) => p.table(t)));
    await p.reset();
    await p.given(...LEADS_LATE);
    expect(await Promise.all(tables.map((t) => p.table(t)))).toEqual(inOrder);
    // One at a time (one batch each), reversed.
    await p.reset();
    for (const event of [...IN_TIME_ORDER].reverse()) await p.given(event);
    expect(await Promise.all(tables.map((t) => p.table(t)))).toEqual(inOrder);
  });

  it('answers as of a moment: a version starting exactly at asOf is the one valid then', async () => {
    await p.given(...LEADS_LATE);
    const ownerAt = async (asOf: string) =>
      (
        await p.rows(
          `select owner from analytics.customer_version
            where customer_id = $1 and valid_from <= $2 and (valid_to is null or $2 < valid_to)`,
          [customerId, asOf],
        )
      ).map((r) => r.owner);

    expect(await ownerAt('2026-03-10T09:59:59.999Z')).toEqual([]);
    expect(await ownerAt('2026-03-10T10:00:00.000Z')).toEqual([null]);
    expect(await ownerAt('2026-04-01T23:59:59.999Z')).toEqual(['rep-1']);
    expect(await ownerAt('2026-04-02T00:00:00.000Z')).toEqual(['rep-2']);
    expect(await ownerAt('2027-01-01T00:00:00.000Z')).toEqual(['rep-3']);
  });

  it('keeps the latest personal values by the events’ time, whichever arrived last', async () => {
    await p.given(opened, captured);

    expect(await p.rows(`select name, email, company, erased from analytics.customer_profile`)).toEqual([
      {
        name: 'Analytical Engines Ltd',
        email: 'info@ae.example',
        company: 'Analytical Engines Ltd',
        erased: false,
      },
    ]);
  });

  it('chains the stages of every context in time order, a late one inserted between', async () => {
    await p.given(acquisition, retention, interest);

    const stages = await p.rows(
      `select stage, context, valid_from, valid_to from analytics.lifecycle_stage
        where customer_id = $1 order by valid_from`,
      [customerId],
    );
    expect(stages.map((s) => [s.stage, s.context, iso(s.valid_from), iso(s.valid_to)])).toEqual([
      ['interest', 'leads', '2026-03-10T10:00:00.000Z', '2026-04-02T00:00:00.000Z'],
      ['acquisition', 'pipeline', '2026-04-02T00:00:00.000Z', '2026-04-20T08:00:00.000Z'],
      ['retention', 'service', '2026-04-20T08:00:00.000Z', null],
    ]);
  });

  it('masks the personal values on erasure and writes none after it; the attributes stay', async () => {
    const erased = fact('CustomerErased', {
      customerId,
      reason: 'GDPR art. 17 request 2026-118',
      erasedAt: '2026-05-01T00:00:00.000Z',
    });
    const renamed = fact(
      'AccountProfileUpdated',
      {
        accountId,
        changes: { name: 'Someone Else', email: 'else@example.com' },
        updatedAt: '2026-05-02T00:00:00.000Z',
      },
      { customerId },
    );
    await p.given(captured, opened, firstOwner);
    const before = await versions();

    await p.given(erased, renamed);

    expect(
      await p.rows(`select name, email, company, erased, erased_at from analytics.customer_profile`),
    ).toEqual([
      {
        name: '[erased]',
        email: '[erased]',
        company: '[erased]',
        erased: true,
        erased_at: new Date('2026-05-01T00:00:00.000Z'),
      },
    ]);
    expect(await versions()).toEqual(before);
  });

  it('erases a customer it has not met yet: their later values are never written', async () => {
    const erased = fact('CustomerErased', {
      customerId,
      reason: 'request',
      erasedAt: '2026-02-01T00:00:00.000Z',
    });
    await p.given(erased, captured);

    expect(await p.rows(`select name, email, company, erased from analytics.customer_profile`)).toEqual([
      { name: null, email: null, company: null, erased: true },
    ]);
  });

  it('does not take a value that was already unreadable ([erased], the key destroyed) for a value', async () => {
    const unreadable = fact(
      'LeadCaptured',
      { ...captured.data, personName: '[erased]', email: '[erased]', companyName: undefined },
      { id: 'late-copy' },
    );
    await p.given(unreadable);

    expect(await p.rows(`select name, email from analytics.customer_profile`)).toEqual([
      { name: null, email: null },
    ]);
  });
});
