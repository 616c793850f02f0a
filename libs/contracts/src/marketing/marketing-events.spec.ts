import {
  ContractViolationError,
  assertValidEvent,
  parseEvent,
  personalDataSchema,
} from '../validation/event-contracts';
import { mapPersonalData } from '../validation/personal-data';

const customerId = '3f1e2d3c-4b5a-4c6d-8e7f-0a1b2c3d4e5f';
const at = '2026-03-01T10:00:00.000Z';
const granted = {
  customerId,
  purpose: 'newsletter',
  channel: 'sms',
  lawfulBasis: 'consent',
  source: 'paper_form',
  evidence: { formVersion: 'store-v1', ip: '203.0.113.7' },
  effectiveAt: '2026-02-20T10:00:00.000Z',
  recordedAt: at,
};

describe('marketing contracts', () => {
  it('are published on crm.marketing.events and read back typed', () => {
    const parsed = parseEvent({ type: 'crm.marketing.ConsentGranted.v1', data: granted });
    expect(parsed).toMatchObject({ context: 'marketing', type: 'ConsentGranted', schemaVersion: 1 });
    expect(parseEvent({ type: 'crm.leads.ConsentGranted.v1', data: granted })).toBeUndefined();
  });

  it('seal the IP address of consent evidence and nothing else of the ledger entry', () => {
    const sealed = mapPersonalData(personalDataSchema('ConsentGranted', 1)!, granted, (v) => `<${v}>`);
    expect(sealed).toEqual({ ...granted, evidence: { ...granted.evidence, ip: '<203.0.113.7>' } });
    expect(personalDataSchema('ConsentWithdrawn', 1)).toBeUndefined();
    expect(personalDataSchema('SegmentMemberJoined', 1)).toBeUndefined();
  });

  it('require both times of a ledger entry, and known purposes, channels and lawful bases', () => {
    const { recordedAt: _recordedAt, ...undated } = granted;
    const bad = { ...granted, purpose: 'spam', channel: 'fax', lawfulBasis: 'because' };
    for (const data of [undated, bad])
      expect(() => assertValidEvent('ConsentGranted', 1, data)).toThrow(ContractViolationError);
    try {
      assertValidEvent('ConsentGranted', 1, bad);
    } catch (error) {
      expect((error as ContractViolationError).errors.map((e) => e.path).sort()).toEqual([
        '/channel',
        '/lawfulBasis',
        '/purpose',
      ]);
    }
  });

  it('carry a segment rule as an object, and membership with the definition version matched', () => {
    const segmentId = '5d4c3b2a-1f0e-4d9c-8b7a-6f5e4d3c2b1a';
    const definition = { segmentId, name: 'Spain', version: 1, definedAt: at };
    expect(() => assertValidEvent('SegmentDefined', 1, { ...definition, rule: 'country = ES' })).toThrow(
      ContractViolationError,
    );
    expect(() =>
      assertValidEvent('SegmentDefined', 1, {
        ...definition,
        rule: { field: 'country', op: 'eq', value: 'ES' },
      }),
    ).not.toThrow();
    expect(() =>
      assertValidEvent('SegmentMemberJoined', 1, { segmentId, segmentVersion: 0, customerId, joinedAt: at }),
    ).toThrow(ContractViolationError);
  });
});
