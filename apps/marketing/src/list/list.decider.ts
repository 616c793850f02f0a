import type { ListImportBatch } from '@crm/contracts';
import { conflict, notFound, type Decider } from '@crm/decider';
import type { ListEvent } from './list.events';

/**
 * A static list (stream `list-<listId>`): a name and a set of customers, added and removed in
 * batches. Adding records only customers not in the list yet; removing only those in it. A batch of
 * a CSV import names its lines: a batch whose lines the list has taken already (replayed after a
 * crash before the import's progress was committed) records nothing.
 */
export type ListCommand =
  | { type: 'CreateList'; data: { listId: string; name: string; description?: string; at: string } }
  | { type: 'AddMembers'; data: { customerIds: string[]; import?: ListImportBatch; at: string } }
  | { type: 'RemoveMembers'; data: { customerIds: string[]; at: string } };

export interface CreatedList {
  status: 'created';
  listId: string;
  name: string;
  description?: string;
  members: ReadonlySet<string>;
  /** Import id → what the list took of it: the last line, and how many customers it added. */
  imports: Readonly<Record<string, { toLine: number; added: number }>>;
}
export type ListState = { status: 'none' } | CreatedList;

const fresh = (ids: readonly string[], keep: (id: string) => boolean) => [...new Set(ids)].filter(keep);

export const listDecider: Decider<ListCommand, ListState, ListEvent> = {
  initialState: () => ({ status: 'none' }),
  decide: (command, state) => {
    if (command.type === 'CreateList') {
      if (state.status !== 'none') throw conflict('LIST_ALREADY_EXISTS', 'this list exists');
      const { listId, name, description, at } = command.data;
      return [
        {
          type: 'StaticListCreated',
          data: { listId, name, ...(description ? { description } : {}), createdAt: at },
        },
      ];
    }
    if (state.status === 'none') throw notFound('LIST_NOT_FOUND', 'no list with this id');
    const { listId, members } = state;
    if (command.type === 'RemoveMembers') {
      const customerIds = fresh(command.data.customerIds, (id) => members.has(id));
      if (customerIds.length === 0) return [];
      return [
        { type: 'StaticListMembersRemoved', data: { listId, customerIds, removedAt: command.data.at } },
      ];
    }
    const batch = command.data.import;
    if (batch && (state.imports[batch.importId]?.toLine ?? 0) >= batch.toLine) return [];
    const customerIds = fresh(command.data.customerIds, (id) => !members.has(id));
    if (customerIds.length === 0) return [];
    return [
      {
        type: 'StaticListMembersAdded',
        data: { listId, customerIds, ...(batch ? { import: batch } : {}), addedAt: command.data.at },
      },
    ];
  },
  evolve: (state, event) => {
    if (event.type === 'StaticListCreated') {
      const { listId, name, description } = event.data;
      return {
        status: 'created',
        listId,
        name,
        ...(description ? { description } : {}),
        members: new Set(),
        imports: {},
      };
    }
    if (state.status === 'none') return state;
    // The fold owns the set and adds to it: copying 100,000 members per event would make loading
    // a list quadratic. A state is never reused once evolved (the handler loads it afresh).
    const members = state.members as Set<string>;
    if (event.type === 'StaticListMembersRemoved') {
      for (const id of event.data.customerIds) members.delete(id);
      return { ...state, members };
    }
    for (const id of event.data.customerIds) members.add(id);
    const batch = event.data.import;
    if (!batch) return { ...state, members };
    const before = state.imports[batch.importId]?.added ?? 0;
    const taken = { toLine: batch.toLine, added: before + event.data.customerIds.length };
    return { ...state, members, imports: { ...state.imports, [batch.importId]: taken } };
  },
};
