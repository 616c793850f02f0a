import { randomUUID } from 'node:crypto';
import { commandTime, type CommandContext, type EventMetadata } from '@crm/contracts';
import {
  WrongExpectedRevisionError,
  type EventStore,
  type ExpectedRevision,
  type NewEvent,
} from '@crm/event-store';
import { DomainError, type Decider, type DomainEvent } from './decider';

export interface HandleOptions {
  /**
   * The revision the client last saw (HTTP If-Match). When given, a stream that moved on is a
   * conflict reported to the caller; when omitted, the handler re-reads and retries.
   */
  expectedRevision?: number;
  /** How many times to re-run decide on a concurrent write before giving up. */
  maxRetries?: number;
  /**
   * The stream is new by construction (its id was just generated): decide on the initial state
   * without reading it, and append with "no stream" expected. Saves a read per creation; should
   * the stream exist after all, the append fails and the command runs again on what is there.
   */
  newStream?: boolean;
}

export interface HandleResult<State, Event> {
  state: State;
  events: Event[];
  /** Revision of the stream's last event after the command; -1 when the stream is still empty. */
  revision: number;
  /** True when the command changed nothing (no events, or an idempotent replay). */
  unchanged: boolean;
}

export interface CommandHandlerConfig<Command, State, Event extends DomainEvent> {
  store: EventStore;
  decider: Decider<Command, State, Event>;
  /** Schema version of every event type this handler may write. */
  schemaVersions: Record<Event['type'], number>;
  /** The customer the aggregate belongs to, from the state after the events, or the command. */
  customerIdOf: (state: State, command: Command) => string;
  /** Event ids; injectable so that retried commands can be made idempotent. */
  newId?: () => string;
  /**
   * Checks an event against its published contract before it is stored (e.g. `assertValidEvent`
   * of `@crm/contracts`); throws when it does not hold. Nothing of the command is appended then.
   */
  validateEvent?: (type: string, schemaVersion: number, data: unknown) => void;
  /**
   * Turns the data of a stored event of an older schema version into the newest version's (e.g.
   * `upcastStoredEvent` of `@crm/contracts`), so that `evolve` is written for the newest only.
   * Needed once a type the stream holds has more than one version.
   */
  upcast?: (type: string, schemaVersion: number, data: unknown) => unknown;
}

/**
 * A decider produced an event its contract forbids. Input is validated before it reaches the
 * decider, so this is a bug in the service, not the caller's mistake: nothing was stored.
 */
export class EventContractViolation extends Error {
  constructor(
    readonly streamId: string,
    readonly eventType: string,
    readonly schemaVersion: number,
    cause: unknown,
  ) {
    super(
      `${eventType} v${schemaVersion} for ${streamId} breaks its contract: ${
        cause instanceof Error ? cause.message : String(cause)
      }`,
      { cause },
    );
    this.name = 'EventContractViolation';
  }
}

/**
 * The stream moved on. When the caller pinned the revision (If-Match), its precondition failed
 * (PRECONDITION_FAILED, HTTP 412); otherwise concurrent writers kept winning the retries
 * (REVISION_CONFLICT, HTTP 409).
 */
export class StreamRevisionConflictError extends DomainError {
  constructor(streamId: string, expected: number, actual: number | undefined, pinned = true) {
    super(
      pinned ? 'precondition_failed' : 'conflict',
      pinned ? 'PRECONDITION_FAILED' : 'REVISION_CONFLICT',
      `the resource changed since revision ${expected}`,
      { streamId, expectedRevision: expected, actualRevision: actual },
    );
  }
}

/**
 * Loads an aggregate's stream, folds it, decides, and appends the new events with the revision
 * it read. A concurrent writer makes the append fail; then the whole cycle runs again on fresh
 * state (unless the caller pinned a revision, which makes it a conflict for the caller).
 */
export class CommandHandler<Command, State, Event extends DomainEvent> {
  constructor(private readonly config: CommandHandlerConfig<Command, State, Event>) {}

  async load(streamId: string): Promise<{ state: State; revision: number }> {
    return this.catchUp(streamId, { state: this.config.decider.initialState(), revision: -1 });
  }

