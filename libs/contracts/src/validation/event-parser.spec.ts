import { randomUUID } from 'node:crypto';
import { Type } from '@sinclair/typebox';
import { isContractViolation } from './contract-violation';
import { createEventParser } from './event-parser';
import { Text, Uuid } from './schema-kit';

// A test-local event type with three versions, as a context would publish them over the years.
const NoteTakenV1 = Type.Object({ noteId: Uuid(), text: Text() });
const NoteTakenV2 = Type.Object({
  noteId: Uuid(),
  body: Type.Object({ text: Text(), language: Text() }),
});
const NoteTakenV3 = Type.Object({
  noteId: Uuid(),
  body: Type.Object({ text: Text(), language: Text() }),
  tags: Type.Array(Text()),
});
const contracts = { NoteTaken: { 1: NoteTakenV1, 2: NoteTakenV2, 3: NoteTakenV3 } } as const;
const publishers = { NoteTaken: ['notes'] };

const parse = createEventParser({
  contracts,
  publishers,
  upcasters: {
    NoteTaken: {
      1: (v1) => ({ noteId: v1.noteId, body: { text: v1.text, language: 'und' } }),
      2: (v2) => ({ ...v2, tags: [] }),
    },
  },
});

const noteId = randomUUID();
const v1 = { noteId, text: 'Call back on Monday' };
const v3 = { noteId, body: { text: 'Call back', language: 'en' }, tags: ['follow-up'] };

describe('reading older versions (upcasting)', () => {
  it('answers a v1 event as the newest version, upcast step by step', () => {
    const parsed = parse({ type: 'crm.notes.NoteTaken.v1', data: v1 });
    expect(parsed).toEqual({
      context: 'notes',
      type: 'NoteTaken',
      schemaVersion: 3,
      data: { noteId, body: { text: 'Call back on Monday', language: 'und' }, tags: [] },
    });
    // Typed as the newest version: no cast, and no older shape to handle.
    const tags: string[] | undefined = parsed?.data.tags;
    expect(tags).toEqual([]);
  });

  it('answers the newest version as it came, and a middle version through the remaining steps', () => {
    expect(parse({ type: 'crm.notes.NoteTaken.v3', data: v3 })?.data).toEqual(v3);
    const v2 = { noteId, body: { text: 'x', language: 'es' } };
    expect(parse({ type: 'crm.notes.NoteTaken.v2', data: v2 })).toMatchObject({
      schemaVersion: 3,
      data: { ...v2, tags: [] },
    });
  });

  it("checks old data against its own version's schema before upcasting it", () => {
    const error = catchError(() => parse({ type: 'crm.notes.NoteTaken.v1', data: { noteId, text: '' } }));
    expect(isContractViolation(error)).toBe(true);
    expect((error as Error).message).toBe(
      'NoteTaken v1 violates its contract: /text must NOT have fewer than 1 characters',
    );
    // v3 data labelled v1 is not read as v3 either
    expect(() => parse({ type: 'crm.notes.NoteTaken.v1', data: v3 })).toThrow(/^NoteTaken v1 violates/);
  });

  it('checks what the upcasters made against the newest schema', () => {
    const broken = createEventParser({
      contracts,
      publishers,
      upcasters: { NoteTaken: { 1: (d) => ({ noteId: d.noteId }), 2: (d) => d } },
    });
    const error = catchError(() => broken({ type: 'crm.notes.NoteTaken.v1', data: v1 }));
    expect(isContractViolation(error)).toBe(true);
    expect((error as Error).message).toMatch(
      /^NoteTaken v1 upcast to v3 violates its contract: \/body is required/,
    );
  });

  it('never changes the data of the event it reads, even with an upcaster that mutates', () => {
    const mutating = createEventParser({
      contracts,
      publishers,
      upcasters: {
        NoteTaken: {
          1: (d) => Object.assign(d, { text: undefined, body: { text: d.text, language: 'en' } }),
          2: (d) => ({ ...d, tags: [] }),
        },
      },
    });
    const data = structuredClone(v1);
    expect(mutating({ type: 'crm.notes.NoteTaken.v1', data })?.schemaVersion).toBe(3);
    expect(data).toEqual(v1);
  });

  it('refuses a version newer than any it knows (consumers dead-letter it)', () => {
    const error = catchError(() => parse({ type: 'crm.notes.NoteTaken.v4', data: v3 }));
    expect(isContractViolation(error)).toBe(true);
    expect((error as Error).message).toBe('NoteTaken has no schema version 4');
  });

  it('refuses to start without an upcaster for every version but the newest', () => {
    expect(() =>
      createEventParser({ contracts, publishers, upcasters: { NoteTaken: { 1: (d) => d } } }),
    ).toThrow('NoteTaken v2 has no upcaster to v3');
  });

  it('answers undefined for a type another context publishes', () => {
    expect(parse({ type: 'crm.leads.NoteTaken.v1', data: v1 })).toBeUndefined();
  });
});

function catchError(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error');
}
