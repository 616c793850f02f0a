import {
  PublishedEventsReader,
  callService,
  kafkaBrokers,
  waitFor,
  type CrossService,
  type PublishedEvent,
} from '@crm/test-support';

/**
 * What the end-to-end specs of analytics share: the four topics of a run read as integrators read
 * them (the witness of every time the services recorded), the lag metrics, and the few formulas the specs compute expected figures with.
 */

export const DAY_MS = 86_400_000;

/** The four topics of a run, each followed from its beginning. */
export class RunTopics {
  private constructor(private readonly readers: Record<string, PublishedEventsReader>) {}

  static async follow(services: CrossService): Promise<RunTopics> {
    const contexts = ['leads', 'pipeline', 'service', 'marketing'];
    const readers = await Promise.all(
      services.topics.map((topic) => PublishedEventsReader.follow(kafkaBrokers(), topic)),
    );
    return new RunTopics(Object.fromEntries(contexts.map((c, i) => [c, readers[i]])));
  }

  /** Every event of one context (`leads`, `pipeline`, `service`, `marketing`). */
  of(context: string): PublishedEvent[] {
    return this.readers[context].events;
  }

  all(): PublishedEvent[] {
    return Object.values(this.readers).flatMap((r) => r.events);
  }

  /** The data of the events of `type` (short name, e.g. `OpportunityWon`) matching `where`. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- event data as published
  data(type: string, where: (data: any, e: PublishedEvent) => boolean = () => true): any[] {
    return this.all()
      .filter((e) => e.event.type.split('.')[2] === type && where(e.event.data, e))
      .map((e) => e.event.data);
  }

  /** Waits for the one event of `type` matching `where`; answers its data. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- event data as published
  one(type: string, where: (data: any, e: PublishedEvent) => boolean, timeoutMs = 90_000): Promise<any> {
    return waitFor(
      `${type} on the topics`,
      () => {
        const found = this.data(type, where);
        return found.length === 1 ? found[0] : undefined;
      },
      timeoutMs,
    );
  }

  rejected(): string[] {
    return Object.values(this.readers).flatMap((r) => r.rejected.map((x) => x.reason));
  }

  stop(): Promise<void[]> {
    return Promise.all(Object.values(this.readers).map((r) => r.stop()));
  }
}

/** The lag metrics of analytics' current generation: every topic at 0 messages. */
export async function analyticsLagMetrics(services: CrossService): Promise<Record<string, number>> {
  const response = await fetch(`${services.analytics!.url}/metrics`);
  const text = await response.text();
  const lag: Record<string, number> = {};
  for (const line of text.split('\n')) {
    const m = /^analytics_consumer_lag_messages\{([^}]*)\} (\S+)$/.exec(line);
    if (m && /state="current"/.test(m[1])) lag[/topic="([^"]+)"/.exec(m[1])![1]] = Number(m[2]);
  }
  return lag;
}

/** A GET on analytics that must answer 200; the body. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the answers as the API gives them
export async function analyticsGet(services: CrossService, path: string): Promise<any> {
  const r = await callService(services.analytics!, 'GET', path);
  if (r.status !== 200) throw new Error(`GET ${path}: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
}

/** percentile_cont: linear interpolation between the closest ranks; null without values. */
export function percentileCont(values: readonly number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const at = p * (sorted.length - 1);
  const low = Math.floor(at);
  const high = Math.ceil(at);
  return sorted[low] + (sorted[high] - sorted[low]) * (at - low);
}

/** Every number rounded to 9 decimals (figures computed in SQL float8 and here in JS). */
export function rounded<T>(value: T): T {
  if (typeof value === 'number') return (Math.round(value * 1e9) / 1e9) as T;
  if (Array.isArray(value)) return value.map(rounded) as T;
  if (value && typeof value === 'object' && 'asymmetricMatch' in value) return value; // expect.any(...)
  if (value && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, rounded(v)])) as T;
  return value;
}

export const ms = (iso: string): number => Date.parse(iso);
export const iso = (t: number | string): string => new Date(t).toISOString();
