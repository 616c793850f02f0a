import { deciderSpec } from '@crm/decider/testing';
import { listDecider } from './list.decider';
import type { ListEvent } from './list.events';

const lists = deciderSpec(listDecider);
const listId = '5d4c3b2a-1f0e-4d9c-8b7a-6f5e4d3c2b1a';
const importId = '7a6f5e4d-3c2b-4a1f-8e0d-9c8b7a6f5e4d';
const ana = '3f1e2d3c-4b5a-4c6d-8e7f-0a1b2c3d4e5f';
const bea = '4a2f3e4d-5c6b-4d7e-9f80-1b2c3d4e5f60';
const cyd = '5b3a4f5e-6d7c-4e8f-a091-2c3d4e5f6071';
const at = '2026-06-30T12:00:00.000Z';

const created: ListEvent = {
  type: 'StaticListCreated',
  data: { listId, name: 'Fair visitors', createdAt: at },
};
const added = (customerIds: string[], batch?: { fromLine: number; toLine: number }): ListEvent => ({
  type: 'StaticListMembersAdded',
  data: { listId, customerIds, ...(batch ? { import: { importId, ...batch } } : {}), addedAt: at },
});

describe('static lists', () => {
  it('creates a list once', () => {
    lists
      .given([])
      .when({ type: 'CreateList', data: { listId, name: 'Fair visitors', at } })
      .then([created]);
    lists
      .given([created])
      .when({ type: 'CreateList', data: { listId, name: 'Again', at } })
      .thenThrows('LIST_ALREADY_EXISTS');
  });

  it('adds only customers not in the list yet, each once', () => {
    lists
      .given([created, added([ana])])
      .when({ type: 'AddMembers', data: { customerIds: [ana, bea, bea], at } })
      .then([added([bea])]);
    lists
      .given([created, added([ana])])
      .when({ type: 'AddMembers', data: { customerIds: [ana], at } })
      .thenNothingHappens();
  });

  it('removes only members', () => {
    lists
      .given([created, added([ana, bea])])
      .when({ type: 'RemoveMembers', data: { customerIds: [bea, cyd], at } })
      .then([{ type: 'StaticListMembersRemoved', data: { listId, customerIds: [bea], removedAt: at } }]);
    lists
      .given([
        created,
        added([ana]),
        { type: 'StaticListMembersRemoved', data: { listId, customerIds: [ana], removedAt: at } },
      ])
      .when({ type: 'RemoveMembers', data: { customerIds: [ana], at } })
      .thenNothingHappens();
  });

  it('records an import batch once: a batch replayed after a crash records nothing, the next one goes on', () => {
    const batch1 = added([ana, bea], { fromLine: 2, toLine: 501 });
    // replayed: even a customer removed by hand since is not added again by the old batch
    lists
      .given([
        created,
        batch1,
        { type: 'StaticListMembersRemoved', data: { listId, customerIds: [bea], removedAt: at } },
      ])
      .when({
        type: 'AddMembers',
        data: { customerIds: [ana, bea], import: { importId, fromLine: 2, toLine: 501 }, at },
      })
      .thenNothingHappens();
    lists
      .given([created, batch1])
      .when({
        type: 'AddMembers',
        data: { customerIds: [bea, cyd], import: { importId, fromLine: 502, toLine: 1001 }, at },
      })
      .then([added([cyd], { fromLine: 502, toLine: 1001 })]);
  });

  it('counts what an import added, over its batches', () => {
    const state = [
      created,
      added([ana, bea], { fromLine: 2, toLine: 501 }),
      added([cyd], { fromLine: 502, toLine: 1001 }),
    ].reduce(listDecider.evolve, listDecider.initialState());
    expect(state.status === 'created' && state.imports[importId]).toEqual({ toLine: 1001, added: 3 });
    expect(state.status === 'created' && [...state.members]).toEqual([ana, bea, cyd]);
  });

  it('refuses members for a list that does not exist', () => {
    lists
      .given([])
      .when({ type: 'AddMembers', data: { customerIds: [ana], at } })
      .thenThrows('LIST_NOT_FOUND');
  });
});
