/**
 * A decider is an aggregate as two pure functions (after Emmett and Jérémie Chassaing):
 * `decide(command, state)` says which events a command leads to (or throws a DomainError) and
 * `evolve(state, event)` folds an event into the state. No I/O, no clock, no framework.
 */
export interface DomainEvent<Type extends string = string, Data = unknown> {
  type: Type;
  data: Data;
}

export interface Decider<Command, State, Event extends DomainEvent> {
  initialState: () => State;
  decide: (command: Command, state: State) => Event[];
  evolve: (state: State, event: Event) => State;
}

export function fold<State, Event extends DomainEvent>(
  decider: Pick<Decider<unknown, State, Event>, 'initialState' | 'evolve'>,
  events: readonly Event[],
): State {
  return events.reduce(decider.evolve, decider.initialState());
}

/**
 * What kind of rule a domain error breaks; the HTTP edge maps each kind to one status.
 * `precondition_failed`: the caller pinned a revision (If-Match) the aggregate has moved on from.
 */
export type DomainErrorKind =
  'validation' | 'not_found' | 'conflict' | 'precondition_failed' | 'rule' | 'forbidden';

/**
 * A broken business rule, with a stable machine-readable code per domain (e.g.
 * `LEAD_ALREADY_CONVERTED`). Thrown by deciders and command handlers; never by infrastructure.
 */
export class DomainError extends Error {
  constructor(
    readonly kind: DomainErrorKind,
    readonly code: string,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

export const ruleBroken = (code: string, message: string, details?: Record<string, unknown>) =>
  new DomainError('rule', code, message, details);
export const forbidden = (code: string, message: string, details?: Record<string, unknown>) =>
  new DomainError('forbidden', code, message, details);
export const notFound = (code: string, message: string, details?: Record<string, unknown>) =>
  new DomainError('not_found', code, message, details);
export const conflict = (code: string, message: string, details?: Record<string, unknown>) =>
  new DomainError('conflict', code, message, details);
