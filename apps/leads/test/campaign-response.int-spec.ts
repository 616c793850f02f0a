import { randomUUID } from 'node:crypto';
import { Injectable, Logger, Module, type DynamicModule } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import type { EntityManager } from 'typeorm';
import { ContractViolationError, deterministicUuid, type CloudEvent } from '@crm/contracts';
import { bindCrmEventHandlers, type BoundEventHandlers } from '@crm/messaging';
import { InProcessService, publishedEvents } from '@crm/test-support';
import { emailClaimStreamId } from '../src/duplicates/email-claim.decider';
import { CampaignResponseReaction } from '../src/lead/campaign-response.reaction';
import { LeadService } from '../src/lead/lead.service';
import { LeadsConfig } from '../src/leads.config';
import { LeadsModule } from '../src/leads.module';
import { OWNERS } from './leads.given';

jest.setTimeout(60_000);

/**
 * Marketing's `CampaignProspectResponded` (crm.marketing.events) delivered to the leads service's
 * consumer `lead-from-campaign`, bound to the application's own lead service on the real event
 * store (in process, no Kafka): the responder becomes one lead of the campaign, however often the
 * response is delivered.
 */
let leads: InProcessService;
let handlers: BoundEventHandlers;
let moduleRef: ModuleRef | undefined;

@Injectable()
class ModuleRefProbe {
  constructor(ref: ModuleRef) {
    moduleRef = ref;
  }
}

beforeAll(async () => {
  Logger.overrideLogger(false);
  leads = await InProcessService.start({
    name: 'leads',
    Config: LeadsConfig,
    module: (config): DynamicModule => ({
      module: class LeadsUnderTest {},
      imports: [LeadsModule.forRoot(config)],
      providers: [ModuleRefProbe],
    }),
    env: { LEAD_OWNERS: OWNERS.join(',') },
    eventStoreSchema: 'leads_eventstore',
  });
  const service = moduleRef!.get(LeadService, { strict: false });
  @Module({
    controllers: [CampaignResponseReaction],
    providers: [{ provide: LeadService, useValue: service }],
  })
  class ReactionUnderTest {}
  handlers = await bindCrmEventHandlers(ReactionUnderTest);
});
afterAll(async () => {
  await handlers?.close();
  await leads?.stop();
});

// The reaction appends through the lead service; the batch's manager is not used.
const manager = {} as EntityManager;

const response = (email: string, overrides: object = {}) => {
  const campaignId = randomUUID();
  const customerId = randomUUID();
  const data = {
    campaignId,
    step: 0,
    customerId,
    kind: 'click',
    personName: 'Olga  Ruiz',
    email,
    interests: ['solar'],
    respondedAt: '2026-05-04T09:30:00.000Z',
    ...overrides,
  };
  const [event] = publishedEvents(
    'marketing',
    `campaignRecipient-${campaignId}-${customerId}`,
    [{ type: 'CampaignProspectResponded', data }],
    { customerId },
  );
  return {
    campaignId,
    customerId,
    event,
    leadId: deterministicUuid('lead-from-campaign-response', campaignId, customerId),
  };
};

const leadEvents = async (leadId: string) =>
  (await leads.store.readStream(`lead-${leadId}`)).map((e) => e.type);

describe('a campaign response of someone who is not a customer yet', () => {
  it('delivered twice (and once more under another event id) becomes one lead with the campaign as its source', async () => {
    const olga = response(`olga.${randomUUID().slice(0, 8)}@example.com`);
    await handlers.deliver('lead-from-campaign', olga.event, manager);
    await handlers.deliver('lead-from-campaign', olga.event, manager);
    const again: CloudEvent = { ...olga.event, id: randomUUID() };
    await handlers.deliver('lead-from-campaign', again, manager);

    const stream = await leads.store.readStream(`lead-${olga.leadId}`);
    expect(stream.filter((e) => e.type === 'LeadCaptured')).toHaveLength(1);
    expect(stream[0].data).toMatchObject({
      leadId: olga.leadId,
      customerId: olga.customerId,
      personName: 'Olga Ruiz',
      channel: 'campaign',
      source: { campaignId: olga.campaignId },
      customerType: 'prospect',
      interests: ['solar'],
    });
    expect(stream[0].metadata).toMatchObject({ causationId: olga.event.id });
    expect(stream.map((e) => e.type)).toEqual([
      'LeadCaptured',
      'CustomerLifecycleStageReached',
      'LeadAssigned',
    ]);
  });

  it('captures nothing when the e-mail already belongs to another lead, nor without an e-mail', async () => {
    const email = `taken.${randomUUID().slice(0, 8)}@example.com`;
    const holder = randomUUID();
    await leads.seed({
      [emailClaimStreamId(email)]: [
        { type: 'LeadEmailClaimed', data: { leadId: holder, customerId: randomUUID() } },
      ],
    });
    const taken = response(email);
    await handlers.deliver('lead-from-campaign', taken.event, manager);
    expect(await leadEvents(taken.leadId)).toEqual([]);

    const anonymous = response('x@example.com', { email: undefined });
    delete (anonymous.event.data as { email?: string }).email;
    await handlers.deliver('lead-from-campaign', anonymous.event, manager);
    expect(await leadEvents(anonymous.leadId)).toEqual([]);
  });

  it('never sees a response that breaks its contract: no lead', async () => {
    const bad = response('bad@example.com', { campaignId: 'not-a-uuid' });
    await expect(handlers.deliver('lead-from-campaign', bad.event, manager)).rejects.toThrow(
      ContractViolationError,
    );
  });
});
