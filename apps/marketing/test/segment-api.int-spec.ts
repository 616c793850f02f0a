import { randomUUID } from 'node:crypto';
import type { InProcessService } from '@crm/test-support';
import { aCustomer, as, startMarketing, type MarketingReadModel } from './marketing.given';
import { evaluated } from './segment-evaluation.given';

jest.setTimeout(60_000);

/**
 * The segment routes on the marketing service in process, with its consumers fed as Kafka would:
 * define (400 naming the rule's bad path), redefine (If-Match), read, preview the count now, and
 * the members now and at a past instant, kept by `SegmentMemberJoined` / `SegmentMemberLeft`.
 */
let marketing: InProcessService;
let readModel: MarketingReadModel;
beforeAll(async () => ({ marketing, readModel } = await startMarketing()));
afterAll(async () => {
  await readModel?.close();
  await marketing?.stop();
});

const SPAIN = { field: 'country', op: 'eq', value: 'ES' };
const BIG_SPENDERS = { all: [SPAIN, { field: 'wonRevenue', op: 'gte', value: 1000 }] };

/** A customer in `country` with `won` revenue, as the leads and pipeline topics tell it. */
async function customerIn(country: string, won: number) {
  const c = aCustomer();
  await readModel.given('leads', c.leadId, c.customerId, c.captured('2026-05-01T09:00:00.000Z'));
  await readModel.given(
    'pipeline',
    c.accountId,
    c.customerId,
    c.accountOpened(country, '2026-05-02T09:00:00.000Z'),
    ...(won > 0 ? [c.won(won, '2026-05-03T09:00:00.000Z')] : []),
  );
  return c;
}

async function define(body: object) {
  const { response } = await marketing.when('POST', '/segments', body, await as('max')).then({
    status: 201,
    headers: { location: /^\/segments\/[0-9a-f-]{36}$/, etag: '"0"' },
    events: [{ type: 'SegmentDefined', data: { version: 1 } }],
  });
  await evaluated(marketing, readModel);
  return response.body.segmentId as string;
}

const members = async (segmentId: string, at?: string) => {
  const query = at ? `?at=${encodeURIComponent(at)}` : '';
  const { status, body } = await marketing.request(
    'GET',
    `/segments/${segmentId}/members${query}`,
    undefined,
    await as('max'),
  );
  expect(status).toBe(200);
  return (body.members as { customerId: string }[]).map((m) => m.customerId).sort();
};

