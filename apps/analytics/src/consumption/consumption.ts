import { Logger } from '@nestjs/common';
import { ReadinessFailure, type PlatformRuntime, type ReadinessDetail } from '@crm/service-kit';
import type { LogLevel, MessagingLogger, TopicOffsets } from '@crm/messaging';
import type { AnalyticsConfig } from '../analytics.config';
import type { Projector } from '../projection/projector';
import { GenerationRunner } from './generation-runner';
import { Generations, generationSchema, type Generation, type GenerationState } from './generations';
import { LagClock, type TopicLag } from './lag-clock';
import { RateMeter, etaSeconds, offsetProgress } from './rebuild-progress';

/** The contexts whose topics analytics consumes. */
export const CONSUMED_CONTEXTS = ['leads', 'pipeline', 'service', 'marketing'] as const;

/** A rebuild as `GET /admin/rebuilds/current` shows it. */
export interface RebuildStatus {
  generation: number;
  state: GenerationState;
  /** Records of the topics the generation's group has applied (committed offsets - low watermarks). */
  done: number;
  /** Records the topics hold (high - low watermarks), sampled as it goes. */
  total: number;
  ratePerSecond: number;
  /** Seconds left at the current rate; 0 once switched over; null while nothing moves. */
  etaSeconds: number | null;
  startedAt: string;
  switchedAt: string | null;
}

/** What the last supervision sampled for one running generation. */
export interface GenerationSample {
  n: number;
  state: GenerationState;
  done: number;
  total: number;
  lag: TopicLag[];
}

class ConsumptionLogger implements MessagingLogger {
  private readonly logger: Logger;
  constructor(name: string) {
    this.logger = new Logger(name);
  }
  log(level: LogLevel, msg: string, fields: Record<string, unknown> = {}) {
    const entry = { msg, ...fields };
    if (level === 'error') this.logger.error(entry);
    else if (level === 'warn') this.logger.warn(entry);
    else if (level === 'info') this.logger.log(entry);
    else this.logger.debug(entry);
  }
}

/** Below this many applied events a generation's tables are small enough to plan without statistics. */
const ANALYZE_FROM_EVENTS = 10_000;

/**
 * Runs the generations the pointer table names: the consumer of the current one and, while a
 * rebuild is on, of the building one. A supervision tick (every ANALYTICS_SUPERVISE_INTERVAL_MS)
 * starts and stops runners as the table says (another replica may have switched), samples the
 * watermarks and the groups' committed offsets (lag, progress), and switches a caught-up rebuild
 * over. `prepare()` needs only the database (the service's bootstrap); `start()` joins Kafka.
 */
export class AnalyticsConsumption {
  readonly generations: Generations;
  readonly topics: string[];
  private readonly lagClock: LagClock;
  private readonly runners = new Map<number, GenerationRunner>();
  private readonly meters = new Map<number, RateMeter>();
  /** Per generation, the events it had applied when its statistics were last refreshed. */
  private readonly analyzedAt = new Map<number, number>();
  private readonly unknown = new Map<string, number>();
  private readonly logger = new ConsumptionLogger('analytics.consumption');
  private samples: GenerationSample[] = [];
  private sampledAt: number | undefined;
  private lastError: string | undefined;
  private started = false;
  private timer: NodeJS.Timeout | undefined;
  private ticking: Promise<void> = Promise.resolve();

  constructor(
    private readonly runtime: PlatformRuntime,
    private readonly config: AnalyticsConfig,
    readonly projectors: readonly Projector[],
  ) {
    this.generations = new Generations(runtime.pool, projectors);
    this.topics = CONSUMED_CONTEXTS.map((context) => config.topic(context));
    this.lagClock = new LagClock(Math.max(60_000, config.ANALYTICS_READY_LAG_SECONDS * 2_000));
  }

  /** The database part: generation 1 if none, the generations' tables, the views over the current one. */
  prepare(): Promise<Generation> {
    return this.generations.prepare();
  }

  /** Creates the missing topics (kept for ever), starts the generations' consumers and the supervision. */
  async start(): Promise<void> {
    await this.runtime.bus.ensureTopics(
      this.topics.map((topic) => ({
        topic,
        partitions: this.config.KAFKA_PARTITIONS,
        deadLetterTopic: true,
      })),
    );
    this.started = true;
    await this.tick();
    if (this.lastError) throw new Error(`analytics consumption failed to start: ${this.lastError}`);
    this.schedule();
  }

  async stop(): Promise<void> {
    this.started = false;
    clearTimeout(this.timer);
    await this.ticking;
    const runners = [...this.runners.values()];
    this.runners.clear();
    await Promise.allSettled(runners.map((runner) => runner.stop()));
  }

