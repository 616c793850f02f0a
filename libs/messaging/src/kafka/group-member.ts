import type { Consumer, EachBatchPayload, Kafka } from 'kafkajs';
import { errorFields, type MessagingLogger } from '../log/json-logger';
import type { IncomingMessage, SubscribeOptions } from '../message-bus.port';
import { toIncoming } from './kafka-messages';

/** Consumer tuning of the Kafka adapter (kafkajs defaults otherwise). */
export interface GroupMemberTuning {
  sessionTimeoutMs?: number;
  heartbeatIntervalMs?: number;
  /** Longest a fetch waits for new data; lower means faster stop() and lower latency on idle topics. */
  maxWaitTimeMs?: number;
  /** First wait before a crashed consumer is started again (doubling up to 30 s). */
  restartDelayMs?: number;
  /** Most bytes a fetch returns per partition (kafkajs default 1 MiB): larger means larger batches. */
  maxBytesPerPartition?: number;
  /** Most bytes a fetch returns over all partitions (kafkajs default 10 MiB). */
  maxBytes?: number;
  /** Least bytes a fetch waits for, at most `maxWaitTimeMs` (kafkajs default 1). */
  minBytes?: number;
}

const MAX_RESTART_DELAY_MS = 30_000;

/**
 * One consumer group membership that no record and no crash ends for good. kafkajs restarts a
 * consumer after retriable failures by itself; after a non-retriable one (`restart: false`) it
 * leaves the consumer stopped. This member then starts a fresh kafkajs consumer, with a growing
 * delay, until it runs again or `stop()` is called. Batch handler errors reach kafkajs as
 * retriable, so that a handler's TypeError does not count as the client's own fault.
 */
export class GroupMember {
  private consumer: Consumer | undefined;
  private stopped = false;
  private restartTimer: NodeJS.Timeout | undefined;
  private restartDelayMs: number;

  constructor(
    private readonly kafka: Kafka,
    private readonly options: SubscribeOptions,
    private readonly tuning: GroupMemberTuning,
    private readonly logger: MessagingLogger,
  ) {
    this.restartDelayMs = tuning.restartDelayMs ?? 1_000;
  }

  /** Joins the group; rejects when the first start fails (the caller decides whether to retry). */
  async start(): Promise<void> {
    await this.run();
  }

  /** Leaves the group after the batch in flight; no restart after this. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.restartTimer);
    await this.consumer?.disconnect();
  }

  private async run(): Promise<Consumer> {
    const t = this.tuning;
    const consumer = this.kafka.consumer({
      groupId: this.options.groupId,
      allowAutoTopicCreation: false,
      ...(t.sessionTimeoutMs !== undefined ? { sessionTimeout: t.sessionTimeoutMs } : {}),
      ...(t.heartbeatIntervalMs !== undefined ? { heartbeatInterval: t.heartbeatIntervalMs } : {}),
      ...(t.maxWaitTimeMs !== undefined ? { maxWaitTimeInMs: t.maxWaitTimeMs } : {}),
      ...(t.maxBytesPerPartition !== undefined ? { maxBytesPerPartition: t.maxBytesPerPartition } : {}),
      ...(t.maxBytes !== undefined ? { maxBytes: t.maxBytes } : {}),
      ...(t.minBytes !== undefined ? { minBytes: t.minBytes } : {}),
    });
    this.consumer = consumer;
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      this.logger.log(payload.restart ? 'warn' : 'error', 'consumer crashed', {
        groupId: this.options.groupId,
        restart: payload.restart,
        ...errorFields(payload.error),
      });
      if (payload.restart || this.stopped || consumer !== this.consumer) return;
      this.options.onError?.(payload.error);
      this.scheduleRestart();
    });
    const heartbeatEveryMs = Math.max(500, Math.floor((t.heartbeatIntervalMs ?? 3000) / 2));
    try {
      await consumer.connect();
      await consumer.subscribe({ topics: this.options.topics, fromBeginning: this.options.fromBeginning });
      await consumer.run({
        autoCommit: true,
        autoCommitInterval: null,
        // With a threshold of 1, commitOffsetsIfNecessary() commits whatever was resolved.
        autoCommitThreshold: 1,
        eachBatchAutoResolve: false,
        partitionsConsumedConcurrently: 1,
        eachBatch: (payload) => this.runBatch(payload, heartbeatEveryMs),
      });
    } catch (error) {
      await consumer.disconnect().catch(() => undefined);
      throw error;
    }
    return consumer;
  }

  private scheduleRestart(): void {
    if (this.stopped) return;
    const delay = this.restartDelayMs;
    this.restartTimer = setTimeout(() => void this.restart(), delay);
    this.restartDelayMs = Math.min(delay * 2, MAX_RESTART_DELAY_MS);
  }

  private async restart(): Promise<void> {
    if (this.stopped) return;
    await this.consumer?.disconnect().catch(() => undefined);
    try {
      const consumer = await this.run();
      if (this.stopped) {
        await consumer.disconnect().catch(() => undefined);
        return;
      }
      this.restartDelayMs = this.tuning.restartDelayMs ?? 1_000;
      this.logger.log('warn', 'consumer restarted', { groupId: this.options.groupId });
      this.options.onRestart?.();
    } catch (error) {
      this.logger.log('error', 'consumer restart failed; trying again', {
        groupId: this.options.groupId,
        ...errorFields(error),
      });
      this.scheduleRestart();
    }
  }

  private async runBatch(payload: EachBatchPayload, heartbeatEveryMs: number): Promise<void> {
    const { batch } = payload;
    const running = () => payload.isRunning() && !payload.isStale();
    if (batch.messages.length === 0 || !running()) return;
    const messages: IncomingMessage[] = batch.messages.map((m) =>
      toIncoming(batch.topic, batch.partition, m),
    );
    const timer = setInterval(() => {
      payload.heartbeat().catch(() => undefined); // a rebalance surfaces at commit time
    }, heartbeatEveryMs);
    try {
      await this.options.handleBatch(messages, { isRunning: running });
    } catch (error) {
      if (!running()) return; // stopping: nothing resolved, the next member gets the batch again
      // Retriable for kafkajs whatever the handler threw: a TypeError would otherwise stop the
      // consumer for good (restart: false).
      throw Object.assign(new Error(`batch handler failed: ${String(error)}`, { cause: error }), {
        name: 'BatchHandlerError',
        retriable: true,
      });
    } finally {
      clearInterval(timer);
    }
    payload.resolveOffset(messages[messages.length - 1].offset);
    await payload.commitOffsetsIfNecessary();
  }
}
