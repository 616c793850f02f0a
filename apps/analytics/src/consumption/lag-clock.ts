import type { GroupOffsets, TopicOffsets } from '@crm/messaging';

/** When a partition's high watermark was first seen at a value. */
interface Sample {
  at: number;
  high: number;
}

/** How far behind a group is on one topic: records, and the age of the oldest one not applied. */
export interface TopicLag {
  topic: string;
  messages: number;
  /** Seconds since the oldest record not yet applied was first seen on the broker (0: none). */
  seconds: number;
  /**
   * True when that record was there before the first sample of this process (or before the
   * samples kept): it is at least `seconds` old, maybe older.
   */
  atLeast: boolean;
}

/**
 * The age of unconsumed records without reading them: the watermarks of every partition are
 * sampled (each supervision tick) and a record at offset `o` is dated by the first sample whose
 * high watermark was above `o`, i.e. when it was first seen on the broker (accurate to one tick).
 * Samples older than `windowMs` are dropped, but the newest of them stays as the baseline.
 */
export class LagClock {
  private readonly samples = new Map<string, Sample[]>();

  constructor(private readonly windowMs: number) {}

  /** Records the watermarks read at `now` (epoch ms). */
  observe(offsets: TopicOffsets, now: number): void {
    for (const [topic, partitions] of Object.entries(offsets))
      for (const { partition, high } of partitions) {
        const key = `${topic}/${partition}`;
        const list = this.samples.get(key) ?? [];
        if (list.length === 0 || list[list.length - 1].high !== high) list.push({ at: now, high });
        while (list.length > 1 && list[1].at < now - this.windowMs) list.shift();
        this.samples.set(key, list);
      }
  }

  /** The lag of a group on each topic, from the last watermarks and its committed offsets. */
  lag(offsets: TopicOffsets, committed: GroupOffsets, now: number): TopicLag[] {
    return Object.entries(offsets).map(([topic, partitions]) => {
      let messages = 0;
      let seconds = 0;
      let atLeast = false;
      for (const { partition, low, high } of partitions) {
        const done = committed[topic]?.[partition] ?? -1;
        const next = done >= 0 ? Math.max(done, low) : low;
        if (next >= high) continue;
        messages += high - next;
        const age = this.ageOf(`${topic}/${partition}`, next, now);
        if (age.seconds > seconds || (age.seconds === seconds && age.atLeast)) {
          seconds = age.seconds;
          atLeast = age.atLeast;
        }
      }
      return { topic, messages, seconds, atLeast };
    });
  }

  private ageOf(key: string, offset: number, now: number): { seconds: number; atLeast: boolean } {
    const list = this.samples.get(key) ?? [];
    const first = list.findIndex((s) => s.high > offset);
    if (first < 0) return { seconds: 0, atLeast: true };
    return { seconds: Math.max(0, (now - list[first].at) / 1000), atLeast: first === 0 };
  }
}
