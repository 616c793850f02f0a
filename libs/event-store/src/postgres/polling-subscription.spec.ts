import type { Position, RecordedEvent } from '../event-store.port';
import { PollingSubscription } from './polling-subscription';
import { Wakeup } from './wakeup';

const HOUR = 3_600_000;

function recorded(prepare: number): RecordedEvent {
  return {
    id: `e${prepare}`,
    type: 'T',
    streamId: 's',
    revision: prepare,
    position: { commit: 1n, prepare: BigInt(prepare) },
    data: {},
    metadata: { customerId: 'c', correlationId: 'r', causationId: 'x', schemaVersion: 1, occurredAt: '' },
    recordedAt: new Date(0),
  };
}

/** A log in memory; `visible` plays the fence: events beyond it exist but cannot be read yet. */
class FakeLog {
  events: RecordedEvent[] = [];
  visible = Number.POSITIVE_INFINITY;
  reads: (Position | undefined)[] = [];
  private readWaiters: (() => void)[] = [];

  read = async (after: Position | undefined, maxCount: number): Promise<RecordedEvent[]> => {
    this.reads.push(after);
    for (const wake of this.readWaiters.splice(0)) wake();
    const from = after === undefined ? 0 : Number(after.prepare);
    return this.events
      .filter((e) => Number(e.position.prepare) > from && e.revision < this.visible)
      .slice(0, maxCount);
  };

  /** Resolves at the next read. */
  nextRead(): Promise<void> {
    return new Promise((resolve) => this.readWaiters.push(resolve));
  }
}

const open: PollingSubscription[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.stop()));
});

function subscribe(
  log: FakeLog,
  wakeup: Wakeup,
  handler: (batch: RecordedEvent[]) => Promise<void>,
  batchSize = 2,
) {
  const errors: unknown[] = [];
  const sub = new PollingSubscription(
    { handler, batchSize, onError: (e) => errors.push(e) },
    { read: log.read, wakeup, pollIntervalMs: HOUR, onEnd: () => undefined },
  );
  open.push(sub);
  return { sub, errors };
}

describe('PollingSubscription', () => {
  it('catches up in batches, then an in-process append wakes it before the poll interval', async () => {
    const log = new FakeLog();
    log.events = [1, 2, 3].map(recorded);
    const wakeup = new Wakeup();
    const batches: number[][] = [];
    let delivered = (): void => undefined;
    const { sub } = subscribe(log, wakeup, async (batch) => {
      batches.push(batch.map((e) => e.revision));
      delivered();
    });
    await new Promise<void>((resolve) => (delivered = () => batches.length === 2 && resolve()));
    expect(batches).toEqual([[1, 2], [3]]);

    const live = new Promise<void>((resolve) => (delivered = resolve));
    log.events.push(recorded(4));
    wakeup.notify(log.events[3].position);
    await live;
    expect(batches).toEqual([[1, 2], [3], [4]]);
    await sub.stop();
  });

  it('keeps looking for an in-process append that the fence still hides, without another notify', async () => {
    const log = new FakeLog();
    log.events = [recorded(1)];
    log.visible = 0; // appended (and about to be notified) but behind an older open transaction
    const wakeup = new Wakeup();
    const seen: number[] = [];
    let delivered = (): void => undefined;
    const { sub } = subscribe(log, wakeup, async (batch) => {
      seen.push(...batch.map((e) => e.revision));
      delivered();
    });
    wakeup.notify(log.events[0].position);
    await log.nextRead(); // woken by the notify: still hidden
    await log.nextRead(); // looked again on its own, not an hour later
    const arrived = new Promise<void>((resolve) => (delivered = resolve));
    log.visible = Number.POSITIVE_INFINITY; // the older transaction ended
    await arrived;
    expect(seen).toEqual([1]);
    await sub.stop();
  });

  it('stop() resolves after the batch in flight has been handled', async () => {
    const log = new FakeLog();
    log.events = [recorded(1)];
    let release = (): void => undefined;
    let entered = (): void => undefined;
    const inHandler = new Promise<void>((resolve) => (entered = resolve));
    let handled = false;
    const { sub } = subscribe(log, new Wakeup(), async () => {
      entered();
      await new Promise<void>((resolve) => (release = resolve));
      handled = true;
    });
    await inHandler;
    const stopped = sub.stop().then(() => handled);
    release();
    expect(await stopped).toBe(true);
  });

  it('stops on a handler error and reports it', async () => {
    const log = new FakeLog();
    log.events = [1, 2, 3].map(recorded);
    const failure = new Error('boom');
    let calls = 0;
    const { sub, errors } = subscribe(log, new Wakeup(), async () => {
      calls++;
      throw failure;
    });
    await sub.done;
    expect(errors).toEqual([failure]);
    expect(calls).toBe(1);
  });

  it('rejects a batch size below 1', () => {
    expect(() => subscribe(new FakeLog(), new Wakeup(), async () => undefined, 0)).toThrow('batchSize');
  });
});
