import { randomUUID } from 'node:crypto';
import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { ORGANISATION_CUSTOMER_ID, assertValidEvent, commandTime, type CommandContext } from '@crm/contracts';
import { CachedAggregate, CommandHandler, type HandleOptions } from '@crm/decider';
import type { EventStore } from '@crm/event-store';
import { EVENT_STORE } from '@crm/service-kit';
import { ServiceDeskConfig } from '../service-desk.config';
import type { BusinessTime } from './business-time';
import {
  SLA_SETTINGS_STREAM,
  businessTimeOf,
  slaSettingsDecider,
  type SlaSettings,
  type SlaSettingsCommand,
  type SlaSettingsEvent,
} from './sla-settings.decider';

export type PublishedSlaSettings = Extract<SlaSettings, { status: 'published' }>;

/**
 * The published service levels, caught up with their stream before every use, so every replica
 * decides with the newest version. The service's start publishes the configured calendar and
 * policies (SLA_CALENDAR, SLA_POLICIES) as version 1 when nothing was published yet (replicas
 * starting together: one publishes, the others find it done); later versions come through the API.
 */
@Injectable()
export class SlaSettingsService implements OnApplicationBootstrap {
  private readonly settings: CachedAggregate<SlaSettingsCommand, SlaSettings, SlaSettingsEvent>;
  private timeOf?: { revision: number; time: BusinessTime };

  constructor(
    @Inject(EVENT_STORE) store: EventStore,
    private readonly config: ServiceDeskConfig,
  ) {
    const handler = new CommandHandler({
      store,
      decider: slaSettingsDecider,
      schemaVersions: { BusinessCalendarPublished: 1, SlaPolicyPublished: 1 },
      validateEvent: assertValidEvent,
      customerIdOf: () => ORGANISATION_CUSTOMER_ID,
    });
    this.settings = new CachedAggregate(handler, SLA_SETTINGS_STREAM, slaSettingsDecider.initialState());
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.current();
  }

  /** The newest settings (published from the configuration if nothing was yet). */
  async current(): Promise<{ state: PublishedSlaSettings; revision: number }> {
    let known = await this.settings.current();
    if (known.state.status === 'unpublished') {
      const context = {
        commandId: randomUUID(),
        correlationId: randomUUID(),
        actor: 'service-desk:settings',
      };
      const { calendar, policies } = this.config;
      const data = { calendar, policies, at: commandTime(context) };
      known = await this.settings.handle({ type: 'SeedSettings', data }, context);
    }
    const { state, revision } = known;
    if (state.status === 'unpublished') throw new Error('the SLA settings could not be published');
    return { state, revision };
  }

  /** Business time in the calendars as of the last `current()`. */
  get time(): BusinessTime {
    const { state, revision } = this.settings.lastKnown;
    if (this.timeOf?.revision !== revision) this.timeOf = { revision, time: businessTimeOf(state) };
    return this.timeOf.time;
  }

  async publish(command: SlaSettingsCommand, context: CommandContext, options?: HandleOptions) {
    await this.current();
    return this.settings.handle(command, context, options);
  }
}
