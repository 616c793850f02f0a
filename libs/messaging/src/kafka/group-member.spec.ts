import type { ConsumerRunConfig, EachBatchPayload, Kafka } from 'kafkajs';
import type { SubscribeOptions } from '../message-bus.port';
import { GroupMember } from './group-member';

/** Stands in for a kafkajs consumer: records the calls and lets the test crash it. */
class ScriptedConsumer {
  readonly events = { CRASH: 'consumer.crash' };
  private crashListener: ((event: { payload: { error: Error; restart: boolean } }) => void) | undefined;
  runConfig: ConsumerRunConfig | undefined;
  disconnected = false;
  on(_event: string, listener: ScriptedConsumer['crashListener']) {
    this.crashListener = listener;
  }
  async connect() {}
  async subscribe() {}
  async run(config: ConsumerRunConfig) {
    this.runConfig = config;
  }
  async disconnect() {
    this.disconnected = true;
  }
  crash(error: Error, restart: boolean) {
    this.crashListener?.({ payload: { error, restart } });
  }
}

function member(options: Partial<SubscribeOptions> = {}) {
  const consumers: ScriptedConsumer[] = [];
  const kafka = {
    consumer: () => {
      consumers.push(new ScriptedConsumer());
      return consumers[consumers.length - 1];
    },
  } as unknown as Kafka;
  const events: string[] = [];
  const subscribe: SubscribeOptions = {
    groupId: 'g',
    topics: ['t'],
    fromBeginning: true,
    handleBatch: async () => undefined,
    onError: () => void events.push('stopped'),
    onRestart: () => void events.push('restarted'),
    ...options,
  };
  const m = new GroupMember(kafka, subscribe, { restartDelayMs: 10 }, { log: () => undefined });
  return { m, consumers, events };
}

const until = async (condition: () => boolean) => {
  for (let i = 0; i < 200 && !condition(); i++) await new Promise((r) => setTimeout(r, 5));
};

function payload(resolved: string[], offsets = ['7', '8']) {
  return {
    batch: {
      topic: 't',
      partition: 0,
      messages: offsets.map((offset) => ({ offset, key: null, value: null, headers: {}, timestamp: '0' })),
    },
    isRunning: () => true,
    isStale: () => false,
    heartbeat: async () => undefined,
    resolveOffset: (offset: string) => void resolved.push(offset),
    commitOffsetsIfNecessary: async () => void resolved.push('commit'),
  } as unknown as EachBatchPayload;
}

describe('GroupMember', () => {
  it('starts a fresh consumer when kafkajs gives up on one (restart: false)', async () => {
    const { m, consumers, events } = member();
    await m.start();
    consumers[0].crash(new TypeError("Cannot read properties of undefined (reading 'length')"), false);
    await until(() => events.includes('restarted'));
    expect(events).toEqual(['stopped', 'restarted']);
    expect(consumers).toHaveLength(2);
    expect(consumers[0].disconnected).toBe(true);
    expect(consumers[1].runConfig).toBeDefined();
    await m.stop();
  });

  it('leaves restarts after retriable crashes to kafkajs, and none after stop()', async () => {
    const { m, consumers, events } = member();
    await m.start();
    consumers[0].crash(new Error('coordinator moved'), true);
    await m.stop();
    consumers[0].crash(new Error('late'), false);
    await new Promise((r) => setTimeout(r, 50));
    expect(consumers).toHaveLength(1);
    expect(events).toEqual([]);
  });

  it('hands a handler error to kafkajs as retriable and commits nothing; commits a handled batch', async () => {
    let fail = true;
    const { m, consumers } = member({
      handleBatch: async () => {
        if (fail) throw new TypeError('boom');
      },
    });
    await m.start();
    const eachBatch = consumers[0].runConfig!.eachBatch!;
    const resolved: string[] = [];
    await expect(eachBatch(payload(resolved))).rejects.toMatchObject({
      name: 'BatchHandlerError',
      retriable: true,
    });
    expect(resolved).toEqual([]);
    fail = false;
    await eachBatch(payload(resolved));
    expect(resolved).toEqual(['8', 'commit']);
    await m.stop();
  });
});
