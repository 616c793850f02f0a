import { deciderSpec } from '@crm/decider/testing';
import { ownerRotationDecider, type OwnerTurnTaken } from './owner-rotation.decider';

const turn = (n: number, ownerId: string, leadId = `l${n}`): OwnerTurnTaken => ({
  type: 'OwnerTurnTaken',
  data: { turn: n, ownerId, leadId },
});
const spec = deciderSpec(ownerRotationDecider);
const owners = ['ana', 'ben', 'cleo'];

describe('owner rotation', () => {
  it('starts with the first owner', () =>
    spec
      .given([])
      .when({ type: 'TakeTurn', data: { owners, leadId: 'l0', customerId: 'c' } })
      .then([turn(0, 'ana')]));
  it('wraps around after the last owner', () =>
    spec
      .given([turn(0, 'ana'), turn(1, 'ben'), turn(2, 'cleo')])
      .when({ type: 'TakeTurn', data: { owners, leadId: 'l3', customerId: 'c' } })
      .then([turn(3, 'ana')]));
  it('needs owners', () =>
    spec
      .given([])
      .when({ type: 'TakeTurn', data: { owners: [], leadId: 'l0', customerId: 'c' } })
      .thenThrows('NO_OWNERS_CONFIGURED'));
});
