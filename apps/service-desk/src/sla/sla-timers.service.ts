import { randomUUID } from 'node:crypto';
import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { PLATFORM_RUNTIME, type PlatformRuntime } from '@crm/service-kit';
import { DurableTimers, type Queryable } from '@crm/timers';
import { nextSlaCheck, type CaseState } from '../case/case.decider';
import { CaseService } from '../case/case.service';
import { ServiceDeskConfig } from '../service-desk.config';
import { SlaSettingsService } from './sla-settings.service';

/** The timer of a case: when its next SLA warning or breach is due. */
export const SLA_TIMER = 'sla-check';

/**
 * The SLA clocks' durable timers (libs/timers, table `service.durable_timers`). The `sla-timers`
 * projection sets each case's timer from its events; every replica polls, and a due timer decides
 * `CheckSla` on its case: warnings and breaches are published at their time with no request
 * touching the case, after restarts, and once with any number of replicas (a check that finds
 * nothing new decides nothing).
 */
@Injectable()
export class SlaTimers implements OnApplicationBootstrap, OnApplicationShutdown {
  readonly timers: DurableTimers;
  private readonly logger = new Logger('sla-timers');

  constructor(
    @Inject(PLATFORM_RUNTIME) runtime: PlatformRuntime,
    private readonly cases: CaseService,
    private readonly settings: SlaSettingsService,
    config: ServiceDeskConfig,
  ) {
    this.timers = new DurableTimers({
      pool: runtime.pool,
      schema: 'service',
      pollIntervalMs: config.SLA_POLL_INTERVAL_MS,
      onError: (error, timer) =>
        this.logger.warn({
          msg: 'SLA check failed; tried again later',
          caseId: timer?.key,
          error: String(error),
        }),
      onFired: ({ timer, firedAt }) =>
        this.logger.debug({
          msg: 'SLA check',
          caseId: timer.key,
          lateMs: firedAt.getTime() - timer.dueAt.getTime(),
        }),
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.timers.migrate();
    this.timers.start(async (timer, db) => {
      const context = {
        commandId: randomUUID(),
        correlationId: randomUUID(),
        actor: 'service-desk:sla-timer',
      };
      const { case: state } = await this.cases.checkSla(timer.key, context);
      await this.scheduleNext(db, timer.key, state);
    });
  }

  onApplicationShutdown(): Promise<void> {
    return this.timers.stop();
  }

  /**
   * Sets the case's timer to its next due check, or removes it when no clock can run out any more,
   * in business time as of the case's last load.
   */
  async scheduleNext(db: Queryable, caseId: string, state: CaseState): Promise<void> {
    const due = nextSlaCheck(this.settings.time, state);
    if (due === undefined) await this.timers.cancel(db, SLA_TIMER, caseId);
    else await this.timers.schedule(db, SLA_TIMER, caseId, new Date(due));
  }
}
