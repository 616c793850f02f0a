import {
  ContractViolationError,
  EVENT_CONTRACTS,
  assertValidEvent,
  isContractViolation,
  parseEvent,
} from './event-contracts';
import { PRODUCED, at, customer, lead } from './event-samples.fixtures';

function violationOf(run: () => unknown): ContractViolationError {
  try {
    run();
  } catch (error) {
    if (error instanceof ContractViolationError) return error;
    throw error;
  }
  throw new Error('expected a contract violation');
}

describe('event contracts', () => {
  it.each(Object.entries(PRODUCED))(
    'accepts a %s as the services write it (its newest version)',
    (type, data) => {
      const newest = Math.max(
        ...Object.keys(EVENT_CONTRACTS[type as keyof typeof EVENT_CONTRACTS]).map(Number),
      );
      expect(() => assertValidEvent(type, newest, data)).not.toThrow();
      // and after the trip through Kafka
      expect(() => assertValidEvent(type, newest, JSON.parse(JSON.stringify(data)))).not.toThrow();
    },
  );

  it('rejects the poison LeadConverted {"leadId":"not-a-uuid"}, naming every path', () => {
    const error = violationOf(() => assertValidEvent('LeadConverted', 1, { leadId: 'not-a-uuid' }));
    expect(isContractViolation(error)).toBe(true);
    expect(error.errors).toContainEqual({ path: '/leadId', message: 'must match format "uuid"' });
    expect(error.errors.map((e) => e.path)).toEqual(
      expect.arrayContaining(['/customerId', '/interests', '/ownerId', '/convertedAt']),
    );
    expect(error.message).toMatch(/^LeadConverted v1 violates its contract: /);
  });

  it('rejects an account opened without a name (the HTTP hole that froze the read model)', () => {
    const data = {
      accountId: customer,
      customerId: customer,
      profile: {},
      openedAt: at,
    };
    const error = violationOf(() => assertValidEvent('AccountOpened', 1, data));
    expect(error.errors.map((e) => e.path)).toEqual(
      expect.arrayContaining(['/profile/name', '/profile/kind', '/profile/customerType']),
    );
  });

  it('rejects wrong types, bad enums, impossible timestamps and empty names', () => {
    const bad = { ...(PRODUCED.OpportunityOpened as object), probability: 'ten', stage: '' };
    expect(violationOf(() => assertValidEvent('OpportunityOpened', 1, bad)).errors).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ path: '/probability' }),
        expect.objectContaining({ path: '/stage' }),
      ]),
    );
    const late = { leadId: lead, startedAt: '2026-02-30T10:00:00Z' };
    expect(violationOf(() => assertValidEvent('LeadWorkStarted', 1, late)).errors[0].path).toBe('/startedAt');
    expect(() => assertValidEvent('LeadWorkStarted', 1, null)).toThrow(ContractViolationError);
  });

  it('keeps optional fields optional, also when an object holds them as undefined', () => {
    const { email: _email, ...withoutEmail } = PRODUCED.LeadCaptured as Record<string, unknown>;
    expect(() => assertValidEvent('LeadCaptured', 1, withoutEmail)).not.toThrow();
    const dtoLike = { ...withoutEmail, phone: undefined, source: { campaignId: undefined } };
    expect(() => assertValidEvent('LeadCaptured', 1, dtoLike)).not.toThrow();
  });

  it('tolerates fields it does not know (a compatible addition within a version)', () => {
    const data = { ...(PRODUCED.LeadWorkStarted as object), startedBy: 'rep-1' };
    expect(() => assertValidEvent('LeadWorkStarted', 1, data)).not.toThrow();
  });

  it('refuses an unknown type or schema version', () => {
    expect(violationOf(() => assertValidEvent('LeadMerged', 1, {})).message).toBe(
      'LeadMerged is not an event type of any contract',
    );
    expect(violationOf(() => assertValidEvent('LeadConverted', 2, PRODUCED.LeadConverted)).message).toBe(
      'LeadConverted has no schema version 2',
    );
  });

  it('never changes the data it checks', () => {
    const data = { leadId: lead, startedAt: at, extra: { n: 1 } };
    const copy = structuredClone(data);
    assertValidEvent('LeadWorkStarted', 1, data);
    expect(data).toEqual(copy);
  });
});

describe('parseEvent', () => {
  it('reads a lifecycle stage event from every context that owns a stage', () => {
    const data = PRODUCED.CustomerLifecycleStageReached;
    for (const context of ['leads', 'pipeline', 'service', 'analytics'])
      expect(parseEvent({ type: `crm.${context}.CustomerLifecycleStageReached.v1`, data })?.context).toBe(
        context,
      );
  });

  it('answers the typed event once its data passed the contract', () => {
    const parsed = parseEvent({ type: 'crm.leads.LeadConverted.v1', data: PRODUCED.LeadConverted });
    expect(parsed).toMatchObject({ context: 'leads', type: 'LeadConverted', schemaVersion: 1 });
    if (parsed?.type !== 'LeadConverted') throw new Error('not narrowed');
    expect(parsed.data.customerId).toBe(customer); // typed access, no cast
  });

  it('throws for data that fails its contract and for a version it cannot read', () => {
    expect(() => parseEvent({ type: 'crm.leads.LeadConverted.v1', data: { leadId: 'not-a-uuid' } })).toThrow(
      ContractViolationError,
    );
    expect(() => parseEvent({ type: 'crm.leads.LeadConverted.v2', data: PRODUCED.LeadConverted })).toThrow(
      'LeadConverted has no schema version 2',
    );
  });

  it('answers undefined for types outside the contracts', () => {
    expect(parseEvent({ type: 'crm.leads.LeadMerged.v1', data: {} })).toBeUndefined();
    expect(parseEvent({ type: 'crm.pipeline.LeadConverted.v1', data: {} })).toBeUndefined();
    expect(parseEvent({ type: 'crm.sandbox.LeadConverted.v1', data: {} })).toBeUndefined();
    expect(parseEvent({ type: 'com.example.Thing', data: {} })).toBeUndefined();
  });
});
