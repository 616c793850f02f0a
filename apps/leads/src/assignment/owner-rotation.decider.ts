import { ruleBroken, type Decider, type DomainEvent } from '@crm/decider';

/**
 * Round-robin assignment as a tiny aggregate of its own: one stream holds every turn taken, so
 * concurrent captures never hand two leads the same turn (optimistic concurrency on the stream)
 * and the rotation survives restarts and scales across replicas.
 */
export type OwnerTurnTaken = DomainEvent<'OwnerTurnTaken', { turn: number; ownerId: string; leadId: string }>;

export interface TakeTurn {
  type: 'TakeTurn';
  data: { owners: string[]; leadId: string; customerId: string };
}

export interface RotationState {
  turnsTaken: number;
}

export const ownerRotationDecider: Decider<TakeTurn, RotationState, OwnerTurnTaken> = {
  initialState: () => ({ turnsTaken: 0 }),
  decide: ({ data }, state) => {
    if (data.owners.length === 0)
      throw ruleBroken('NO_OWNERS_CONFIGURED', 'no lead owners are configured for round robin');
    const turn = state.turnsTaken;
    return [
      {
        type: 'OwnerTurnTaken',
        data: { turn, ownerId: data.owners[turn % data.owners.length], leadId: data.leadId },
      },
    ];
  },
  evolve: (state) => ({ turnsTaken: state.turnsTaken + 1 }),
};

export const OWNER_ROTATION_STREAM = 'leadOwnerRotation-default';
