import { randomUUID } from 'node:crypto';
import { Injectable, Module, type DynamicModule } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { toCloudEvent, type CloudEvent } from '@crm/contracts';
import { bindCrmEventHandlers, type BoundEventHandlers } from '@crm/messaging';
import { InProcessService, bearer, publishedEvents, type GivenEvent } from '@crm/test-support';
import { MarketingConfig } from '../src/marketing.config';
import { MarketingModule } from '../src/marketing.module';
import { ProfileErasureProjection } from '../src/profile/profile-erasure.projection';
import { ProfileProjection } from '../src/profile/profile.projection';
import { SegmentMembershipService } from '../src/segment/segment-membership.service';
import { SegmentProjection } from '../src/segment/segment.projection';

/** Who calls: the bearer token of a demo user of the local OpenID provider (infra/oidc). */
export const as = async (who: string) => ({ authorization: await bearer(who) });

let moduleRef: ModuleRef | undefined;

/** Keeps the application's module reference: the membership service the projections evaluate with. */
@Injectable()
class ModuleRefProbe {
  constructor(ref: ModuleRef) {
    moduleRef = ref;
  }
}

/**
 * The marketing service in process (its own database, migrated; no Kafka) and its consumers
 * `marketing-profiles`, `marketing-erasure` and `marketing-segments` bound to the application's
 * own membership service: events of other contexts are delivered as their topics publish them,
 * and what the service appends is relayed to its own consumers as crm.marketing.events would.
 */
export async function startMarketing(): Promise<{
  marketing: InProcessService;
  readModel: MarketingReadModel;
}> {
  const marketing = await InProcessService.start({
    name: 'marketing',
    Config: MarketingConfig,
    module: (config): DynamicModule => ({
      module: class MarketingUnderTest {},
      imports: [MarketingModule.forRoot(config)],
      providers: [ModuleRefProbe],
    }),
    env: { CONSENT_LINK_SECRET: 'a test secret of the consent links' },
    eventStoreSchema: 'marketing_eventstore',
  });
  const memberships = moduleRef!.get(SegmentMembershipService, { strict: false });
  @Module({
    controllers: [ProfileProjection, ProfileErasureProjection, SegmentProjection],
    providers: [{ provide: SegmentMembershipService, useValue: memberships }],
  })
  class ReadModelUnderTest {}
  const handlers = await bindCrmEventHandlers(ReadModelUnderTest);
  return {
    marketing,
    readModel: new MarketingReadModel(marketing, handlers, await marketing.lastPosition()),
  };
}

const CONSUMER_OF: Record<string, string> = {
  CustomerErased: 'marketing-erasure',
};

/**
 * The read model specified as "given these events, then these rows": each batch delivered in one
 * transaction of its consumer, then the events the service appended meanwhile (memberships)
 * relayed to `marketing-segments` until there are none left.
 */
export class MarketingReadModel {
  private readonly revisions = new Map<string, number>();

  constructor(
    private readonly marketing: InProcessService,
    private readonly handlers: BoundEventHandlers,
    private relayed: string,
  ) {}

  /** Events of an aggregate of another context (`leads`, `pipeline`, `service`), as it publishes them. */
  async given(context: string, subject: string, customerId: string, ...events: GivenEvent[]) {
    const from = this.revisions.get(subject) ?? 0;
    this.revisions.set(subject, from + events.length);
    const published = publishedEvents(context, subject, events, { from, customerId });
    await this.deliver(...published);
    return published;
  }

  /** Delivers published events (again, or late) in one transaction per consumer, then relays. */
  async deliver(...events: CloudEvent[]): Promise<void> {
    await this.marketing.runtime.db.transaction(async (manager) => {
      for (const event of events) {
        const consumer = CONSUMER_OF[event.type.split('.')[2]] ?? 'marketing-profiles';
        await this.handlers.deliver(consumer, event, manager);
      }
    });
    await this.relay();
  }

  /** What the service appended since the last relay, to `marketing-segments`, until nothing is new. */
  async relay(): Promise<CloudEvent[]> {
    const all: CloudEvent[] = [];
    for (;;) {
      const appended = await this.marketing.eventsAfter(this.relayed);
      if (appended.length === 0) return all;
      this.relayed = await this.marketing.lastPosition();
      const events = appended.map((e) =>
        toCloudEvent('marketing', { ...e, id: randomUUID() }, e.streamId.slice(e.streamId.indexOf('-') + 1)),
      );
      await this.marketing.runtime.db.transaction(async (manager) => {
        for (const event of events) await this.handlers.deliver('marketing-segments', event, manager);
      });
      all.push(...events);
    }
  }

  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- rows of arbitrary queries
  rows<T = any>(sql: string, parameters: unknown[] = []): Promise<T[]> {
    return this.marketing.runtime.db.query(sql, parameters);
  }

  close(): Promise<void> {
    return this.handlers.close();
  }
}

/** A lead captured for a new customer, and builders of the events about them on other topics. */
export function aCustomer(options: { name?: string; email?: string; interests?: string[] } = {}) {
  const customerId = randomUUID();
  const leadId = randomUUID();
  const accountId = randomUUID();
  return {
    customerId,
    leadId,
    accountId,
    captured: (at: string): GivenEvent => ({
      type: 'LeadCaptured',
      data: {
        leadId,
        customerId,
        personName: options.name ?? 'Olga Ruiz',
        email: options.email ?? `${customerId.slice(0, 8)}@acme.example`,
        channel: 'web_form',
        source: {},
        customerType: 'prospect',
        interests: options.interests ?? ['Solar', 'storage'],
        capturedAt: at,
      },
    }),
    stage: (stage: string, aggregateId: string, at: string): GivenEvent => ({
      type: 'CustomerLifecycleStageReached',
      data: { customerId, stage, reason: { aggregateType: 'lead', aggregateId }, reachedAt: at },
    }),
    accountOpened: (country: string, at: string): GivenEvent => ({
      type: 'AccountOpened',
      data: {
        accountId,
        customerId,
        profile: {
          name: options.name ?? 'Olga Ruiz',
          kind: 'person',
          customerType: 'prospect',
          address: { country },
        },
        ownerId: 'sam',
        openedAt: at,
      },
    }),
    moved: (country: string, at: string): GivenEvent => ({
      type: 'AccountProfileUpdated',
      data: { accountId, changes: { address: { country } }, updatedAt: at },
    }),
    won: (amount: number, at: string): GivenEvent => ({
      type: 'AccountWinRecorded',
      data: { accountId, opportunityId: randomUUID(), amount, currency: 'EUR', wonAt: at },
    }),
  };
}