  /**
   * The state after the events appended since `known` (a state folded up to its revision): a
   * single read of the new events only, for aggregates a service keeps in memory and reads often.
   */
  async catchUp(
    streamId: string,
    known: { state: State; revision: number },
  ): Promise<{ state: State; revision: number }> {
    const { store, decider } = this.config;
    const recorded = await store.readStream(streamId, { fromRevision: known.revision + 1 });
    let state = known.state;
    const upcast = this.config.upcast ?? ((_type: string, _version: number, data: unknown) => data);
    for (const e of recorded)
      state = decider.evolve(state, {
        type: e.type,
        data: upcast(e.type, e.metadata.schemaVersion, e.data),
      } as Event);
    return {
      state,
      revision: recorded.length === 0 ? known.revision : recorded[recorded.length - 1].revision,
    };
  }

  async handle(
    streamId: string,
    command: Command,
    context: CommandContext,
    options: HandleOptions = {},
  ): Promise<HandleResult<State, Event>> {
    const maxRetries = options.expectedRevision === undefined ? (options.maxRetries ?? 5) : 0;
    for (let attempt = 0; ; attempt++) {
      const { state, revision } =
        options.newStream && attempt === 0
          ? { state: this.config.decider.initialState(), revision: -1 }
          : await this.load(streamId);
      // An unknown aggregate is the decider's to report (404), whatever revision the client sent.
      if (
        options.expectedRevision !== undefined &&
        revision !== -1 &&
        options.expectedRevision !== revision
      ) {
        throw new StreamRevisionConflictError(streamId, options.expectedRevision, revision);
      }
      const events = this.config.decider.decide(command, state);
      // A stream the decider lets a command create had no revision to match: any If-Match is stale.
      if (options.expectedRevision !== undefined && revision === -1 && events.length > 0)
        throw new StreamRevisionConflictError(streamId, options.expectedRevision, revision);
      const next = events.reduce(this.config.decider.evolve, state);
      if (events.length === 0) return { state: next, events, revision, unchanged: true };
      const expected: ExpectedRevision = revision === -1 ? 'no_stream' : revision;
      const newEvents = this.toNewEvents(events, this.config.customerIdOf(next, command), context);
      this.validate(streamId, newEvents);
      try {
        const result = await this.config.store.append(streamId, newEvents, expected);
        return {
          state: next,
          events,
          revision: result.nextExpectedRevision,
          unchanged: result.idempotentReplay,
        };
      } catch (error) {
        if (!(error instanceof WrongExpectedRevisionError)) throw error;
        if (attempt >= maxRetries) {
          const pinned = options.expectedRevision !== undefined;
          throw new StreamRevisionConflictError(
            streamId,
            options.expectedRevision ?? revision,
            error.actual,
            pinned,
          );
        }
      }
    }
  }

  /** Every event of the command is checked before any is appended: all of them are stored, or none. */
  private validate(streamId: string, events: NewEvent[]): void {
    const { validateEvent } = this.config;
    if (!validateEvent) return;
    for (const event of events) {
      const schemaVersion = event.metadata.schemaVersion;
      try {
        validateEvent(event.type, schemaVersion, event.data);
      } catch (error) {
        throw new EventContractViolation(streamId, event.type, schemaVersion, error);
      }
    }
  }

  private toNewEvents(events: Event[], customerId: string, context: CommandContext): NewEvent[] {
    const newId = this.config.newId ?? randomUUID;
    return events.map((event) => ({
      id: newId(),
      type: event.type,
      data: event.data,
      metadata: eventMetadata(context, customerId, this.config.schemaVersions[event.type as Event['type']]),
    }));
  }
}

/** The metadata of an event a command writes: who, why, which trace, and when. */
export function eventMetadata(
  context: CommandContext,
  customerId: string,
  schemaVersion: number,
): EventMetadata {
  return {
    customerId,
    correlationId: context.correlationId,
    causationId: context.causationId ?? context.commandId,
    schemaVersion,
    occurredAt: commandTime(context),
    ...(context.traceparent ? { traceparent: context.traceparent } : {}),
    ...(context.tracestate ? { tracestate: context.tracestate } : {}),
    ...(context.actor ? { actor: context.actor } : {}),
  };
}