  /** Starts a rebuild (or answers the one running): a new generation built from offset 0. */
  async rebuild(): Promise<{ started: boolean; status: RebuildStatus }> {
    const { generation, started } = await this.generations.startRebuild();
    // Its consumer starts at the next supervision (not in the request's context: its logs are not the request's).
    if (started) this.logger.log('info', 'rebuild started', { generation: generation.n });
    return { started, status: this.statusOf(generation) };
  }

  /** The rebuild in progress, else the current generation (how and when it was built). */
  async currentRebuild(): Promise<RebuildStatus> {
    const all = await this.generations.list();
    const shown = all.find((g) => g.state === 'building') ?? all.find((g) => g.state === 'current');
    if (!shown) throw new Error('analytics.generation has no current generation');
    return this.statusOf(shown);
  }

  /** The runners, for metrics. */
  running(): GenerationRunner[] {
    return [...this.runners.values()];
  }

  /** The last sample of each running generation, for metrics. */
  lastSamples(): GenerationSample[] {
    return this.samples;
  }

  unknownEvents(): [type: string, count: number][] {
    return [...this.unknown];
  }

  /**
   * Readiness: consuming, offsets sampled lately, and the current generation caught up: on every
   * topic the oldest record it has not applied was first seen at most ANALYTICS_READY_LAG_SECONDS ago.
   */
  async readiness(): Promise<ReadinessDetail> {
    if (!this.started) throw new Error('not consuming: not started');
    const current = this.samples.find((s) => s.state === 'current');
    const runner = current && this.runners.get(current.n);
    if (!current || !runner)
      throw new ReadinessFailure('no current generation running', { error: this.lastError });
    if (!runner.consumer.stats().running)
      throw new ReadinessFailure(`generation ${current.n}'s consumer is not running`, {
        error: this.lastError,
      });
    const staleMs = Date.now() - (this.sampledAt ?? 0);
    const limitMs = 3 * this.config.ANALYTICS_SUPERVISE_INTERVAL_MS + 10_000;
    if (staleMs > limitMs)
      throw new ReadinessFailure(`offsets not sampled for ${Math.round(staleMs / 1000)} s`, {
        error: this.lastError,
      });
    const limit = this.config.ANALYTICS_READY_LAG_SECONDS;
    const behind = current.lag.filter((l) => l.messages > 0 && (l.atLeast || l.seconds > limit));
    const detail = {
      generation: current.n,
      lag: current.lag,
      rebuilding: this.samples.find((s) => s.state === 'building')?.n,
    };
    if (behind.length > 0)
      throw new ReadinessFailure(
        `behind by more than ${limit} s on ${behind.map((l) => l.topic).join(', ')}`,
        detail,
      );
    return detail;
  }

  private statusOf(g: Generation): RebuildStatus {
    const sample = this.samples.find((s) => s.n === g.n);
    const done = sample?.done ?? g.doneEvents;
    const total = sample?.total ?? g.totalEvents;
    const building = g.state === 'building';
    const ratePerSecond = building ? Math.round(this.meters.get(g.n)?.perSecond() ?? 0) : 0;
    return {
      generation: g.n,
      state: g.state,
      done,
      total,
      ratePerSecond,
      etaSeconds: building ? etaSeconds(done, total, ratePerSecond) : 0,
      startedAt: g.startedAt.toISOString(),
      switchedAt: g.switchedAt?.toISOString() ?? null,
    };
  }

  private schedule(): void {
    if (!this.started) return;
    this.timer = setTimeout(() => {
      void this.tick().finally(() => this.schedule());
    }, this.config.ANALYTICS_SUPERVISE_INTERVAL_MS);
  }

  /** One supervision at a time: a tick asked for while one runs follows it. */
  private tick(): Promise<void> {
    this.ticking = this.ticking.then(() => this.supervise());
    return this.ticking;
  }

  private async supervise(): Promise<void> {
    if (!this.started) return;
    try {
      const live = (await this.generations.list()).filter((g) => g.state !== 'retired');
      await this.reconcile(live);
      const now = Date.now();
      const offsets = await this.runtime.bus.topicOffsets(this.topics);
      this.lagClock.observe(offsets, now);
      const samples: GenerationSample[] = [];
      for (const g of live) samples.push(await this.sample(g, offsets, now));
      this.samples = samples;
      this.sampledAt = now;
      for (const sample of samples) await this.refreshStatistics(sample.n, sample.done);
      this.lastError = undefined;
      const building = samples.find((s) => s.state === 'building');
      if (building) await this.progress(building, samples);
    } catch (error) {
      this.lastError = error instanceof Error ? error.message : String(error);
      this.logger.log('error', 'supervision failed', { error: this.lastError });
    }
  }

