import { comparePositions, type Position } from '../event-store.port';

/**
 * In-process wake-up for polling subscribers. Appends through the same store call notify() with the
 * position they wrote; a subscriber that found nothing new waits for the next notify() or its poll
 * interval, whichever comes first. The generation counter closes the gap between "the read found
 * nothing" and "started waiting"; `latest` tells a subscriber that an append it has not read yet
 * exists (it may still be behind the fence), so that it looks again soon rather than a poll later.
 */
export class Wakeup {
  private generation = 0;
  private latestPosition: Position | undefined;
  private readonly waiters = new Set<() => void>();

  /** The generation to pass to wait(); take it before reading. */
  get current(): number {
    return this.generation;
  }

  /** Position of the latest append notified, if any. */
  get latest(): Position | undefined {
    return this.latestPosition;
  }

  notify(position: Position): void {
    if (this.latestPosition === undefined || comparePositions(position, this.latestPosition) > 0) {
      this.latestPosition = position;
    }
    this.generation++;
    for (const wake of [...this.waiters]) wake();
  }

  /** Resolves on the first notify() after `since` (at once if one already happened), after `ms`, or on cancel(). */
  wait(since: number, ms: number): { promise: Promise<void>; cancel: () => void } {
    if (this.generation !== since) return { promise: Promise.resolve(), cancel: () => undefined };
    let resolve: () => void = () => undefined;
    const promise = new Promise<void>((r) => (resolve = r));
    const wake = (): void => {
      clearTimeout(timer);
      this.waiters.delete(wake);
      resolve();
    };
    const timer = setTimeout(wake, ms);
    this.waiters.add(wake);
    return { promise, cancel: wake };
  }
}
