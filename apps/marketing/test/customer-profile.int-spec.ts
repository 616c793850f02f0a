import { randomUUID } from 'node:crypto';
import type { GivenEvent, InProcessService } from '@crm/test-support';
import { aCustomer, startMarketing, type MarketingReadModel } from './marketing.given';

jest.setTimeout(60_000);

/**
 * The `marketing-profiles` projection: given events of the leads, pipeline and service contexts,
 * then the customer's row of `marketing.customer_profile` (one per customer), in the service's
 * migrated tables; a redelivery changes nothing; `marketing-erasure` masks the personal columns.
 */
let marketing: InProcessService;
let readModel: MarketingReadModel;
beforeAll(async () => ({ marketing, readModel } = await startMarketing()));
afterAll(async () => {
  await readModel?.close();
  await marketing?.stop();
});

const profile = async (customerId: string) =>
  (
    await readModel.rows(
      `select customer_id, email, name, lifecycle_stage, customer_type, country, interests, owner_id,
              won_revenue::float8 as won_revenue, last_purchase_at, open_complaints, csat::float8 as csat
         from marketing.customer_profile where customer_id = $1`,
      [customerId],
    )
  )[0];

const complaint = (customerId: string, caseType = 'complaint') => {
  const caseId = randomUUID();
  const opened: GivenEvent = {
    type: 'CaseOpened',
    data: {
      caseId,
      customerId,
      knownCustomer: true,
      requester: {},
      channel: 'email',
      caseType,
      priority: 'normal',
      subject: 'Broken panel',
      queue: 'complaints',
      sla: {
        policyId: 'priority-normal',
        version: 1,
        firstResponseMinutes: 60,
        nextResponseMinutes: 120,
        resolutionMinutes: 960,
        warningShare: 0.8,
      },
      openedAt: '2026-06-01T10:00:00.000Z',
    },
  };
  const status = (from: string, to: string): GivenEvent => ({
    type: 'CaseStatusChanged',
    data: { caseId, from, to, changedAt: '2026-06-02T10:00:00.000Z' },
  });
  const rated = (score: number): GivenEvent => ({
    type: 'CaseRated',
    data: { caseId, customerId, score, ratedAt: '2026-06-03T10:00:00.000Z' },
  });
  return { caseId, opened, status, rated };
};

