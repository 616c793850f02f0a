import { IsInt, IsOptional, IsString, Max, Min, MinLength } from 'class-validator';
import { ServiceConfig } from '@crm/service-kit';

/** Every setting of the marketing service, validated once at start-up. */
export class MarketingConfig extends ServiceConfig {
  override PORT = 3004;

  /** Key signing the double opt-in confirmation links (a secret). Unset: a development key. */
  @IsOptional()
  @IsString()
  @MinLength(16)
  CONSENT_LINK_SECRET?: string;

  /** How long a double opt-in confirmation link is valid, in hours. */
  @IsInt()
  @Min(1)
  @Max(24 * 30)
  DOUBLE_OPT_IN_LINK_TTL_HOURS: number = 72;

  /** Where campaign e-mail is sent (nodemailer URL). */
  @IsString()
  SMTP_URL: string = 'smtp://127.0.0.1:2525';

  /** The sender of campaign e-mail. */
  @IsString()
  CAMPAIGN_FROM: string = 'CRM Marketing <marketing@crm.example>';

  /** Public base URL of this service, for the one-click unsubscribe links in campaign e-mail. */
  @IsString()
  CAMPAIGN_PUBLIC_URL: string = 'http://127.0.0.1:3004';

  /** Most campaign messages sent per minute (per campaign step, per service instance). */
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  CAMPAIGN_SEND_PER_MINUTE: number = 600;

  /**
   * Campaign messages in flight at once per service instance: each its own transaction and pooled
   * SMTP connection (the send ledger's SKIP LOCKED keeps them apart). At most 8: a message in
   * flight holds up to two of the service's 20 database connections (its row, and an append).
   */
  @IsInt()
  @Min(1)
  @Max(8)
  CAMPAIGN_SEND_CONCURRENCY: number = 4;

  /**
   * How long one firing of a step's timer sends before handing over to the next firing, in
   * milliseconds: the timer's transaction is open that long, and an open transaction holds back the
   * event-store readers of the whole PostgreSQL server.
   */
  @IsInt()
  @Min(100)
  @Max(10_000)
  CAMPAIGN_SEND_CHUNK_MS: number = 1000;

  /** How often the campaign step timers are polled, in milliseconds. */
  @IsInt()
  @Min(10)
  CAMPAIGN_POLL_INTERVAL_MS: number = 1000;

  /**
   * Most customer profiles one step of a segment's evaluation reads and evaluates (a defined or
   * redefined segment, a time-based segment's run, a preview's page): each step of an evaluation
   * is a transaction of its own, open as long as its profiles take (an open transaction holds back
   * the event-store readers of the whole PostgreSQL server).
   */
  @IsInt()
  @Min(1)
  @Max(10_000)
  SEGMENT_EVALUATION_CHUNK: number = 500;

  get consentLinkSecret(): string {
    return this.CONSENT_LINK_SECRET ?? 'development consent link key';
  }
}