  /** Runners for exactly the live generations. */
  private async reconcile(live: Generation[]): Promise<void> {
    for (const [n, runner] of this.runners)
      if (!live.some((g) => g.n === n)) {
        this.runners.delete(n);
        await runner.stop();
        this.logger.log('info', 'generation consumer stopped', { generation: n });
      }
    for (const g of live) if (!this.runners.has(g.n)) await this.startRunner(g);
  }

  private async startRunner(g: Generation): Promise<void> {
    const groupId = this.config.generationGroup(g.n);
    await this.generations.claimGroup(g.n, () => this.runtime.bus.forgetGroup(groupId));
    const runtime = this.runtime;
    const runner = new GenerationRunner({
      n: g.n,
      schema: generationSchema(g.n),
      groupId,
      topics: this.topics,
      subscriber: runtime.bus.withConsumerTuning({
        maxBytesPerPartition: this.config.ANALYTICS_FETCH_MAX_BYTES_PER_PARTITION,
        maxBytes: this.config.ANALYTICS_FETCH_MAX_BYTES,
      }),
      dataSource: runtime.db,
      projectors: this.projectors,
      retry: {
        attempts: this.config.CONSUMER_RETRY_ATTEMPTS,
        backoffMs: this.config.CONSUMER_RETRY_BACKOFF_MS,
      },
      deadLetterPublisher: runtime.bus,
      reveal: (events) =>
        runtime.cipher.revealAll(
          events.map(({ event, parsed }) => ({
            event: { type: parsed.type, schemaVersion: parsed.schemaVersion, customerId: event.customerid },
            data: parsed.data,
          })),
        ),
      onUnknown: (type) => this.unknown.set(type, (this.unknown.get(type) ?? 0) + 1),
      logger: new ConsumptionLogger(`analytics.g${g.n}`),
    });
    await runner.start();
    this.runners.set(g.n, runner);
    this.logger.log('info', 'generation consumer started', { generation: g.n, state: g.state, groupId });
  }

  private async sample(g: Generation, offsets: TopicOffsets, now: number): Promise<GenerationSample> {
    const committed = await this.runtime.bus.groupOffsets(this.config.generationGroup(g.n), this.topics);
    const { done, total } = offsetProgress(offsets, committed);
    return { n: g.n, state: g.state, done, total, lag: this.lagClock.lag(offsets, committed, now) };
  }

  /**
   * Refreshes a generation's planner statistics each time the events it applied have doubled
   * since the last refresh (from ANALYZE_FROM_EVENTS on; once more before a switch-over): a few
   * ANALYZE over a rebuild, each after its tables doubled (see Generations.analyze).
   */
  private async refreshStatistics(n: number, done: number, always = false): Promise<void> {
    const last = this.analyzedAt.get(n);
    if (!always && done < Math.max(ANALYZE_FROM_EVENTS, 2 * (last ?? 0))) return;
    if (always && last === done) return;
    await this.generations.analyze(n);
    this.analyzedAt.set(n, done);
  }

  /**
   * Records the rebuild's progress and switches it over once caught up: no more records behind
   * than the current generation (so the switch never makes the answers staler).
   */
  private async progress(building: GenerationSample, samples: GenerationSample[]): Promise<void> {
    const meter = this.meters.get(building.n) ?? new RateMeter();
    this.meters.set(building.n, meter);
    meter.add(Date.now(), building.done);
    await this.generations.recordProgress(building.n, building.done, building.total);
    const current = samples.find((s) => s.state === 'current');
    const behind = (s: GenerationSample) => s.lag.reduce((sum, l) => sum + l.messages, 0);
    if (!this.runners.get(building.n)?.consumer.stats().running) return;
    if (current && behind(building) > behind(current)) return;
    // The dashboards' first queries over it are planned on statistics of all its rows.
    await this.refreshStatistics(building.n, building.done, true);
    if (!(await this.generations.switchOver(building.n, building.done, building.total))) return;
    this.logger.log('info', 'rebuild switched over', {
      generation: building.n,
      retired: current?.n,
      events: building.done,
    });
    this.samples = samples.map((s) =>
      s.n === building.n ? { ...s, state: 'current' } : s.n === current?.n ? { ...s, state: 'retired' } : s,
    );
    this.samples = this.samples.filter((s) => s.state !== 'retired');
    await this.reconcile((await this.generations.list()).filter((g) => g.state !== 'retired'));
    const dropped = await this.generations.dropOldRetired();
    if (dropped.length > 0) this.logger.log('info', 'old generations dropped', { generations: dropped });
  }
}