describe('the customer profile read model', () => {
  it('takes name, e-mail, type, interests and stage from the leads, country, owner and revenue from the pipeline', async () => {
    const c = aCustomer({
      name: 'Olga Ruiz',
      email: 'olga@acme.example',
      interests: ['Solar', 'solar', 'storage'],
    });
    await readModel.given(
      'leads',
      c.leadId,
      c.customerId,
      c.captured('2026-05-01T09:00:00.000Z'),
      c.stage('interest', c.leadId, '2026-05-01T09:00:00.000Z'),
    );
    await readModel.given(
      'pipeline',
      c.accountId,
      c.customerId,
      c.accountOpened('es', '2026-05-10T09:00:00.000Z'),
      c.stage('acquisition', c.accountId, '2026-05-20T09:00:00.000Z'),
      c.won(1200.5, '2026-05-20T09:00:00.000Z'),
      c.won(300, '2026-05-25T09:00:00.000Z'),
      c.moved('PT', '2026-05-26T09:00:00.000Z'),
    );
    expect(await profile(c.customerId)).toEqual({
      customer_id: c.customerId,
      email: 'olga@acme.example',
      name: 'Olga Ruiz',
      lifecycle_stage: 'acquisition',
      customer_type: 'prospect',
      country: 'PT',
      interests: ['Solar', 'solar', 'storage'],
      owner_id: 'sam',
      won_revenue: 1500.5,
      last_purchase_at: new Date('2026-05-25T09:00:00.000Z'),
      open_complaints: 0,
      csat: null,
    });
  });

  it('keeps the stage reached last by its time, whichever topic it came from first', async () => {
    const c = aCustomer();
    await readModel.given(
      'pipeline',
      c.accountId,
      c.customerId,
      c.stage('acquisition', c.accountId, '2026-05-20T09:00:00.000Z'),
    );
    await readModel.given(
      'leads',
      c.leadId,
      c.customerId,
      c.stage('interest', c.leadId, '2026-05-01T09:00:00.000Z'),
    );
    expect((await profile(c.customerId)).lifecycle_stage).toBe('acquisition');
  });

  it('counts open complaints (not other cases), one less when solved or closed, and keeps the latest CSAT', async () => {
    const c = aCustomer();
    const first = complaint(c.customerId);
    const second = complaint(c.customerId);
    const request = complaint(c.customerId, 'service_request');
    await readModel.given('service', first.caseId, c.customerId, first.opened);
    await readModel.given('service', second.caseId, c.customerId, second.opened);
    await readModel.given(
      'service',
      request.caseId,
      c.customerId,
      request.opened,
      request.status('new', 'solved'),
    );
    expect((await profile(c.customerId)).open_complaints).toBe(2);
    await readModel.given(
      'service',
      first.caseId,
      c.customerId,
      first.status('new', 'open'),
      first.status('open', 'solved'),
      first.rated(2),
    );
    expect(await profile(c.customerId)).toMatchObject({ open_complaints: 1, csat: 2 });
    await readModel.given('service', second.caseId, c.customerId, second.status('new', 'closed'));
    expect((await profile(c.customerId)).open_complaints).toBe(0);
  });

  it('changes nothing when events are delivered again or late', async () => {
    const c = aCustomer();
    const leads = await readModel.given(
      'leads',
      c.leadId,
      c.customerId,
      c.captured('2026-05-01T09:00:00.000Z'),
    );
    const pipeline = await readModel.given(
      'pipeline',
      c.accountId,
      c.customerId,
      c.accountOpened('ES', '2026-05-10T09:00:00.000Z'),
      c.won(100, '2026-05-20T09:00:00.000Z'),
      c.moved('FR', '2026-05-21T09:00:00.000Z'),
    );
    const cs = complaint(c.customerId);
    const service = await readModel.given(
      'service',
      cs.caseId,
      c.customerId,
      cs.opened,
      cs.status('new', 'solved'),
    );
    const before = await profile(c.customerId);
    expect(before).toMatchObject({ won_revenue: 100, country: 'FR', open_complaints: 0 });
    await readModel.deliver(...leads, ...pipeline, ...service);
    await readModel.deliver(pipeline[1], service[0]);
    expect(await profile(c.customerId)).toEqual(before);
  });

  it('masks e-mail and name of an erased customer, for good, and keeps what segments test', async () => {
    const c = aCustomer({ name: 'Olga Ruiz', email: 'olga@acme.example' });
    await readModel.given('leads', c.leadId, c.customerId, c.captured('2026-05-01T09:00:00.000Z'));
    await readModel.given(
      'pipeline',
      c.accountId,
      c.customerId,
      c.accountOpened('ES', '2026-05-10T09:00:00.000Z'),
    );
    // the address as a CSV import rejected it before the customer was known
    const importId = randomUUID();
    await readModel.rows(
      `insert into marketing.list_import_rejection (import_id, line, value, reason) values ($1, 7, $2, 'UNKNOWN_EMAIL')`,
      [importId, 'OLGA@acme.example'],
    );
    const erasure = await readModel.given('leads', c.customerId, c.customerId, {
      type: 'CustomerErased',
      data: {
        customerId: c.customerId,
        reason: 'GDPR art. 17 request 2026-118',
        erasedAt: '2026-06-01T00:00:00.000Z',
      },
    });
    expect(await profile(c.customerId)).toMatchObject({
      email: '[erased]',
      name: '[erased]',
      country: 'ES',
      customer_type: 'prospect',
    });
    expect(
      await readModel.rows(`select value from marketing.list_import_rejection where import_id = $1`, [
        importId,
      ]),
    ).toEqual([{ value: '[erased]' }]);
    // a profile event after the erasure does not bring the name back; the erasure again changes nothing
    await readModel.given('pipeline', c.accountId, c.customerId, {
      type: 'AccountProfileUpdated',
      data: { accountId: c.accountId, changes: { name: 'Olga R.' }, updatedAt: '2026-06-02T00:00:00.000Z' },
    });
    await readModel.deliver(...erasure);
    expect(await profile(c.customerId)).toMatchObject({ email: '[erased]', name: '[erased]' });
  });
});
