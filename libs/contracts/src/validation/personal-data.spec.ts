import { AccountOpenedV1 } from '../pipeline/pipeline-events';
import { EVENT_CONTRACTS, personalDataSchema } from './event-contracts';
import { mapPersonalData } from './personal-data';
import { PERSONAL_DATA_KEYWORD } from './schema-kit';

const mark = (value: string) => `<${value}>`;

describe('personal data in the contracts', () => {
  it('maps exactly the strings marked personal, nested objects and arrays included', () => {
    const data = {
      accountId: 'a',
      customerId: 'c',
      profile: {
        name: 'Jane Doe',
        kind: 'person',
        customerType: 'prospect',
        email: 'jane@example.com',
        industry: 'retail',
        address: { street: '1 Main St', city: 'Lyon', country: 'FR' },
        psychographics: { interests: ['sailing', 'chess'], lifestyle: 'outdoor' },
        purchaseHabits: { preferredProducts: ['crm'] },
      },
      openedAt: '2026-11-29T08:00:00.000Z',
    };
    expect(mapPersonalData(AccountOpenedV1, data, mark)).toEqual({
      ...data,
      profile: {
        ...data.profile,
        name: '<Jane Doe>',
        email: '<jane@example.com>',
        address: { street: '<1 Main St>', city: '<Lyon>', country: 'FR' },
        psychographics: { interests: ['<sailing>', '<chess>'], lifestyle: '<outdoor>' },
      },
    });
    expect(data.profile.name).toBe('Jane Doe');
  });

  it('maps the partial changes of an update as their full schema says', () => {
    const schema = personalDataSchema('ContactUpdated', 1)!;
    const data = { accountId: 'a', contactId: 'c', changes: { phone: '+33 1', role: 'decision_maker' } };
    expect(mapPersonalData(schema, data, mark)).toEqual({
      ...data,
      changes: { phone: '<+33 1>', role: 'decision_maker' },
    });
  });

  it('knows which types hold none: their data needs no key', () => {
    expect(personalDataSchema('LeadAssigned', 1)).toBeUndefined();
    expect(personalDataSchema('OpportunityWon', 1)).toBeUndefined();
    expect(personalDataSchema('NoSuchEvent', 1)).toBeUndefined();
    expect(personalDataSchema('LeadCaptured', 1)).toBeDefined();
    expect(personalDataSchema('LeadCaptured', 99)).toBeUndefined();
  });

  it('leaves a company name, ids and amounts readable, and marks every person name, e-mail and phone', () => {
    const captured = mapPersonalData(
      personalDataSchema('LeadConverted', 1)!,
      {
        leadId: 'l',
        customerId: 'c',
        personName: 'Jane',
        companyName: 'Acme',
        email: 'j@a.io',
        phone: '+1',
        score: 70,
      },
      mark,
    );
    expect(captured).toEqual({
      leadId: 'l',
      customerId: 'c',
      personName: '<Jane>',
      companyName: 'Acme',
      email: '<j@a.io>',
      phone: '<+1>',
      score: 70,
    });
  });

  it('marks only strings: a reader can always seal and open every marked value', () => {
    const offenders: string[] = [];
    const visit = (schema: Record<string, unknown>, where: string) => {
      if (schema[PERSONAL_DATA_KEYWORD] === true && schema.type !== 'string') offenders.push(where);
      for (const [key, child] of Object.entries(schema))
        if (child && typeof child === 'object') visit(child as Record<string, unknown>, `${where}/${key}`);
    };
    for (const [type, versions] of Object.entries(EVENT_CONTRACTS))
      for (const [version, schema] of Object.entries(versions)) visit(schema, `${type}.v${version}`);
    expect(offenders).toEqual([]);
  });
});
