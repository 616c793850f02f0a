import type { GroupOffsets, TopicOffsets } from '@crm/messaging';

/**
 * How far a group is through the topics: `total` records they hold (high - low watermark, summed
 * over partitions) and `done` of them applied by the group (committed - low).
 */
export function offsetProgress(
  offsets: TopicOffsets,
  committed: GroupOffsets,
): { done: number; total: number } {
  let done = 0;
  let total = 0;
  for (const [topic, partitions] of Object.entries(offsets))
    for (const { partition, low, high } of partitions) {
      total += high - low;
      const at = committed[topic]?.[partition] ?? -1;
      done += at >= 0 ? Math.min(Math.max(at, low), high) - low : 0;
    }
  return { done, total };
}

/** Events per second over the last `windowMs` of samples of a growing count. */
export class RateMeter {
  private samples: { at: number; count: number }[] = [];

  constructor(private readonly windowMs = 10_000) {}

  add(at: number, count: number): void {
    this.samples.push({ at, count });
    while (this.samples.length > 2 && this.samples[1].at <= at - this.windowMs) this.samples.shift();
  }

  perSecond(): number {
    if (this.samples.length < 2) return 0;
    const first = this.samples[0];
    const last = this.samples[this.samples.length - 1];
    const seconds = (last.at - first.at) / 1000;
    return seconds > 0 ? Math.max(0, (last.count - first.count) / seconds) : 0;
  }
}

/** Seconds left at `ratePerSecond` (null while nothing moves). */
export function etaSeconds(done: number, total: number, ratePerSecond: number): number | null {
  if (done >= total) return 0;
  return ratePerSecond > 0 ? Math.ceil((total - done) / ratePerSecond) : null;
}
