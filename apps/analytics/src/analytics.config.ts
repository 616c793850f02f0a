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

  /**
   * Most bytes one fetch of a generation's consumer returns per partition (default: kafkajs's,
   * 1 MiB). A batch (one transaction: dedupe, keys, projector statements) is at most this much of
   * one partition: larger fetches make fewer, larger transactions when catching up or rebuilding,
   * but each holds the cluster's relay fence longer (see bench/README.md, analytics figures).
   */
  @IsInt()
  @Min(65_536)
  @Max(268_435_456)
  ANALYTICS_FETCH_MAX_BYTES_PER_PARTITION: number = 1_048_576;

  /** Most bytes one fetch of a generation's consumer returns over all its partitions (default: kafkajs's, 10 MiB). */
  @IsInt()
  @Min(65_536)
  @Max(1_073_741_824)
  ANALYTICS_FETCH_MAX_BYTES: number = 10_485_760;

  /** The consumer group of generation `n` (its own offsets, from offset 0 of every topic). */
  generationGroup(n: number): string {
    return `${this.KAFKA_GROUP_PREFIX}-analytics-g${n}`;
  }
}
