import type { AllStreamResolvedEvent, AllStreamSubscription } from '@eventstore/db-client';
import {
  comparePositions,
  type Position,
  type RecordedEvent,
  type Subscription,
  type SubscriptionOptions,
} from '../event-store.port';
import { toRecordedEvent } from './mapping';

const DEFAULT_BATCH_SIZE = 100;

/**
 * Adapts EventStoreDB's push subscription to the port: events received while the handler is busy
 * are buffered and handed over as the next batch (1..batchSize), one batch at a time. The stream is
 * paused while a full batch is waiting, so a slow handler back-pressures the server.
 */
export class EventStoreDbSubscription implements Subscription {
  readonly done: Promise<void>;
  private readonly batchSize: number;
  private readonly buffer: RecordedEvent[] = [];
  private inFlight: Promise<void> | undefined;
  private paused = false;
  private stopped = false;
  private resolveDone: () => void = () => undefined;

  constructor(
    private readonly stream: AllStreamSubscription,
    private readonly options: SubscriptionOptions,
    private readonly onEnd: () => void,
  ) {
    this.batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
    this.done = new Promise((resolve) => (this.resolveDone = resolve));
    stream.on('data', (resolved: AllStreamResolvedEvent) => this.receive(resolved));
    stream.on('error', (error: Error) => void this.fail(error));
    stream.on('end', () => void this.fail(new Error('EventStoreDB ended the subscription')));
  }

  async stop(): Promise<void> {
    if (!this.stopped) {
      this.stopped = true;
      await this.stream.unsubscribe().catch(() => undefined);
      await this.inFlight;
      this.finish();
    }
    return this.done;
  }

  private receive(resolved: AllStreamResolvedEvent): void {
    if (this.stopped) return;
    let event: RecordedEvent | undefined;
    try {
      event = toRecordedEvent(resolved);
    } catch (error) {
      void this.fail(error);
      return;
    }
    // The server's start position is exclusive; the check keeps that true whatever the server version.
    if (event === undefined || (this.options.after && isAtOrBefore(event.position, this.options.after)))
      return;
    this.buffer.push(event);
    if (this.buffer.length >= this.batchSize && !this.paused) {
      this.paused = true;
      this.stream.pause();
    }
    if (this.inFlight === undefined) this.inFlight = this.pump();
  }

  private async pump(): Promise<void> {
    // Let the events that arrived together land in the buffer before the first batch is cut.
    await Promise.resolve();
    try {
      while (this.buffer.length > 0 && !this.stopped) {
        const batch = this.buffer.splice(0, this.batchSize);
        if (this.paused && this.buffer.length < this.batchSize) {
          this.paused = false;
          this.stream.resume();
        }
        await this.options.handler(batch);
      }
    } catch (error) {
      this.inFlight = undefined;
      await this.fail(error);
    } finally {
      this.inFlight = undefined;
    }
  }

  private async fail(error: unknown): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    await this.stream.unsubscribe().catch(() => undefined);
    await this.inFlight;
    try {
      this.options.onError?.(error);
    } catch {
      // onError must not turn `done` into a rejection.
    }
    this.finish();
  }

  private finish(): void {
    this.buffer.length = 0;
    this.onEnd();
    this.resolveDone();
  }
}

function isAtOrBefore(position: Position, after: Position): boolean {
  return comparePositions(position, after) <= 0;
}
