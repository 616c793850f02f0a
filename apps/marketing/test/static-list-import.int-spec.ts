import { randomUUID } from 'node:crypto';
import { Injectable, Module } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { toCloudEvent } from '@crm/contracts';
import { bindCrmEventHandlers, type BoundEventHandlers } from '@crm/messaging';
import { InProcessService, bearer } from '@crm/test-support';
import { ListImportWorker } from '../src/list/list-import.worker';
import { listMembersOf } from '../src/list/list-members';
import { ListProjection } from '../src/list/list.projection';
import { ListService } from '../src/list/list.service';
import { MarketingConfig } from '../src/marketing.config';
import { MarketingModule } from '../src/marketing.module';

jest.setTimeout(120_000);

/**
 * Static lists and their CSV imports on the marketing service in process (its own database; the
 * consumer `marketing-lists` fed with what the service appended, as crm.marketing.events would):
 * a 5,000-row CSV uploaded in chunks, processed in batches to the end with the bad rows listed by
 * line and reason, and an import stopped after a few batches (and a batch replayed as after a crash
 * before its commit) finished by another worker with every valid row a member exactly once.
 */
let marketing: InProcessService;
let handlers: BoundEventHandlers;
let relayed = '0';
let moduleRef: ModuleRef | undefined;

/** Keeps the application's module reference: its list service (and import worker). */
@Injectable()
class ModuleRefProbe {
  constructor(ref: ModuleRef) {
    moduleRef = ref;
  }
}

const as = async (who = 'max') => ({ authorization: await bearer(who) });

beforeAll(async () => {
  marketing = await InProcessService.start({
    name: 'marketing',
    Config: MarketingConfig,
    module: (config) => ({
      module: class MarketingUnderTest {},
      imports: [MarketingModule.forRoot(config)],
      providers: [ModuleRefProbe],
    }),
    env: { CONSENT_LINK_SECRET: 'a test secret of the consent links' },
    eventStoreSchema: 'marketing_eventstore',
  });
  // The application's own worker stays out of the way: the tests run batches by hand.
  await moduleRef!.get(ListService, { strict: false }).worker.stop();
  @Module({ controllers: [ListProjection] })
  class ListsUnderTest {}
  handlers = await bindCrmEventHandlers(ListsUnderTest);
});
afterAll(async () => {
  await handlers?.close();
  await marketing?.stop();
});

/** What the service appended since the last relay, delivered to `marketing-lists`. */
async function relay() {
  const appended = await marketing.eventsAfter(relayed);
  relayed = await marketing.lastPosition();
  const events = appended.map((e) =>
    toCloudEvent('marketing', { ...e, id: randomUUID() }, e.streamId.slice(e.streamId.indexOf('-') + 1)),
  );
  await marketing.runtime.db.transaction(async (manager) => {
    for (const event of events) await handlers.deliver('marketing-lists', event, manager);
  });
}

/** `n` customer profiles, every third named by e-mail in the CSV. */
async function profiles(n: number) {
  const ids = Array.from({ length: n }, () => randomUUID());
  const emails = ids.map((id) => `${id.slice(0, 13)}@acme.example`);
  await marketing.runtime.pool.query(
    `insert into marketing.customer_profile (customer_id, email, name) select unnest($1::uuid[]), unnest($2::text[]), 'x'`,
    [ids, emails],
  );
  return ids.map((id, i) => ({ id, csv: i % 3 === 0 ? emails[i].toUpperCase() : id }));
}

async function newList() {
  const { status, body } = await marketing.request('POST', '/lists', { name: 'Fair visitors' }, await as());
  expect(status).toBe(201);
  return body.listId as string;
}

/** Starts an import and uploads `lines` in chunks of 1,000 lines; the import's id. */
async function upload(listId: string, lines: string[]) {
  const started = await marketing.request('POST', `/lists/${listId}/imports`, undefined, await as());
  expect(started.status).toBe(201);
  const importId = started.body.importId as string;
  for (let seq = 0; seq * 1000 < lines.length; seq++) {
    const csv = lines.slice(seq * 1000, (seq + 1) * 1000).join('\n') + '\n';
    const last = (seq + 1) * 1000 >= lines.length;
    const { status, body } = await marketing.request(
      'POST',
      `/lists/${listId}/imports/${importId}/chunks`,
      { seq, csv, last },
      await as(),
    );
    expect({ status, nextChunk: body.nextChunk }).toEqual({ status: 200, nextChunk: seq + 1 });
  }
  return importId;
}

const progress = async (listId: string, importId: string, query = '') =>
  (await marketing.request('GET', `/lists/${listId}/imports/${importId}${query}`, undefined, await as('max')))
    .body;

async function allMembers(listId: string) {
  const members: string[] = [];
  let after: string | undefined;
  do {
    const { status, body } = await marketing.request(
      'GET',
      `/lists/${listId}/members?limit=1000${after ? `&after=${after}` : ''}`,
      undefined,
      await as(),
    );
    expect(status).toBe(200);
    members.push(...body.members.map((m: { customerId: string }) => m.customerId));
    after = body.next;
  } while (after);
  return members;
}

