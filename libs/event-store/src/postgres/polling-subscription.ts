import {
  comparePositions,
  type Position,
  type RecordedEvent,
  type Subscription,
  type SubscriptionOptions,
} from '../event-store.port';
import type { Wakeup } from './wakeup';

export interface PollingSubscriptionDeps {
  /** Reads up to `maxCount` events strictly after `after`, in global order. */
  read(after: Position | undefined, maxCount: number): Promise<RecordedEvent[]>;
  wakeup: Wakeup;
  pollIntervalMs: number;
  /** Called once the subscription has ended, whatever the reason. */
  onEnd(): void;
}

export const DEFAULT_BATCH_SIZE = 100;
/** First retry delay when an in-process append is known but not readable yet (behind the fence). */
const FIRST_RETRY_MS = 5;

/**
 * Catch-up subscription by polling: reads batches after the checkpoint and hands them to the handler
 * one at a time. When a read comes back short it waits for an in-process append or the poll interval;
 * if an in-process append it has not read yet exists (held back by an older open transaction), it
 * looks again after a short delay that doubles up to the poll interval.
 */
export class PollingSubscription implements Subscription {
  readonly done: Promise<void>;
  private stopped = false;
  private cancelWait: () => void = () => undefined;

  constructor(
    private readonly options: SubscriptionOptions,
    private readonly deps: PollingSubscriptionDeps,
  ) {
    const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
    if (!Number.isSafeInteger(batchSize) || batchSize < 1)
      throw new Error('batchSize must be a positive integer');
    this.done = this.run(batchSize);
  }

  stop(): Promise<void> {
    this.stopped = true;
    this.cancelWait();
    return this.done;
  }

  private async run(batchSize: number): Promise<void> {
    const { wakeup, pollIntervalMs } = this.deps;
    let after = this.options.after;
    let retryMs = 0;
    try {
      while (!this.stopped) {
        const generation = wakeup.current;
        const batch = await this.deps.read(after, batchSize);
        if (this.stopped) break;
        if (batch.length > 0) {
          await this.options.handler(batch);
          after = batch[batch.length - 1].position;
        }
        if (batch.length === batchSize || this.stopped) continue;
        const latest = wakeup.latest;
        const owed = latest !== undefined && (after === undefined || comparePositions(latest, after) > 0);
        retryMs = owed ? Math.min(retryMs === 0 ? FIRST_RETRY_MS : retryMs * 2, pollIntervalMs) : 0;
        const wait = wakeup.wait(generation, owed ? retryMs : pollIntervalMs);
        this.cancelWait = wait.cancel;
        await wait.promise;
      }
    } catch (error) {
      this.stopped = true;
      try {
        this.options.onError?.(error);
      } catch {
        // onError must not turn `done` into a rejection.
      }
    } finally {
      this.deps.onEnd();
    }
  }
}
