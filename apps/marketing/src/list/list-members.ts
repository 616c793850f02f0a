import { CommandHandler } from '@crm/decider';
import type { EventStore } from '@crm/event-store';
import { listDecider } from './list.decider';
import { LIST_STREAM_SCHEMA_VERSIONS, listStreamId } from './list.events';

/**
 * The members of a static list when a campaign step goes out: the port a campaign's list audience
 * (`{kind: 'list', listId}`) is resolved through, as `SegmentMembers` resolves a segment audience
 * (src/campaign/campaign-sender.ts).
 */
export type StaticListMembers = (listId: string) => Promise<string[]>;

/**
 * The list's members as its own stream has them (`list-<listId>`, folded by the list decider), in
 * customer id order: what the list's owner was answered when they added them. Not the read model
 * `marketing.static_list_member`, which its consumer writes a moment later: a campaign sent right
 * after members were added would have gone to nobody.
 */
export const listMembersOf =
  (store: EventStore): StaticListMembers =>
  async (listId) => {
    const lists = new CommandHandler({
      store,
      decider: listDecider,
      schemaVersions: LIST_STREAM_SCHEMA_VERSIONS,
      customerIdOf: () => listId,
    });
    const { state } = await lists.load(listStreamId(listId));
    return state.status === 'created' ? [...state.members].sort() : [];
  };
