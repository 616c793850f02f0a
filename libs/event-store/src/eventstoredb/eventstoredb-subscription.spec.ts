import { EventEmitter } from 'node:events';
import type { AllStreamResolvedEvent, AllStreamSubscription } from '@eventstore/db-client';
import type { RecordedEvent } from '../event-store.port';
import { EventStoreDbSubscription } from './eventstoredb-subscription';

const meta = { customerId: 'c', correlationId: 'r', causationId: 'x', schemaVersion: 1, occurredAt: '' };

function resolved(n: number, type = 'T', streamId = 's'): AllStreamResolvedEvent {
  return {
    event: {
      streamId,
      id: `e${n}`,
      revision: BigInt(n),
      type,
      data: { n },
      metadata: meta,
      isJson: true,
      created: new Date(0),
      position: { commit: BigInt(n * 10), prepare: BigInt(n * 10) },
    },
  };
}

/** Stands in for the client's subscription stream: a readable that emits 'data'. */
class FakeStream extends EventEmitter {
  paused = false;
  unsubscribed = false;
  pause(): this {
    this.paused = true;
    return this;
  }
  resume(): this {
    this.paused = false;
    return this;
  }
  async unsubscribe(): Promise<void> {
    this.unsubscribed = true;
  }
  push(...events: AllStreamResolvedEvent[]): void {
    for (const e of events) this.emit('data', e);
  }
}

function gate(): { wait: Promise<void>; open: () => void } {
  let open = (): void => undefined;
  const wait = new Promise<void>((resolve) => (open = resolve));
  return { wait, open };
}

function setup(
  handler: (batch: RecordedEvent[]) => Promise<void>,
  options: { batchSize?: number; after?: bigint } = {},
) {
  const stream = new FakeStream();
  const errors: unknown[] = [];
  const sub = new EventStoreDbSubscription(
    stream as unknown as AllStreamSubscription,
    {
      handler,
      batchSize: options.batchSize,
      after: options.after === undefined ? undefined : { commit: options.after, prepare: options.after },
      onError: (e) => errors.push(e),
    },
    () => undefined,
  );
  return { stream, sub, errors };
}

describe('EventStoreDbSubscription', () => {
  it('hands over what arrived while the handler was busy as the next batch, at most batchSize, paused when full', async () => {
    const batches: string[][] = [];
    const first = gate();
    let waiting: { count: number; open: () => void } | undefined;
    const { stream, sub } = setup(
      async (batch) => {
        batches.push(batch.map((e) => e.id));
        if (waiting && batches.length >= waiting.count) waiting.open();
        if (batches.length === 1) await first.wait;
      },
      { batchSize: 2 },
    );
    const batchCount = (count: number): Promise<void> =>
      new Promise((open) => (batches.length >= count ? open() : (waiting = { count, open })));

    stream.push(resolved(1));
    await batchCount(1); // the handler is now busy with the first batch
    stream.push(resolved(2), resolved(3), resolved(4));
    expect(stream.paused).toBe(true); // a full batch is waiting behind the busy handler
    first.open();
    await batchCount(3);
    expect(batches).toEqual([['e1'], ['e2', 'e3'], ['e4']]);
    expect(stream.paused).toBe(false);
    await sub.stop();
    expect(stream.unsubscribed).toBe(true);
  });

  it('drops system events and events at or before the checkpoint', async () => {
    const seen: string[] = [];
    const done = gate();
    const { stream, sub } = setup(
      async (batch) => {
        seen.push(...batch.map((e) => e.id));
        if (seen.includes('e4')) done.open();
      },
      { after: 20n },
    );
    stream.push(resolved(1), resolved(2), resolved(3, '$metadata'), resolved(5, 'T', '$$s'), resolved(4));
    await done.wait;
    expect(seen).toEqual(['e4']);
    await sub.stop();
  });

  it('stops on a handler error, unsubscribes and reports it', async () => {
    const failure = new Error('boom');
    let calls = 0;
    const { stream, sub, errors } = setup(async () => {
      calls++;
      throw failure;
    });
    stream.push(resolved(1), resolved(2));
    await sub.done;
    stream.push(resolved(3));
    expect({ calls, errors, unsubscribed: stream.unsubscribed }).toEqual({
      calls: 1,
      errors: [failure],
      unsubscribed: true,
    });
  });

  it('stops when the server fails the subscription', async () => {
    const { stream, sub, errors } = setup(async () => undefined);
    const failure = new Error('connection lost');
    stream.emit('error', failure);
    await sub.done;
    expect(errors).toEqual([failure]);
  });

  it('stop() resolves after the batch in flight has been handled', async () => {
    const release = gate();
    const entered = gate();
    let handled = false;
    const { stream, sub } = setup(async () => {
      entered.open();
      await release.wait;
      handled = true;
    });
    stream.push(resolved(1));
    await entered.wait;
    const stopped = sub.stop().then(() => handled);
    release.open();
    expect(await stopped).toBe(true);
  });
});
