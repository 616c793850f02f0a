import type { CommandContext } from '@crm/contracts';
import type { DomainEvent } from './decider';
import type { CommandHandler, HandleOptions, HandleResult } from './command-handler';

/**
 * One aggregate a service reads on almost every request (its settings: calendars, policies,
 * queues), kept in memory and caught up with its stream before every use: one read of the events
 * after the known revision, usually none. Every replica so decides with the newest version,
 * whichever replica published it, without folding the whole stream each time.
 */
export class CachedAggregate<Command, State, Event extends DomainEvent> {
  private known: { state: State; revision: number };

  constructor(
    private readonly handler: CommandHandler<Command, State, Event>,
    private readonly streamId: string,
    initialState: State,
  ) {
    this.known = { state: initialState, revision: -1 };
  }

  /** The state after every event appended so far. */
  async current(): Promise<{ state: State; revision: number }> {
    this.remember(await this.handler.catchUp(this.streamId, this.known));
    return this.known;
  }

  /** The state as of the last `current()` or `handle()`, without reading. */
  get lastKnown(): { state: State; revision: number } {
    return this.known;
  }

  async handle(
    command: Command,
    context: CommandContext,
    options: HandleOptions = {},
  ): Promise<HandleResult<State, Event>> {
    const result = await this.handler.handle(this.streamId, command, context, options);
    this.remember(result);
    return result;
  }

  private remember(next: { state: State; revision: number }) {
    if (next.revision > this.known.revision) this.known = { state: next.state, revision: next.revision };
  }
}