describe('static lists with a CSV import', () => {
  it('imports 5,000 rows in batches: progress reaches the total, bad rows listed by line and reason', async () => {
    const customers = await profiles(4990);
    const listId = await newList();
    const lines = ['email', ...customers.map((c) => c.csv)];
    // ten bad rows spread through the file (line numbers as in the file: the header is line 1)
    const bad = ['not an address', randomUUID(), 'nobody@acme.example', ',,', 'x@y'];
    for (let i = 0; i < 10; i++) lines.splice(500 * i + 250, 0, bad[i % bad.length]);
    const importId = await upload(listId, lines);
    const uploaded = await progress(listId, importId);
    expect(uploaded).toMatchObject({ state: 'processing', total: 5000, done: 0, rejected: 0 });
    // a chunk sent again is taken once; a different one under its number is refused
    const again = await marketing.request(
      'POST',
      `/lists/${listId}/imports/${importId}/chunks`,
      { seq: 0, csv: lines.slice(0, 1000).join('\n') + '\n' },
      await as(),
    );
    expect(again.body).toMatchObject({ unchanged: true, total: 5000 });
    const other = await marketing.request(
      'POST',
      `/lists/${listId}/imports/${importId}/chunks`,
      { seq: 0, csv: 'x\n' },
      await as(),
    );
    expect(other).toMatchObject({ status: 409, body: { code: 'LIST_IMPORT_CHUNK_MISMATCH' } });

    const worker = new ListImportWorker({ pool: marketing.runtime.pool, store: marketing.runtime.store });
    expect(await worker.drain()).toBe(5);
    await relay();
    const done = await progress(listId, importId);
    expect(done).toMatchObject({ state: 'completed', total: 5000, done: 5000, added: 4990, rejected: 10 });
    // the uploaded lines were staging: nothing of them is kept once the import is done
    const { rows: staged } = await marketing.runtime.pool.query(
      `select count(*)::int as n from marketing.list_import_row where import_id = $1`,
      [importId],
    );
    expect(staged).toEqual([{ n: 0 }]);
    expect(done.rejections).toHaveLength(10);
    expect(done.rejections[0]).toEqual({
      line: 251,
      value: 'not an address',
      reason: expect.stringMatching(/^INVALID_VALUE/),
    });
    expect(done.rejections.map((r: { reason: string }) => r.reason.split(':')[0])).toEqual(
      expect.arrayContaining(['INVALID_VALUE', 'UNKNOWN_CUSTOMER', 'UNKNOWN_EMAIL']),
    );
    const paged = await progress(listId, importId, '?limit=4');
    expect(paged.rejections).toHaveLength(4);
    expect((await progress(listId, importId, `?afterLine=${paged.next}`)).rejections).toHaveLength(6);

    const members = await allMembers(listId);
    expect(members.sort()).toEqual(customers.map((c) => c.id).sort());
    const list = await marketing.request('GET', `/lists/${listId}`, undefined, await as());
    expect(list.body).toMatchObject({ listId, name: 'Fair visitors', members: 4990 });
  });

  it('resumes after a stop: a new worker finishes, every valid row a member exactly once', async () => {
    const customers = await profiles(3000);
    const listId = await newList();
    const lines = customers.map((c) => c.csv);
    lines.splice(1500, 0, 'bad row');
    const importId = await upload(listId, lines);
    const first = new ListImportWorker({
      pool: marketing.runtime.pool,
      store: marketing.runtime.store,
      batchSize: 500,
    });
    expect(await first.drain(3)).toBe(3);
    expect(await progress(listId, importId)).toMatchObject({ state: 'processing', total: 3001, done: 1500 });
    // a crash after the 4th batch's event, before its progress committed: the event is there, the progress not
    const snapshot = await marketing.runtime.pool.query(
      'select done_line, done, added, rejected from marketing.list_import where import_id = $1',
      [importId],
    );
    expect(await first.drain(1)).toBe(1);
    await marketing.runtime.pool.query(
      'update marketing.list_import set done_line = $2, done = $3, added = $4, rejected = $5 where import_id = $1',
      [importId, ...Object.values(snapshot.rows[0])],
    );
    await marketing.runtime.pool.query(
      'delete from marketing.list_import_rejection where import_id = $1 and line > $2',
      [importId, snapshot.rows[0].done_line],
    );
    const second = new ListImportWorker({
      pool: marketing.runtime.pool,
      store: marketing.runtime.store,
      batchSize: 500,
    });
    expect(await second.drain()).toBe(4);
    await relay();
    expect(await progress(listId, importId)).toMatchObject({
      state: 'completed',
      total: 3001,
      done: 3001,
      added: 3000,
      rejected: 1,
      rejections: [{ line: 1501, value: 'bad row' }],
    });
    const members = await allMembers(listId);
    expect(members).toHaveLength(3000);
    expect(new Set(members)).toEqual(new Set(customers.map((c) => c.id)));
    // each customer in exactly one StaticListMembersAdded of the list's stream
    const added = (await marketing.eventsAfter('0')).filter(
      (e) => e.streamId === `list-${listId}` && e.type === 'StaticListMembersAdded',
    );
    const ids = added.flatMap((e) => (e.data as { customerIds: string[] }).customerIds);
    expect(ids).toHaveLength(3000);
    expect(new Set(ids).size).toBe(3000);
  });

  it('adds and removes members by hand, and answers 404 for an unknown list', async () => {
    const [a, b] = await profiles(2);
    const listId = await newList();
    const add = await marketing.request(
      'POST',
      `/lists/${listId}/members`,
      { customerIds: [a.id, b.id] },
      await as(),
    );
    expect(add.body).toMatchObject({ added: 2, members: 2 });
    const remove = await marketing.request(
      'POST',
      `/lists/${listId}/members/remove`,
      { customerIds: [b.id, randomUUID()] },
      await as(),
    );
    expect(remove.body).toMatchObject({ removed: 1, members: 1 });
    await relay();
    expect(await allMembers(listId)).toEqual([a.id]);
    // what a campaign step would go out to
    expect(await listMembersOf(marketing.store)(listId)).toEqual([a.id]);
    const missing = await marketing.request('GET', `/lists/${randomUUID()}`, undefined, await as());
    expect(missing).toMatchObject({ status: 404, body: { code: 'LIST_NOT_FOUND' } });
  });
});
