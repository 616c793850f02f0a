import type { SegmentRule } from '@crm/contracts';
import { DomainError } from '@crm/decider';
import { deciderSpec } from '@crm/decider/testing';
import { membershipDecider, segmentDecider, type MembershipCommand } from './segment.decider';
import type { MembershipEvent, SegmentEvent } from './segment.events';
import type { CustomerProfile } from './segment.rules';

const segments = deciderSpec(segmentDecider);
const memberships = deciderSpec(membershipDecider);
const segmentId = '5d4c3b2a-1f0e-4d9c-8b7a-6f5e4d3c2b1a';
const otherSegmentId = '6e5d4c3b-2a1f-4e0d-9c8b-7a6f5e4d3c2b';
const customerId = '3f1e2d3c-4b5a-4c6d-8e7f-0a1b2c3d4e5f';
const at = '2026-06-30T12:00:00.000Z';
const spanish: SegmentRule = { field: 'country', op: 'eq', value: 'ES' };
const iberian: SegmentRule = { field: 'country', op: 'in', value: ['ES', 'PT'] };

const defined = (rule: SegmentRule = spanish): SegmentEvent => ({
  type: 'SegmentDefined',
  data: { segmentId, name: 'Spain', rule, version: 1, definedAt: at },
});

describe('segment definitions', () => {
  it('records a valid rule as version 1', () => {
    segments
      .given([])
      .when({ type: 'DefineSegment', data: { segmentId, name: 'Spain', rule: spanish, at } })
      .then([defined()]);
  });

  it('refuses an invalid rule with every problem under /rule, and records nothing', () => {
    const define = () =>
      segmentDecider.decide(
        {
          type: 'DefineSegment',
          data: {
            segmentId,
            name: 'Broken',
            rule: {
              all: [
                { field: 'shoeSize', op: 'eq', value: 1 },
                { field: 'csat', op: 'gt', value: 'high' },
              ],
            },
            at,
          },
        },
        segmentDecider.initialState(),
      );
    expect(define).toThrow(DomainError);
    try {
      define();
    } catch (error) {
      expect(error).toMatchObject({ kind: 'validation', code: 'SEGMENT_RULE_INVALID' });
      expect((error as DomainError).details?.problems).toEqual([
        expect.objectContaining({ path: '/rule/all/0/field' }),
        expect.objectContaining({ path: '/rule/all/1/value' }),
      ]);
    }
  });

  it('refuses to define a segment twice, or to redefine one that does not exist', () => {
    segments
      .given([defined()])
      .when({ type: 'DefineSegment', data: { segmentId, name: 'Again', rule: spanish, at } })
      .thenThrows('SEGMENT_ALREADY_DEFINED');
    segments
      .given([])
      .when({ type: 'RedefineSegment', data: { rule: spanish, at } })
      .thenThrows('SEGMENT_NOT_FOUND');
  });

  it('makes each change of rule or name a new version, and an unchanged definition nothing', () => {
    segments
      .given([defined()])
      .when({ type: 'RedefineSegment', data: { name: 'Iberia', rule: iberian, at } })
      .then([
        {
          type: 'SegmentRedefined',
          data: { segmentId, name: 'Iberia', rule: iberian, version: 2, redefinedAt: at },
        },
      ]);
    // the same rule with its keys in another order is the same rule
    segments
      .given([defined()])
      .when({ type: 'RedefineSegment', data: { rule: { value: 'ES', op: 'eq', field: 'country' }, at } })
      .thenNothingHappens();
  });
});

const profile = (over: Partial<CustomerProfile> = {}): CustomerProfile => ({
  customerId,
  country: 'ES',
  ...over,
});
const evaluate = (
  p: CustomerProfile,
  defs: MembershipCommand['data']['segments'] = [{ segmentId, version: 1, rule: spanish }],
): MembershipCommand => ({
  type: 'EvaluateMembership',
  data: { customerId, profile: p, segments: defs, at },
});
const joined = (id = segmentId, version = 1): MembershipEvent => ({
  type: 'SegmentMemberJoined',
  data: { segmentId: id, segmentVersion: version, customerId, joinedAt: at },
});
const left = (id = segmentId, version = 1): MembershipEvent => ({
  type: 'SegmentMemberLeft',
  data: { segmentId: id, segmentVersion: version, customerId, leftAt: at },
});

describe('segment membership of a customer', () => {
  it('joins the segments the profile now matches, and only once', () => {
    memberships.given([]).when(evaluate(profile())).then([joined()]);
    memberships.given([joined()]).when(evaluate(profile())).thenNothingHappens();
  });

  it('leaves a segment when a profile change no longer matches it', () => {
    memberships
      .given([joined()])
      .when(evaluate(profile({ country: 'FR' })))
      .then([left()]);
    memberships
      .given([joined(), left()])
      .when(evaluate(profile({ country: 'FR' })))
      .thenNothingHappens();
  });

  it('records the difference for several segments, including after a redefinition', () => {
    const defs = [
      { segmentId: otherSegmentId, version: 1, rule: { field: 'csat', op: 'gte', value: 4 } as SegmentRule },
      { segmentId, version: 2, rule: { field: 'country', op: 'eq', value: 'PT' } as SegmentRule },
    ];
    memberships
      .given([joined()])
      .when(evaluate(profile({ csat: 5 }), defs))
      .then([left(segmentId, 2), joined(otherSegmentId)]);
  });

  it('keeps memberships of segments it was not asked about, and refuses another customer’s profile', () => {
    memberships
      .given([joined(otherSegmentId)])
      .when(evaluate(profile()))
      .then([joined()]);
    memberships
      .given([])
      .when(evaluate(profile({ customerId: '9e8d7c6b-5a4f-4e3d-8c2b-1a0f9e8d7c6b' })))
      .thenThrows('PROFILE_OF_ANOTHER_CUSTOMER');
  });
});
