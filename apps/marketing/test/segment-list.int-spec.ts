import type { InProcessService } from '@crm/test-support';
import { aCustomer, as, startMarketing, type MarketingReadModel } from './marketing.given';
import { evaluated } from './segment-evaluation.given';

jest.setTimeout(60_000);

/**
 * `GET /segments` (newest first or by name, cursor paging, each with its member count and rule in
 * a line) and the paging of `GET /segments/:id/members`, with 400 naming each bad parameter.
 */
let marketing: InProcessService;
let readModel: MarketingReadModel;
beforeAll(async () => ({ marketing, readModel } = await startMarketing()));
afterAll(async () => {
  await readModel?.close();
  await marketing?.stop();
});

interface Item {
  segmentId: string;
  name: string;
  version: number;
  members: number;
  rule: string;
  timeBased: boolean;
  definedAt: string;
  redefinedAt: string | null;
}

const get = async (path: string, who = 'max') => marketing.request('GET', path, undefined, await as(who));

async function define(name: string, rule: object) {
  const { status, body } = await marketing.request('POST', '/segments', { name, rule }, await as('max'));
  expect(status).toBe(201);
  await evaluated(marketing, readModel);
  return body.segmentId as string;
}

/** Every page of `path` with `limit`, following `next`. */
async function pages(path: string, limit: number) {
  const all: Item[][] = [];
  let cursor: string | undefined;
  do {
    const join = path.includes('?') ? '&' : '?';
    const query = `${join}limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
    const { status, body } = await get(`${path}${query}`);
    expect(status).toBe(200);
    expect(body.limit).toBe(limit);
    all.push(body.items ?? body.members);
    cursor = body.next;
  } while (cursor && all.length < 20);
  return all;
}

const SWEDEN = { field: 'country', op: 'eq', value: 'SE' };
let ids: Record<string, string>;

beforeAll(async () => {
  for (const country of ['SE', 'SE', 'SE', 'FI']) {
    const c = aCustomer();
    await readModel.given(
      'pipeline',
      c.accountId,
      c.customerId,
      c.accountOpened(country, '2026-01-02T09:00:00.000Z'),
    );
  }
  ids = {
    Bravo: await define('Bravo', { all: [SWEDEN, { field: 'lastPurchaseAt', withinLastDays: 30 }] }),
    Alpha: await define('Alpha', SWEDEN),
    Charlie: await define('Charlie', { not: SWEDEN }),
  };
});

describe('GET /segments', () => {
  it('lists newest first, each with its version, member count, rule in a line and instants, page by page', async () => {
    const [[first]] = await pages('/segments', 50);
    expect(first).toEqual({
      segmentId: ids.Charlie,
      name: 'Charlie',
      version: 1,
      members: 1,
      rule: 'not country = "SE"',
      timeBased: false,
      definedAt: expect.any(String),
      redefinedAt: null,
    });
    const whole = (await pages('/segments', 50)).flat();
    expect(whole.map((s) => s.name)).toEqual(['Charlie', 'Alpha', 'Bravo']);
    expect(whole.find((s) => s.name === 'Alpha')).toMatchObject({ members: 3, rule: 'country = "SE"' });
    expect(whole.find((s) => s.name === 'Bravo')).toMatchObject({
      members: 0,
      timeBased: true,
      rule: 'country = "SE" and lastPurchaseAt within the last 30 days',
    });
    const paged = await pages('/segments', 2);
    expect(paged.map((p) => p.length)).toEqual([2, 1]);
    expect(paged.flat()).toEqual(whole);
  });

  it('lists by name, and shows a redefinition', async () => {
    const redefined = await marketing.request(
      'PUT',
      `/segments/${ids.Alpha}`,
      { rule: { field: 'country', op: 'in', value: ['SE', 'FI'] } },
      await as('max'),
    );
    expect(redefined.status).toBe(200);
    await evaluated(marketing, readModel);
    const byName = (await pages('/segments?order=name', 1)).flat();
    expect(byName.map((s) => s.name)).toEqual(['Alpha', 'Bravo', 'Charlie']);
    expect(byName[0]).toMatchObject({ version: 2, members: 4, redefinedAt: expect.any(String) });
  });

  it('answers 400 naming each bad parameter, a cursor of another order among them', async () => {
    const { body: named } = await get('/segments?order=name&limit=1');
    const bad = await get('/segments?order=oldest&limit=0&colour=red');
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: { field: string }) => e.field).sort()).toEqual([
      'colour',
      'limit',
      'order',
    ]);
    const wrongOrder = await get(`/segments?cursor=${named.next}`);
    expect(wrongOrder.status).toBe(400);
    expect(wrongOrder.body.errors.map((e: { field: string }) => e.field)).toEqual(['cursor']);
    const nonsense = await get('/segments?cursor=bm9wZQ&limit=201');
    expect(nonsense.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['cursor', 'limit']);
  });

  it('lets analysts and marketers read, no one else', async () => {
    expect((await get('/segments', 'ada')).status).toBe(200);
    expect((await get('/segments', 'sam')).status).toBe(403);
  });
});

describe('GET /segments/:id/members, paged', () => {
  it('pages the members by joining instant, with the count of all, now and at an instant', async () => {
    const path = `/segments/${ids.Alpha}/members`;
    const { body: all } = await get(`${path}?limit=1000`);
    expect(all.count).toBe(4);
    const paged = await pages(path, 3);
    expect(paged.map((p) => p.length)).toEqual([3, 1]);
    expect(paged.flat()).toEqual(all.members);
    const at = encodeURIComponent(new Date().toISOString());
    const past = await pages(`${path}?at=${at}`, 2);
    expect(past.flat().map((m) => (m as unknown as { customerId: string }).customerId)).toEqual(
      all.members.map((m: { customerId: string }) => m.customerId),
    );
  });

  it('answers 400 naming a bad limit and a cursor of another list', async () => {
    const { body: named } = await get('/segments?order=name&limit=1');
    const bad = await get(`/segments/${ids.Alpha}/members?limit=1001&cursor=${named.next}`);
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['cursor', 'limit']);
  });
});