describe('segments over HTTP', () => {
  it('refuses a rule with problems, naming each by its JSON pointer, and records nothing', async () => {
    const rule = {
      all: [SPAIN, { field: 'shoeSize', op: 'eq', value: 42 }, { field: 'csat', op: 'contains', value: 'x' }],
    };
    await marketing.when('POST', '/segments', { name: 'Odd', rule }, await as('max')).then({
      status: 400,
      problem: {
        code: 'SEGMENT_RULE_INVALID',
        details: {
          problems: [
            { path: '/rule/all/1/field', message: expect.stringContaining('unknown field "shoeSize"') },
            { path: '/rule/all/2/op', message: expect.stringContaining('csat (number) takes') },
          ],
        },
      },
    });
    await marketing
      .when('POST', '/segments/preview', { rule: { not: { any: [] } } }, await as('max'))
      .then({ status: 400, problem: { details: { problems: [{ path: '/rule/not/any' }] } } });
  });

  it('previews the count of matching profiles now, without saving', async () => {
    const country = 'IE';
    await customerIn(country, 5000);
    await customerIn(country, 10);
    const { response } = await marketing
      .when(
        'POST',
        '/segments/preview',
        {
          rule: {
            all: [
              { field: 'country', op: 'eq', value: country },
              { field: 'wonRevenue', op: 'gte', value: 1000 },
            ],
          },
        },
        await as('max'),
      )
      .then({ status: 200, events: [] });
    expect(response.body).toMatchObject({ count: 1 });
    expect(response.body.profiles).toBeGreaterThanOrEqual(2);
  });

  it('lets marketers define and redefine, analysts read, and no one else', async () => {
    await marketing
      .when('POST', '/segments', { name: 'x', rule: SPAIN }, await as('ada'))
      .then({ status: 403 });
    await marketing.when('POST', '/segments/preview', { rule: SPAIN }, await as('sam')).then({ status: 403 });
    const segmentId = await define({ name: 'Spain', rule: SPAIN });
    const { status, body, headers } = await marketing.request(
      'GET',
      `/segments/${segmentId}`,
      undefined,
      await as('ada'),
    );
    expect({ status, etag: headers.get('etag') }).toEqual({ status: 200, etag: '"0"' });
    expect(body).toMatchObject({ segmentId, name: 'Spain', rule: SPAIN, version: 1, revision: 0 });
  });

  it('answers 412 to a redefinition on a stale If-Match, and takes it on the current one', async () => {
    const segmentId = await define({ name: 'Spain', rule: SPAIN });
    const path = `/segments/${segmentId}`;
    await marketing
      .when('PUT', path, { rule: BIG_SPENDERS }, { ...(await as('max')), 'if-match': '"0"' })
      .then({
        status: 200,
        headers: { etag: '"1"' },
        body: { version: 2, revision: 1 },
        events: [{ type: 'SegmentRedefined' }],
      });
    await marketing
      .when('PUT', path, { rule: SPAIN }, { ...(await as('max')), 'if-match': '"0"' })
      .then({ status: 412, problem: { code: 'PRECONDITION_FAILED' } });
    await marketing
      .when('PUT', `/segments/${randomUUID()}`, { rule: SPAIN }, await as('max'))
      .then({ status: 404 });
  });

  it('keeps members as profiles change and segments are redefined, and answers them at a past instant', async () => {
    const country = 'NL';
    const rich = await customerIn(country, 2000);
    const poor = await customerIn(country, 100);
    const segmentId = await define({ name: 'Dutch', rule: { field: 'country', op: 'eq', value: country } });
    expect(await members(segmentId)).toEqual([rich.customerId, poor.customerId].sort());
    const bothIn = new Date().toISOString();

    // the rich customer moves to Belgium: they leave, as an event of their memberships
    await new Promise((resolve) => setTimeout(resolve, 20));
    const before = await marketing.lastPosition();
    const [moved] = await readModel.given(
      'pipeline',
      rich.accountId,
      rich.customerId,
      rich.moved('BE', '2026-05-04T09:00:00.000Z'),
    );
    expect((await marketing.eventsAfter(before)).map((e) => [e.type, e.data.customerId])).toEqual([
      ['SegmentMemberLeft', rich.customerId],
    ]);
    // the profile change delivered again: nothing new is recorded, the history keeps one interval
    const again = await marketing.lastPosition();
    await readModel.deliver(moved);
    expect(await marketing.eventsAfter(again)).toEqual([]);
    expect(
      await readModel.rows(
        'select count(*)::int as n from marketing.segment_membership_history where segment_id = $1 and customer_id = $2',
        [segmentId, rich.customerId],
      ),
    ).toEqual([{ n: 1 }]);
    expect(await members(segmentId)).toEqual([poor.customerId]);
    expect(await members(segmentId, bothIn)).toEqual([rich.customerId, poor.customerId].sort());
    expect(await members(segmentId, '2020-01-01T00:00:00Z')).toEqual([]);

    // redefined to the big spenders of Belgium and the Netherlands: the poor leave, the rich come back
    const response = await marketing.request(
      'PUT',
      `/segments/${segmentId}`,
      {
        rule: {
          all: [
            { field: 'country', op: 'in', value: ['BE', country] },
            { field: 'wonRevenue', op: 'gt', value: 1000 },
          ],
        },
      },
      await as('max'),
    );
    expect(response.status).toBe(200);
    await evaluated(marketing, readModel);
    expect(await members(segmentId)).toEqual([rich.customerId]);
    const { body } = await marketing.request('GET', `/segments/${segmentId}`, undefined, await as('max'));
    expect(body).toMatchObject({ version: 2, members: 1 });
  });

  it('evaluates hasConsent from the consent ledger, again when the consent changes', async () => {
    const c = await customerIn('LU', 0);
    const segmentId = await define({
      name: 'SMS newsletter, Luxembourg',
      rule: {
        all: [
          { field: 'country', op: 'eq', value: 'LU' },
          { hasConsent: { purpose: 'newsletter', channel: 'sms' } },
        ],
      },
    });
    expect(await members(segmentId)).toEqual([]);
    const grant = { purpose: 'newsletter', channel: 'sms', lawfulBasis: 'consent', source: 'web_form' };
    const granted = await marketing.request(
      'POST',
      `/customers/${c.customerId}/consents`,
      grant,
      await as('max'),
    );
    expect(granted.status).toBe(201);
    await readModel.relay();
    expect(await members(segmentId)).toEqual([c.customerId]);
  });
});
