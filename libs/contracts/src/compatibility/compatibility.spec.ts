import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Type } from '@sinclair/typebox';
import { LeadConvertedV1 } from '../leads/lead-events';
import { EVENT_CONTRACTS } from '../validation/event-contracts';
import { CONTRACT_FILES, REGENERATE_COMMAND, contractFiles } from './contract-files';
import { publishedSchemas, type JsonSchema, type PublishedSchemas } from './published-schemas';
import { breakingChanges, describeBreakingChange } from './schema-compatibility';

const snapshotFile = join(__dirname, '..', '..', CONTRACT_FILES.publishedSchemas);
const snapshot: PublishedSchemas = JSON.parse(readFileSync(snapshotFile, 'utf8'));

/** The breaking changes, described, from the snapshot to the snapshot as `edit` leaves a copy of it. */
function breaksAfter(edit: (schemas: PublishedSchemas) => void): string[] {
  const current = structuredClone(snapshot);
  edit(current);
  return breakingChanges(snapshot, current).map(describeBreakingChange);
}

const props = (schema: JsonSchema) => schema.properties as Record<string, JsonSchema>;
const required = (schema: JsonSchema) => schema.required as string[];

describe('compatibility of published event versions', () => {
  it('finds no change to a published version that breaks its readers', () => {
    expect(breakingChanges(snapshot, publishedSchemas()).map(describeBreakingChange)).toEqual([]);
  });

  it(`has every published version recorded (libs/contracts/${CONTRACT_FILES.publishedSchemas})`, () => {
    try {
      expect(snapshot).toEqual(publishedSchemas());
    } catch (error) {
      const hint = `the contracts changed compatibly or gained versions: run \`${REGENERATE_COMMAND}\` and commit the snapshot`;
      throw new Error(`${hint}\n\n${(error as Error).message}`);
    }
  });

  it('fails when a published payload field changes without a version bump', () => {
    const edited = {
      ...EVENT_CONTRACTS,
      LeadConverted: { 1: Type.Object({ ...LeadConvertedV1.properties, score: Type.String() }) },
    };
    const breaking = breakingChanges(snapshot, publishedSchemas(edited));
    expect(breaking.map(describeBreakingChange)).toEqual([
      'LeadConverted v1 /score: retyped from number to string',
      'LeadConverted v1 /score: minimum changed from 0 to none',
    ]);
    // and the generator refuses to write anything
    expect(contractFiles(snapshot, publishedSchemas(edited))).toEqual({ breaking });
    expect(contractFiles(snapshot)).toMatchObject({ breaking: [], files: { publishedSchemas: snapshot } });
    const { LeadConverted: _, ...withoutIt } = EVENT_CONTRACTS;
    const withV2 = { ...withoutIt, LeadConverted: { 1: LeadConvertedV1, 2: edited.LeadConverted[1] } };
    expect(breakingChanges(snapshot, publishedSchemas(withV2))).toEqual([]); // the same change as a v2 is fine
  });

  it.each<[string, (s: PublishedSchemas) => void, string[]]>([
    ['a field removed', (s) => delete props(s.LeadCaptured[1]).email, ['LeadCaptured v1 /email: removed']],
    [
      'a field retyped',
      (s) => (props(s.LeadCaptured[1]).companySize = { type: 'string' }),
      [
        'LeadCaptured v1 /companySize: retyped from integer to string',
        'LeadCaptured v1 /companySize: minimum changed from 1 to none',
      ],
    ],
    [
      'a new required field',
      (s) => {
        props(s.LeadWorkStarted[1]).startedBy = { type: 'string' };
        required(s.LeadWorkStarted[1]).push('startedBy');
      },
      ['LeadWorkStarted v1 /startedBy: new required field'],
    ],
    [
      'an optional field made required',
      (s) => required(s.LeadCaptured[1]).push('email'),
      ['LeadCaptured v1 /email: became required'],
    ],
    [
      'an enum value removed',
      (s) => (props(s.LeadDisqualified[1]).reason.enum as string[]).splice(0, 1),
      ['LeadDisqualified v1 /reason: enum value "no_budget" removed'],
    ],
    [
      'a format tightened',
      (s) => (props(s.LeadAssigned[1]).ownerId.format = 'uuid'),
      ['LeadAssigned v1 /ownerId: format changed from none to "uuid"'],
    ],
    [
      'a pattern changed',
      (s) => (props(s.QuoteSent[1]).currency.pattern = '^(EUR|USD)$'),
      ['QuoteSent v1 /currency: pattern changed from "^[A-Z]{3}$" to "^(EUR|USD)$"'],
    ],
    [
      'additionalProperties closed',
      (s) => (s.LeadWorkStarted[1].additionalProperties = false),
      ['LeadWorkStarted v1 /: closed to fields it does not list (additionalProperties: false)'],
    ],
    [
      'a bound tightened deep inside',
      (s) => {
        const line = (props(s.QuoteDrafted[1]).lines as { items: JsonSchema }).items;
        props(line).quantity.minimum = 2;
      },
      ['QuoteDrafted v1 /lines[]/quantity: minimum changed from 1 to 2'],
    ],
    [
      'a nested required field removed',
      (s) => delete props(props(s.AccountOpened[1]).profile).name,
      ['AccountOpened v1 /profile/name: removed'],
    ],
    [
      'a published version removed',
      (s) => delete s.QuoteRejected[1],
      ['QuoteRejected v1 /: published version removed from the contracts'],
    ],
    [
      'a composition it cannot judge',
      (s) => (props(s.LeadQualified[1]).score.anyOf = [{ type: 'integer' }]),
      ['LeadQualified v1 /score: anyOf changed from none to [{"type":"integer"}]'],
    ],
    [
      'a bound relaxed (a reader may rely on it)',
      (s) => delete props(s.LeadAssigned[1]).ownerId.minLength,
      ['LeadAssigned v1 /ownerId: minLength changed from 1 to none'],
    ],
    [
      'an integer widened to a number',
      (s) => (props(s.LeadCaptured[1]).companySize.type = 'number'),
      ['LeadCaptured v1 /companySize: retyped from integer to number'],
    ],
    [
      'a required field made optional',
      (s) => required(s.LeadAssigned[1]).splice(1, 1),
      ['LeadAssigned v1 /ownerId: no longer required'],
    ],
  ])('names the event and field when %s', (_, edit, expected) => {
    expect(breaksAfter(edit)).toEqual(expected);
  });

  it.each<[string, (s: PublishedSchemas) => void]>([
    ['an optional field added', (s) => (props(s.LeadWorkStarted[1]).startedBy = { type: 'string' })],
    ['an enum widened', (s) => (props(s.LeadDisqualified[1]).reason.enum as string[]).push('duplicate')],
    ['a description added', (s) => (props(s.LeadCaptured[1]).email.description = 'Lower-cased')],
    ['a new version', (s) => (s.LeadCaptured[2] = { type: 'object' })],
    ['a new event type', (s) => (s.LeadMerged = { 1: { type: 'object' } })],
  ])('accepts %s', (_, edit) => {
    expect(breaksAfter(edit)).toEqual([]);
  });
});
