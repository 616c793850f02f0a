import { randomUUID } from 'node:crypto';
import { Logger, Module } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { ContractViolationError, deterministicUuid, toCloudEvent } from '@crm/contracts';
import { bindCrmEventHandlers, type BoundEventHandlers } from '@crm/messaging';
import { AccountService } from '../account/account.service';
import { OpportunityService } from '../opportunity/opportunity.service';
import { PipelineConfig } from '../pipeline.config';
import { LeadConversionReaction } from './lead-conversion.reaction';
import { WinRecordingReaction } from './win-recording.reaction';

function cloudEvent(context: string, type: string, data: unknown) {
  const customerId = randomUUID();
  return toCloudEvent(
    context,
    {
      id: randomUUID(),
      type,
      streamId: `x-${customerId}`,
      revision: 4,
      data,
      metadata: {
        customerId,
        correlationId: randomUUID(),
        causationId: randomUUID(),
        schemaVersion: 1,
        occurredAt: new Date().toISOString(),
      },
    },
    randomUUID(),
  );
}

/** The account and opportunity services the reactions write through (the event store), as mocks. */
const accounts = {
  load: jest.fn(async () => ({ state: undefined })),
  open: jest.fn(async () => ({})),
  addContact: jest.fn(async () => ({})),
  recordWin: jest.fn(async () => ({})),
};
const opportunities = {
  open: jest.fn(async () => ({ opportunity: { opened: { opportunityId: randomUUID() } } })),
};
const writes = () =>
  [accounts.open, accounts.addContact, accounts.recordWin, opportunities.open].reduce(
    (n, fn) => n + fn.mock.calls.length,
    0,
  );

@Module({
  controllers: [LeadConversionReaction, WinRecordingReaction],
  providers: [
    { provide: AccountService, useValue: accounts },
    { provide: OpportunityService, useValue: opportunities },
    { provide: PipelineConfig, useValue: new PipelineConfig() },
  ],
})
class Reactions {}

// Reactions append events through the services; the batch's manager is theirs to ignore.
const manager = {} as EntityManager;
let handlers: BoundEventHandlers;
beforeAll(async () => {
  Logger.overrideLogger(false);
  handlers = await bindCrmEventHandlers(Reactions);
});
afterAll(() => handlers.close());
beforeEach(() => jest.clearAllMocks());

const conversion = (leadId = randomUUID()) => ({
  leadId,
  customerId: randomUUID(),
  companyName: 'Acme',
  personName: 'Ana Pérez',
  customerType: 'prospect',
  interests: [],
  ownerId: 'rep-1',
  channel: 'referral',
  source: {},
  score: 50,
  convertedAt: new Date().toISOString(),
});

describe('lead-conversion reaction', () => {
  it('never sees the poison LeadConverted {"leadId":"not-a-uuid"}: nothing is opened', async () => {
    const poison = cloudEvent('leads', 'LeadConverted', { leadId: 'not-a-uuid' });
    await expect(handlers.deliver('lead-conversion', poison, manager)).rejects.toThrow(
      ContractViolationError,
    );
    expect(writes()).toBe(0);
  });

  it("opens the customer's account, contact and opportunity, with ids a redelivery finds again", async () => {
    const lead = conversion();
    const converted = cloudEvent('leads', 'LeadConverted', lead);
    await handlers.deliver('lead-conversion', converted, manager);
    const caused = { causationId: converted.id, correlationId: converted.correlationid };
    expect(accounts.open).toHaveBeenCalledWith(
      expect.objectContaining({ customerId: lead.customerId, ownerId: 'rep-1', fromLeadId: lead.leadId }),
      expect.objectContaining(caused),
    );
    expect(accounts.addContact).toHaveBeenCalledWith(
      lead.customerId,
      expect.objectContaining({
        contactId: deterministicUuid('contact-from-lead', lead.leadId),
        name: 'Ana Pérez',
      }),
      expect.objectContaining(caused),
    );
    expect(opportunities.open).toHaveBeenCalledWith(
      expect.objectContaining({ opportunityId: deterministicUuid('opportunity-from-lead', lead.leadId) }),
      expect.objectContaining(caused),
    );
  });

  it('is not the win-recording consumer: a conversion records no win', async () => {
    await handlers.deliver('win-recording', cloudEvent('leads', 'LeadConverted', conversion()), manager);
    expect(writes()).toBe(0);
  });
});

describe('win-recording reaction', () => {
  it('never sees an OpportunityWon with a negative amount and no customer: no win is recorded', async () => {
    const bad = cloudEvent('pipeline', 'OpportunityWon', { opportunityId: randomUUID(), amount: -5 });
    const refused = handlers.deliver('win-recording', bad, manager);
    await expect(refused).rejects.toThrow(ContractViolationError);
    await expect(refused).rejects.toMatchObject({
      errors: expect.arrayContaining([
        expect.objectContaining({ path: '/amount' }),
        expect.objectContaining({ path: '/customerId' }),
      ]),
    });
    expect(writes()).toBe(0);
  });

  it("records a valid win on the customer's account, with its amount and currency", async () => {
    const at = new Date().toISOString();
    const won = {
      opportunityId: randomUUID(),
      accountId: randomUUID(),
      customerId: randomUUID(),
      ownerId: 'rep-1',
      previousStage: 'negotiation',
      openedAt: at,
      amount: 12500.5,
      currency: 'EUR',
      wonAt: at,
    };
    const event = cloudEvent('pipeline', 'OpportunityWon', won);
    await handlers.deliver('win-recording', event, manager);
    expect(accounts.recordWin).toHaveBeenCalledWith(
      won.customerId,
      { opportunityId: won.opportunityId, amount: 12500.5, currency: 'EUR', at },
      expect.objectContaining({ causationId: event.id, actor: 'pipeline:win-recording' }),
    );
  });
});
