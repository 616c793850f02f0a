import type { CommandContext } from '@crm/contracts';
import { WrongExpectedRevisionError, type EventStore, type NewEvent } from '@crm/event-store';
import { CommandHandler, EventContractViolation } from './command-handler';
import type { Decider } from './decider';

type Event = { type: 'Opened'; data: { name: string } } | { type: 'Tagged'; data: { tag: unknown } };
type Command = { type: 'Open'; data: { name: string; tag: unknown } };

const decider: Decider<Command, boolean, Event> = {
  initialState: () => false,
  decide: (command) => [
    { type: 'Opened', data: { name: command.data.name } },
    { type: 'Tagged', data: { tag: command.data.tag } },
  ],
  evolve: () => true,
};

/** A stream store that only keeps what is appended (the handler reads and appends, nothing else). */
function storeKeeping(appended: NewEvent[]): EventStore {
  return {
    readStream: async () => [],
    append: async (_streamId: string, events: NewEvent[]) => {
      appended.push(...events);
      return { nextExpectedRevision: events.length - 1, idempotentReplay: false };
    },
  } as unknown as EventStore;
}

/** A contract: tags are strings. */
function validateEvent(type: string, _schemaVersion: number, data: unknown) {
  if (type === 'Tagged' && typeof (data as { tag: unknown }).tag !== 'string')
    throw new Error('/tag must be string');
}

const context: CommandContext = {
  commandId: 'c-1',
  correlationId: 'c-1',
  now: () => new Date('2026-05-01T10:00:00Z'),
};

function handler(appended: NewEvent[]) {
  return new CommandHandler({
    store: storeKeeping(appended),
    decider,
    schemaVersions: { Opened: 1, Tagged: 2 },
    customerIdOf: () => 'customer-1',
    validateEvent,
  });
}

describe('CommandHandler with an event contract', () => {
  it('stores the events of a command when every one fits its contract', async () => {
    const appended: NewEvent[] = [];
    await handler(appended).handle('thing-1', { type: 'Open', data: { name: 'a', tag: 'vip' } }, context);
    expect(appended.map((e) => [e.type, e.metadata.schemaVersion])).toEqual([
      ['Opened', 1],
      ['Tagged', 2],
    ]);
  });

  it('stores none of them when one breaks its contract, and says which', async () => {
    const appended: NewEvent[] = [];
    const result = handler(appended).handle(
      'thing-1',
      { type: 'Open', data: { name: 'a', tag: 42 } },
      context,
    );
    await expect(result).rejects.toThrow(EventContractViolation);
    await expect(result).rejects.toMatchObject({
      eventType: 'Tagged',
      schemaVersion: 2,
      message: expect.stringContaining('/tag must be string'),
    });
    expect(appended).toEqual([]);
  });
});

describe('CommandHandler creating a new stream', () => {
  it('appends without reading first, expecting no stream; reads and decides again if one was there', async () => {
    const reads: string[] = [];
    const expectations: unknown[] = [];
    const store = {
      readStream: async (streamId: string) => {
        reads.push(streamId);
        return [];
      },
      append: async (_streamId: string, events: NewEvent[], expected: unknown) => {
        expectations.push(expected);
        if (expectations.length === 1) throw new WrongExpectedRevisionError('s-1', 'no_stream', 0);
        return { nextExpectedRevision: events.length - 1, idempotentReplay: false };
      },
    } as unknown as EventStore;
    const creating = new CommandHandler({
      store,
      decider,
      schemaVersions: { Opened: 1, Tagged: 1 },
      customerIdOf: () => 'c',
    });
    await creating.handle('s-1', { type: 'Open', data: { name: 'a', tag: 't' } }, context, {
      newStream: true,
    });
    expect(expectations).toEqual(['no_stream', 'no_stream']);
    expect(reads).toEqual(['s-1']);
  });
});
