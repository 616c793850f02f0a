import { randomUUID } from 'node:crypto';
import {
  InvalidAuditQueryError,
  PostgresEventStore,
  type AuditTrailEntry,
  type ExpectedRevision,
  type NewEvent,
} from '@crm/event-store';
import { testDatabase } from './postgres-support';
import { event, metadata, uniqueStream } from './support';

/** Who did what and when, per customer and per actor, from a real PostgreSQL store. */
jest.setTimeout(60_000);

const db = testDatabase();
let store: PostgresEventStore;
const ana = `ana-${randomUUID()}`;
const bob = `bob-${randomUUID()}`;
const [customer1, customer2] = [randomUUID(), randomUUID()];
const lead1 = uniqueStream('lead');
const lead2 = uniqueStream('lead');

beforeAll(async () => {
  store = new PostgresEventStore({ pool: db.pool, schema: db.schema });
  await store.migrate();
  const by = (customerId: string, actor?: string) => metadata({ customerId, ...(actor ? { actor } : {}) });
  // One append per event, a few milliseconds apart: each has its own recording time, and times
  // read back (to the millisecond) still tell them apart.
  const appends: [string, NewEvent, ExpectedRevision][] = [
    [lead1, event('LeadCaptured', { email: 'x@example.com' }, by(customer1, ana)), 'no_stream'],
    [lead1, event('LeadScored', { score: 10 }, by(customer1)), 0],
    [lead2, event('LeadCaptured', { email: 'y@example.com' }, by(customer2, bob)), 'no_stream'],
    [lead1, event('LeadAssigned', { owner: 'rep-1' }, by(customer1, bob)), 1],
    [lead2, event('LeadQualified', {}, by(customer2, ana)), 0],
  ];
  for (const [stream, appended, expected] of appends) {
    await store.append(stream, [appended], expected);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
});
afterAll(async () => {
  await store.close();
  await db.drop();
});

const trail = (items: AuditTrailEntry[]) => items.map((e) => [e.streamId, e.revision, e.type, e.actor]);

describe('PostgresEventStore.auditTrail', () => {
  it("answers a customer's events, newest first, with who, when and why but not the data", async () => {
    const page = await store.auditTrail({ customerId: customer1 });
    expect(trail(page.items)).toEqual([
      [lead1, 2, 'LeadAssigned', bob],
      [lead1, 1, 'LeadScored', null],
      [lead1, 0, 'LeadCaptured', ana],
    ]);
    expect(page.next).toBeUndefined();
    const [newest] = page.items;
    expect(Object.keys(newest).sort()).toEqual(
      [
        'actor',
        'causationId',
        'correlationId',
        'customerId',
        'id',
        'occurredAt',
        'recordedAt',
        'revision',
        'streamId',
        'type',
      ].sort(),
    );
    const [stored] = await store.readStream(lead1, { direction: 'backwards', maxCount: 1 });
    expect(newest).toEqual({
      id: stored.id,
      type: 'LeadAssigned',
      streamId: lead1,
      revision: 2,
      recordedAt: stored.recordedAt,
      occurredAt: stored.metadata.occurredAt,
      customerId: customer1,
      actor: bob,
      correlationId: stored.metadata.correlationId,
      causationId: stored.metadata.causationId,
    });
  });

  it("answers an actor's events across customers, and both filters together", async () => {
    expect(trail((await store.auditTrail({ actor: ana })).items)).toEqual([
      [lead2, 1, 'LeadQualified', ana],
      [lead1, 0, 'LeadCaptured', ana],
    ]);
    expect(trail((await store.auditTrail({ actor: bob, customerId: customer2 })).items)).toEqual([
      [lead2, 0, 'LeadCaptured', bob],
    ]);
    expect((await store.auditTrail({ actor: `nobody-${randomUUID()}` })).items).toEqual([]);
  });

  it('pages with the cursor it answers, without repeating or skipping an event', async () => {
    const first = await store.auditTrail({ customerId: customer1, limit: 2 });
    expect(trail(first.items).map(([, revision]) => revision)).toEqual([2, 1]);
    expect(first.next).toEqual(expect.any(String));
    const second = await store.auditTrail({ customerId: customer1, limit: 2, cursor: first.next });
    expect(trail(second.items).map(([, revision]) => revision)).toEqual([0]);
    expect(second.next).toBeUndefined();
  });

  it('pages through events recorded at the same instant (one append) in stream order, newest first', async () => {
    const customerId = randomUUID();
    const stream = uniqueStream('account');
    const appended = ['AccountOpened', 'ContactAdded', 'ContactAdded'].map((type) =>
      event(type, {}, metadata({ customerId, actor: ana })),
    );
    await store.append(stream, appended, 'no_stream');
    const seen: number[][] = [];
    let cursor: string | undefined;
    do {
      const page = await store.auditTrail({ customerId, limit: 1, ...(cursor ? { cursor } : {}) });
      seen.push(page.items.map((e) => e.revision));
      cursor = page.next;
    } while (cursor);
    // A full last page cannot know it is the last: one more, empty, page ends the trail.
    expect(seen).toEqual([[2], [1], [0], []]);
  });

  it('keeps to a window of recording time: from inclusive, to exclusive', async () => {
    const all = (await store.auditTrail({ customerId: customer1 })).items;
    const [assigned, scored, captured] = all;
    const window = await store.auditTrail({
      customerId: customer1,
      from: scored.recordedAt,
      to: assigned.recordedAt,
    });
    expect(window.items.map((e) => e.id)).toEqual([scored.id]);
    const since = await store.auditTrail({ customerId: customer1, from: scored.recordedAt });
    expect(since.items.map((e) => e.id)).toEqual([assigned.id, scored.id]);
    const until = await store.auditTrail({ customerId: customer1, to: scored.recordedAt });
    expect(until.items.map((e) => e.id)).toEqual([captured.id]);
  });

  it('refuses a query without customer or actor, a bad limit and a cursor it did not give', async () => {
    const refused = (query: Parameters<PostgresEventStore['auditTrail']>[0]) =>
      store.auditTrail(query).then(
        () => undefined,
        (error: unknown) => error,
      );
    const field = (error: unknown) => (error as InvalidAuditQueryError).field;
    const noFilter = await refused({});
    expect(noFilter).toBeInstanceOf(InvalidAuditQueryError);
    expect(field(noFilter)).toBe('customerId');
    expect(field(await refused({ actor: ana, limit: 0 }))).toBe('limit');
    expect(field(await refused({ actor: ana, limit: 1001 }))).toBe('limit');
    expect(field(await refused({ actor: ana, cursor: '99999999999999999999' }))).toBe('cursor');
    expect(field(await refused({ actor: ana, cursor: 'abc' }))).toBe('cursor');
  });
});
