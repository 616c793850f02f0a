import {
  HttpException,
  HttpStatus,
  Injectable,
  Module,
  type DynamicModule,
  type ExecutionContext,
} from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import {
  ThrottlerGuard,
  ThrottlerModule,
  type ThrottlerLimitDetail,
  type ThrottlerStorage,
} from '@nestjs/throttler';
import type { ServiceConfig } from '../config/service-config';
import { HealthController } from '../health/health.controller';
import { MetricsController } from '../health/metrics.controller';
import type { ErrorResponse } from './error-response';

const WINDOW_MS = 60_000;

/** Probes and scrapes come from the platform every few seconds: never limited. */
const EXEMPT: ReadonlySet<unknown> = new Set([HealthController, MetricsController]);

type ThrottlerStorageRecord = Awaited<ReturnType<ThrottlerStorage['increment']>>;

interface Window {
  hits: number;
  endsAt: number;
}

/**
 * Counts each client's requests in fixed windows, in memory (per replica): constant time and
 * memory per client, whatever the limit (the throttler's own storage keeps a timestamp per hit).
 * A client over the limit is refused until its window ends.
 */
export class FixedWindowStorage implements ThrottlerStorage {
  private readonly windows = new Map<string, Window>();
  private sweepAt = 0;

  constructor(private readonly now: () => number = Date.now) {}

  async increment(key: string, ttl: number, limit: number): Promise<ThrottlerStorageRecord> {
    const now = this.now();
    this.sweep(now, ttl);
    let window = this.windows.get(key);
    if (!window || window.endsAt <= now) {
      window = { hits: 0, endsAt: now + ttl };
      this.windows.set(key, window);
    }
    window.hits += 1;
    const secondsLeft = Math.max(1, Math.ceil((window.endsAt - now) / 1000));
    const isBlocked = window.hits > limit;
    return {
      totalHits: window.hits,
      timeToExpire: secondsLeft,
      isBlocked,
      timeToBlockExpire: isBlocked ? secondsLeft : 0,
    };
  }

  /** Forgets the windows that ended, once a window. */
  private sweep(now: number, ttl: number): void {
    if (now < this.sweepAt) return;
    this.sweepAt = now + ttl;
    for (const [key, window] of this.windows) if (window.endsAt <= now) this.windows.delete(key);
  }
}

/**
 * The throttler's guard, per client across all routes (not per route), HTTP requests only (not
 * the event handlers), health and metrics exempt; over the limit it answers 429
 * TOO_MANY_REQUESTS as problem+json, with `Retry-After` (set by the throttler) in seconds.
 */
@Injectable()
export class ClientRateLimitGuard extends ThrottlerGuard {
  protected override async shouldSkip(context: ExecutionContext): Promise<boolean> {
    return context.getType() !== 'http' || EXEMPT.has(context.getClass());
  }

  protected override generateKey(_context: ExecutionContext, tracker: string, name: string): string {
    return `${name}:${tracker}`;
  }

  protected override async throwThrottlingException(
    _context: ExecutionContext,
    detail: ThrottlerLimitDetail,
  ): Promise<void> {
    const body: ErrorResponse = {
      statusCode: HttpStatus.TOO_MANY_REQUESTS,
      code: 'TOO_MANY_REQUESTS',
      message: `more than ${detail.limit} requests in ${detail.ttl / 1000} s from this client; retry after the Retry-After delay`,
      details: {
        limit: detail.limit,
        windowSeconds: detail.ttl / 1000,
        retryAfterSeconds: detail.timeToBlockExpire,
      },
    };
    throw new HttpException(body, HttpStatus.TOO_MANY_REQUESTS);
  }
}

@Module({})
class RateLimitModule {}

/**
 * The limit of RATE_LIMIT_PER_MINUTE requests per client and minute, as modules to import: none
 * with RATE_LIMIT_DISABLED=true.
 */
export function rateLimitModules(config: ServiceConfig): DynamicModule[] {
  if (config.RATE_LIMIT_DISABLED) return [];
  const throttler = ThrottlerModule.forRoot({
    throttlers: [{ limit: config.RATE_LIMIT_PER_MINUTE, ttl: WINDOW_MS }],
    storage: new FixedWindowStorage(),
  });
  return [
    {
      module: RateLimitModule,
      imports: [throttler],
      providers: [{ provide: APP_GUARD, useClass: ClientRateLimitGuard }],
    },
  ];
}
