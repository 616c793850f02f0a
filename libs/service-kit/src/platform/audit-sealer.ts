import { Logger } from '@nestjs/common';
import type { Pool } from 'pg';
import { ConcurrentSealError, sealEventStore } from '@crm/event-store';

/** The last seal this instance attempted, for the metrics. */
export interface AuditSealStatus {
  /** true: verified intact and sealed; false: a broken link was found. Absent before the first. */
  intact?: boolean;
  at?: Date;
  events?: number;
}

/**
 * Seals the service's PostgreSQL event store on a schedule (`AUDIT_SEAL_INTERVAL_MINUTES`): each
 * seal verifies every hash chain and records the stream heads, so that deleting a stream's last
 * events, or the whole stream, is detected by the next verification. A broken chain is logged as
 * an error with its first broken link and shown by `crm_audit_chain_intact` 0. Replicas may seal
 * at the same moment: the loser's seal is refused (`ConcurrentSealError`) and simply skipped.
 */
export class AuditSealer {
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private readonly logger = new Logger('audit');
  readonly status: AuditSealStatus = {};

  constructor(
    private readonly pool: Pool,
    private readonly schema: string,
    private readonly intervalMs: number,
  ) {}

  start(): void {
    if (this.intervalMs <= 0 || this.timer) return;
    this.timer = setInterval(() => void this.sealOnce(), this.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }

  /** One verification and seal; never throws (what went wrong is logged). */
  sealOnce(): Promise<void> {
    this.running ??= this.seal().finally(() => (this.running = undefined));
    return this.running;
  }

  private async seal(): Promise<void> {
    try {
      const { report, seal } = await sealEventStore(this.pool, this.schema);
      Object.assign(this.status, { intact: report.intact, at: new Date() });
      if (!report.intact) {
        this.logger.error({ msg: 'audit chain broken: not sealed', ...report.broken });
        return;
      }
      this.status.events = report.events;
      this.logger.log({ msg: 'event store sealed', schema: this.schema, events: report.events, seal });
    } catch (error) {
      if (error instanceof ConcurrentSealError) return;
      this.logger.warn({ msg: 'audit seal failed; next attempt at the next interval', error: String(error) });
    }
  }
}
