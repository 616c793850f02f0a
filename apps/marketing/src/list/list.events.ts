import { LIST_EVENT_VERSIONS, type ListEventMap } from '@crm/contracts';
import type { DomainEvent } from '@crm/decider';

type Of<K extends keyof ListEventMap> = DomainEvent<K, ListEventMap[K]>;

/** The events of a static list's stream (`list-<listId>`). */
export type ListEvent =
  Of<'StaticListCreated'> | Of<'StaticListMembersAdded'> | Of<'StaticListMembersRemoved'>;

export const listStreamId = (listId: string) => `list-${listId}`;

export const LIST_STREAM_SCHEMA_VERSIONS: Record<ListEvent['type'], number> = {
  StaticListCreated: LIST_EVENT_VERSIONS.StaticListCreated,
  StaticListMembersAdded: LIST_EVENT_VERSIONS.StaticListMembersAdded,
  StaticListMembersRemoved: LIST_EVENT_VERSIONS.StaticListMembersRemoved,
};
