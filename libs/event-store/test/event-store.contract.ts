import { randomUUID } from 'node:crypto';
import { comparePositions, type EventStore, type RecordedEvent } from '@crm/event-store';
import {
  Collector,
  event,
  events,
  expectConflict,
  ids,
  mark,
  metadata,
  readAllOf,
  uniqueStream,
} from './support';

export interface ContractOptions {
  /** Timeout of the suite's setup (starting a container can take a while). */
  setupTimeoutMs?: number;
}

/**
 * The behaviour every EventStore adapter must show. `factory` builds a store; the suite migrates it
 * first and closes it at the end. Tests share the store, so each uses its own streams, and global
 * reads start from a marker appended by the test itself.
 */
export function describeEventStoreContract(
  name: string,
  factory: () => Promise<EventStore>,
  options: ContractOptions = {},
): void {
  describe(`EventStore contract: ${name}`, () => {
    let store: EventStore;

    beforeAll(async () => {
      store = await factory();
      await store.migrate();
      await store.migrate(); // safe to run on every start
      await store.ping();
    }, options.setupTimeoutMs);

    afterAll(async () => {
      await store?.close();
    });

    describe('append and readStream', () => {
      it('reads a stream forwards, revisions from 0', async () => {
        const stream = uniqueStream('fwd');
        const appended = events(3);
        expect(await store.append(stream, appended, 'no_stream')).toEqual({
          nextExpectedRevision: 2,
          idempotentReplay: false,
        });
        const read = await store.readStream(stream);
        expect(ids(read)).toEqual(ids(appended));
        expect(read.map((e) => e.revision)).toEqual([0, 1, 2]);
        expect(read.every((e) => e.streamId === stream && e.type === 'Tested')).toBe(true);
        expect(read.map((e) => e.data)).toEqual([{ i: 0 }, { i: 1 }, { i: 2 }]);
      });

      it('reads backwards, from a revision (inclusive), with maxCount', async () => {
        const stream = uniqueStream('range');
        const appended = events(5);
        await store.append(stream, appended, 'no_stream');
        const revisions = (list: RecordedEvent[]): number[] => list.map((e) => e.revision);
        expect(revisions(await store.readStream(stream, { direction: 'backwards' }))).toEqual([
          4, 3, 2, 1, 0,
        ]);
        expect(revisions(await store.readStream(stream, { fromRevision: 2 }))).toEqual([2, 3, 4]);
        expect(revisions(await store.readStream(stream, { fromRevision: 1, maxCount: 2 }))).toEqual([1, 2]);
        expect(
          revisions(await store.readStream(stream, { direction: 'backwards', fromRevision: 3 })),
        ).toEqual([3, 2, 1, 0]);
        expect(
          revisions(await store.readStream(stream, { direction: 'backwards', fromRevision: 3, maxCount: 2 })),
        ).toEqual([3, 2]);
        expect(revisions(await store.readStream(stream, { direction: 'backwards', maxCount: 1 }))).toEqual([
          4,
        ]);
        expect(await store.readStream(stream, { fromRevision: 5 })).toEqual([]);
      });

      it('returns [] for a stream that does not exist', async () => {
        expect(await store.readStream(uniqueStream('missing'))).toEqual([]);
        expect(await store.readStream(uniqueStream('missing'), { direction: 'backwards' })).toEqual([]);
      });

      it('round-trips data and metadata, and records when', async () => {
        const stream = uniqueStream('roundtrip');
        const meta = metadata({
          traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
          tracestate: 'vendor=value',
          actor: 'user:42',
          schemaVersion: 3,
        });
        const data = { name: 'Zoë «Ω»', nested: { list: [1, 'two', null, true], empty: {} }, amount: 12.5 };
        const appended = event('RoundTripped', data, meta);
        await store.append(stream, [appended], 'no_stream');
        const [read] = await store.readStream(stream);
        expect(read).toMatchObject({ id: appended.id, type: 'RoundTripped', streamId: stream, revision: 0 });
        expect(read.data).toEqual(data);
        expect(read.metadata).toEqual(meta);
        expect(read.recordedAt).toBeInstanceOf(Date);
        expect(Number.isNaN(read.recordedAt.getTime())).toBe(false);
      });
    });

    describe('expected revision', () => {
      it("'no_stream' creates a stream and is rejected, with the actual revision, once it exists", async () => {
        const stream = uniqueStream('nostream');
        await store.append(stream, events(2), 'no_stream');
        await expectConflict(store.append(stream, events(1), 'no_stream'), 1);
        expect(await store.readStream(stream)).toHaveLength(2);
      });

      it("'stream_exists' is rejected for a missing stream (actual -1) and appends to an existing one", async () => {
        const stream = uniqueStream('exists');
        const error = await expectConflict(store.append(stream, events(1), 'stream_exists'), -1);
        expect(error).toMatchObject({ streamId: stream, expected: 'stream_exists' });
        await store.append(stream, events(1), 'no_stream');
        expect(await store.append(stream, events(2), 'stream_exists')).toEqual({
          nextExpectedRevision: 2,
          idempotentReplay: false,
        });
      });

      it("'any' appends whether or not the stream exists", async () => {
        const stream = uniqueStream('any');
        expect((await store.append(stream, events(1), 'any')).nextExpectedRevision).toBe(0);
        expect((await store.append(stream, events(2), 'any')).nextExpectedRevision).toBe(2);
        expect(await store.readStream(stream)).toHaveLength(3);
      });

      it('an exact revision appends when it matches and is rejected with the actual revision when not', async () => {
        const stream = uniqueStream('exact');
        let { nextExpectedRevision } = await store.append(stream, events(1), 'no_stream');
        ({ nextExpectedRevision } = await store.append(stream, events(2), nextExpectedRevision));
        expect(nextExpectedRevision).toBe(2);
        await expectConflict(store.append(stream, events(1), 1), 2);
        await expectConflict(store.append(stream, events(1), 3), 2);
        expect((await store.append(stream, events(1), 2)).nextExpectedRevision).toBe(3);
        expect((await store.readStream(stream)).map((e) => e.revision)).toEqual([0, 1, 2, 3]);
      });

      it('an exact revision on a missing stream is rejected with actual -1', async () => {
        await expectConflict(store.append(uniqueStream('exact-missing'), events(1), 0), -1);
      });
    });

    describe('idempotency', () => {
      it('re-appending the same ids is a no-op that succeeds, and the revision does not move', async () => {
        const stream = uniqueStream('idem');
        const first = events(2);
        expect(await store.append(stream, first, 'no_stream')).toEqual({
          nextExpectedRevision: 1,
          idempotentReplay: false,
        });
        expect(await store.append(stream, first, 'no_stream')).toEqual({
          nextExpectedRevision: 1,
          idempotentReplay: true,
        });
        expect(ids(await store.readStream(stream))).toEqual(ids(first));
      });

      it('a retry after later appends is still a replay, whatever revision it expected', async () => {
        const stream = uniqueStream('idem-later');
        const first = events(2);
        const second = events(1);
        await store.append(stream, first, 'no_stream');
        await store.append(stream, second, 1);
        const replay = { nextExpectedRevision: 2, idempotentReplay: true };
        expect(await store.append(stream, second, 1)).toEqual(replay);
        expect(await store.append(stream, first, 'no_stream')).toEqual(replay);
        expect(await store.append(stream, first, 'any')).toEqual(replay);
        expect(ids(await store.readStream(stream))).toEqual([...ids(first), ...ids(second)]);
      });
    });

    describe('readAll', () => {
      it('returns events in append order across streams, strictly after `after`', async () => {
        const start = await mark(store);
        const [a, b] = [uniqueStream('all-a'), uniqueStream('all-b')];
        const [a0, b0, a1] = [event('A0'), event('B0'), event('A1')];
        await store.append(a, [a0], 'no_stream');
        await store.append(b, [b0], 'no_stream');
        await store.append(a, [a1], 0);

        const read = await readAllOf(store, start, [a, b], 3);
        expect(ids(read)).toEqual([a0.id, b0.id, a1.id]);
        for (let i = 1; i < read.length; i++)
          expect(comparePositions(read[i - 1].position, read[i].position)).toBe(-1);
        expect(comparePositions(start, read[0].position)).toBe(-1);

        const afterA0 = (await store.readAll({ after: read[0].position })).filter((e) =>
          [a, b].includes(e.streamId),
        );
        expect(ids(afterA0)).toEqual([b0.id, a1.id]);
        const afterLast = (await store.readAll({ after: read[2].position })).filter((e) =>
          [a, b].includes(e.streamId),
        );
        expect(afterLast).toEqual([]);
      });

      it('honours maxCount, and starts from the beginning when `after` is omitted', async () => {
        const start = await mark(store);
        const stream = uniqueStream('all-max');
        await store.append(stream, events(3), 'no_stream');
        await readAllOf(store, start, [stream], 3);
        const two = await store.readAll({ after: start, maxCount: 2 });
        expect(two).toHaveLength(2);
        expect(ids(two)).toEqual(ids((await store.readAll({ after: start })).slice(0, 2)));
        const [first] = await store.readAll({ maxCount: 1 });
        expect(comparePositions(first.position, start)).toBeLessThanOrEqual(0);
      });
    });

    describe('subscribeToAll', () => {
      it('delivers history, then live events, in order and each once, in batches of at most batchSize', async () => {
        const start = await mark(store);
        const [s, t] = [uniqueStream('sub-s'), uniqueStream('sub-t')];
        const history = events(3, 'History');
        await store.append(s, history, 'no_stream');

        const collector = new Collector();
        const sub = store.subscribeToAll({
          after: start,
          batchSize: 2,
          handler: collector.handler,
          onError: collector.onError,
        });
        await collector.until(() => collector.of([s, t]).length >= 3);

        const live = [event('Live0'), event('Live1'), event('Live2')];
        await store.append(s, [live[0]], 2);
        await store.append(t, [live[1], live[2]], 'no_stream');
        const sentinel = event('Sentinel');
        await store.append(t, [sentinel], 1);
        await collector.untilEvent(sentinel.id);
        await sub.stop();
        await sub.done;

        expect(ids(collector.of([s, t]))).toEqual([...ids(history), ...ids(live), sentinel.id]);
        expect(collector.events.every((e) => comparePositions(e.position, start) > 0)).toBe(true);
        expect(Math.max(...collector.batchSizes)).toBeLessThanOrEqual(2);
        expect(collector.of([s])[3].metadata).toEqual(live[0].metadata);
      });

      it('resumes from a checkpoint without duplicates or gaps', async () => {
        const start = await mark(store);
        const stream = uniqueStream('resume');
        const before = events(5);
        await store.append(stream, before, 'no_stream');

        // First run: takes one batch, then is stopped while that batch is still being handled.
        const first = new Collector();
        let release: () => void = () => undefined;
        const gate = new Promise<void>((resolve) => (release = resolve));
        const sub1 = store.subscribeToAll({
          after: start,
          batchSize: 2,
          onError: first.onError,
          handler: async (batch) => {
            await first.handler(batch);
            await gate;
          },
        });
        await first.until(() => first.events.length > 0);
        const stopping = sub1.stop();
        release();
        await stopping;
        const checkpoint = first.events[first.events.length - 1].position;
        expect(first.of([stream]).length).toBeLessThan(5);

        const after = events(2);
        await store.append(stream, after, 4);
        const sentinel = event('Sentinel');
        await store.append(stream, [sentinel], 6);
        const second = new Collector();
        const sub2 = store.subscribeToAll({
          after: checkpoint,
          handler: second.handler,
          onError: second.onError,
        });
        await second.untilEvent(sentinel.id);
        await sub2.stop();

        const seen = [...first.of([stream]), ...second.of([stream])];
        expect(ids(seen)).toEqual([...ids(before), ...ids(after), sentinel.id]);
      });

      it('stop() resolves only after the batch in flight has been handled', async () => {
        const start = await mark(store);
        const stream = uniqueStream('stop');
        await store.append(stream, events(1), 'no_stream');
        let release: () => void = () => undefined;
        const gate = new Promise<void>((resolve) => (release = resolve));
        let entered: () => void = () => undefined;
        const inHandler = new Promise<void>((resolve) => (entered = resolve));
        let handled = false;
        const sub = store.subscribeToAll({
          after: start,
          handler: async () => {
            entered();
            await gate;
            handled = true;
          },
        });
        await inHandler;
        const stopped = sub.stop().then(() => handled);
        release();
        expect(await stopped).toBe(true);
      });

      it('stops and reports a handler error through onError', async () => {
        const start = await mark(store);
        await store.append(uniqueStream('fail'), events(2), 'no_stream');
        const failure = new Error(`handler failed ${randomUUID()}`);
        const errors: unknown[] = [];
        let calls = 0;
        const sub = store.subscribeToAll({
          after: start,
          batchSize: 1,
          handler: async () => {
            calls++;
            throw failure;
          },
          onError: (error) => errors.push(error),
        });
        await sub.done;
        expect(errors).toEqual([failure]);
        expect(calls).toBe(1);
        await sub.stop(); // harmless once stopped
      });
    });
  });
}
