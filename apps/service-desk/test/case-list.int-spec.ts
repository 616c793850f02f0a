import { randomUUID } from 'node:crypto';
import type { InProcessService } from '@crm/test-support';
import { CaseQueries } from '../src/read-model/case.queries';
import { aCase, as, startServiceDesk, type CaseReadModel } from './service-desk.given';

jest.setTimeout(60_000);

/**
 * `GET /cases` on the service in process, over the read model the projection keeps: what an
 * agent sees for each filter, page by page, and the 400 that names a bad filter value.
 *
 *   case  opened   queue    type                 priority  status   assignee  breached  customer
 *   c1    June 1   billing  complaint            high      open     sam       yes
 *   c2    June 2   billing  service_request      normal    new      -
 *   c3    June 3   tech     service_request      urgent    pending  kim
 *   c4    June 4   tech     information_request  low       solved   kim                 X
 *   c5    June 5   billing  product_return       normal    closed   sam                 X
 */
let desk: InProcessService;
let readModel: CaseReadModel;
const customerX = randomUUID();
const ids: Record<string, string> = {};
const day = (d: number, time = '09:00') => `2026-06-0${d}T${time}:00.000Z`;

beforeAll(async () => {
  ({ desk, readModel } = await startServiceDesk());
  const c1 = aCase(day(1), { caseType: 'complaint', priority: 'high' });
  await readModel.given(
    c1,
    c1.opened(),
    c1.assigned('sam', day(1, '09:01')),
    c1.breached('first_response', day(1, '10:00')),
    ...c1.answered(day(1, '11:00')),
  );
  const c2 = aCase(day(2));
  await readModel.given(c2, c2.opened());
  const c3 = aCase(day(3), { queue: 'tech', priority: 'urgent' });
  await readModel.given(
    c3,
    c3.opened(),
    c3.assigned('kim', day(3, '09:01')),
    c3.status('new', 'pending', day(3, '09:30')),
  );
  const c4 = aCase(day(4), {
    queue: 'tech',
    caseType: 'information_request',
    priority: 'low',
    customerId: customerX,
  });
  await readModel.given(
    c4,
    c4.opened(),
    c4.assigned('kim', day(4, '09:01')),
    ...c4.answered(day(4, '09:30'), 'kim'),
    c4.status('open', 'solved', day(4, '10:00')),
  );
  const c5 = aCase(day(5), { caseType: 'product_return', customerId: customerX });
  await readModel.given(
    c5,
    c5.opened(),
    c5.assigned('sam', day(5, '09:01')),
    ...c5.answered(day(5, '09:30')),
    c5.status('open', 'solved', day(5, '10:00')),
    c5.status('solved', 'closed', day(5, '11:00')),
  );
  Object.assign(ids, { c1: c1.caseId, c2: c2.caseId, c3: c3.caseId, c4: c4.caseId, c5: c5.caseId });
});
afterAll(async () => {
  await readModel?.close();
  await desk?.stop();
});

const names = (items: { caseId: string }[]) =>
  items.map((i) => Object.keys(ids).find((name) => ids[name] === i.caseId));

const list = async (query = '', who = 'sam') => {
  const response = await desk.request('GET', `/cases${query}`, undefined, await as(who));
  expect({ query, status: response.status }).toEqual({ query, status: 200 });
  return response.body as { items: { caseId: string }[]; limit: number; next?: string };
};

