import { DomainError, type Decider, type DomainEvent } from './decider';

/**
 * Given/when/then specifications for deciders, with no infrastructure:
 *
 *   spec.given([LeadCaptured]).when(Qualify).then([LeadQualified])
 *   spec.given([LeadDisqualified]).when(Convert).thenThrows('LEAD_DISQUALIFIED')
 */
export function deciderSpec<Command, State, Event extends DomainEvent>(
  decider: Decider<Command, State, Event>,
) {
  return {
    given(events: Event[]) {
      return {
        when(command: Command) {
          const run = () => decider.decide(command, events.reduce(decider.evolve, decider.initialState()));
          return {
            then(expected: Event[]) {
              expect(run()).toEqual(expected);
            },
            /** For events whose data holds values the test cannot know (generated ids). */
            thenMatches(check: (events: Event[]) => void) {
              check(run());
            },
            thenNothingHappens() {
              expect(run()).toEqual([]);
            },
            thenThrows(code: string) {
              let thrown: unknown;
              try {
                run();
              } catch (error) {
                thrown = error;
              }
              expect(thrown).toBeInstanceOf(DomainError);
              expect((thrown as DomainError).code).toBe(code);
            },
          };
        },
      };
    },
  };
}
