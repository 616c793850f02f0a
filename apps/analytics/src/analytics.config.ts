import { IsInt, Max, Min } from 'class-validator';
import { ServiceConfig } from '@crm/service-kit';

/** Every setting of the analytics service, validated once at start-up. */
export class AnalyticsConfig extends ServiceConfig {
  override PORT = 3005;

  /**
   * Readiness: the current generation is "caught up" when, on every consumed partition, the oldest
   * record it has not applied yet arrived at most this many seconds ago (see README, "Lag").
   */
  @IsInt()
  @Min(1)
  @Max(86_400)
  ANALYTICS_READY_LAG_SECONDS: number = 30;

  /**
   * How often the generations are supervised, in milliseconds: consumers started or stopped as the
   * pointer table says, Kafka offsets sampled (lag, rebuild progress), a caught-up rebuild switched over.
   */
  @IsInt()
  @Min(50)
  @Max(60_000)
  ANALYTICS_SUPERVISE_INTERVAL_MS: number = 1000;

  /** The consumer group of generation `n` (its own offsets, from offset 0 of every topic). */
  generationGroup(n: number): string {
    return `${this.KAFKA_GROUP_PREFIX}-analytics-g${n}`;
  }
}