describe('GET /cases', () => {
  it('lists every case newest first, each as the read model has it', async () => {
    const page = await list();
    expect(names(page.items)).toEqual(['c5', 'c4', 'c3', 'c2', 'c1']);
    expect(page).toMatchObject({ limit: 50 });
    expect(page.next).toBeUndefined();
    expect(page.items[4]).toEqual({
      caseId: ids.c1,
      customerId: expect.any(String),
      knownCustomer: false,
      status: 'open',
      caseType: 'complaint',
      priority: 'high',
      channel: 'email',
      queue: 'billing',
      assigneeId: 'sam',
      subject: 'Invoice question',
      requester: { name: 'Olga Ruiz', email: 'olga@acme.example', phone: null },
      productRef: null,
      policyId: 'priority-normal',
      policyVersion: 3,
      openedAt: day(1),
      firstResponseAt: day(1, '11:00'),
      solvedAt: null,
      closedAt: null,
      breached: true,
      csat: null,
      nps: null,
      npsCategory: null,
      revision: 4,
    });
  });

  it.each([
    ['?status=open', ['c1']],
    ['?status=new,pending', ['c3', 'c2']],
    ['?status=solved&status=closed', ['c5', 'c4']],
    ['?caseType=complaint', ['c1']],
    ['?priority=urgent', ['c3']],
    ['?queue=tech', ['c4', 'c3']],
    ['?assigneeId=kim', ['c4', 'c3']],
    ['?breached=true', ['c1']],
    ['?breached=false', ['c5', 'c4', 'c3', 'c2']],
    ['?queue=billing&status=new,open,pending,on_hold', ['c2', 'c1']],
    ['?assigneeId=nobody', []],
  ])('filters %s', async (query, expected) => {
    expect(names((await list(query)).items)).toEqual(expected);
  });

  it("filters one customer's cases", async () => {
    expect(names((await list(`?customerId=${customerX}`)).items)).toEqual(['c5', 'c4']);
  });

  it('pages by cursor to the last page, or by offset', async () => {
    const first = await list('?limit=2');
    expect(names(first.items)).toEqual(['c5', 'c4']);
    const second = await list(`?limit=2&cursor=${first.next}`);
    expect(names(second.items)).toEqual(['c3', 'c2']);
    const last = await list(`?limit=2&cursor=${second.next}`);
    expect(names(last.items)).toEqual(['c1']);
    expect(last.next).toBeUndefined();
    const byOffset = await list('?limit=2&offset=3');
    expect(names(byOffset.items)).toEqual(['c2', 'c1']);
    expect(byOffset.next).toBeUndefined();
    expect(names((await list(`?limit=1&queue=billing&cursor=${first.next}`)).items)).toEqual(['c2']);
  });

  it.each([
    ['?status=waiting', ['status']],
    ['?breached=maybe', ['breached']],
    ['?priority=critical&limit=201', ['priority', 'limit']],
    ['?customerId=acme', ['customerId']],
    ['?cursor=abc!', ['cursor']],
    ['?offset=2&cursor=', ['cursor']],
    ['?sort=subject', ['sort']],
  ])('answers 400 naming the bad fields of %s', async (query, fields) => {
    const response = await desk.request('GET', `/cases${query}`, undefined, await as('sam'));
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(response.body).toMatchObject({ code: 'VALIDATION_FAILED', instance: '/cases' });
    expect(response.body.errors.map((e: { field: string }) => e.field)).toEqual(fields);
  });

  it('is for support agents, their managers and admins: not for analysts', async () => {
    expect((await list('', 'sue')).items).toHaveLength(5);
    expect((await list('', 'root')).items).toHaveLength(5);
    const analyst = await desk.request('GET', '/cases', undefined, await as('ada'));
    expect(analyst.status).toBe(403);
  });
});

describe('the case list restricted to one customer', () => {
  it('shows only that customer’s cases, whatever the filters ask', async () => {
    const queries = new CaseQueries(desk.runtime.db);
    expect(names((await queries.list({}, customerX)).items)).toEqual(['c5', 'c4']);
    expect(names((await queries.list({ status: ['closed'] }, customerX)).items)).toEqual(['c5']);
    expect((await queries.list({ customerId: randomUUID() }, customerX)).items).toEqual([]);
    expect((await queries.list({ queue: 'billing' }, randomUUID())).items).toEqual([]);
  });
});
