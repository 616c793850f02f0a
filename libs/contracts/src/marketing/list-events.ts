/**
 * Public contract of static lists (published on `crm.marketing.events`, stream `list-<listId>`): a
 * list is created with a name, and customers are added and removed in batches, by hand or by a CSV
 * import. A batch of an import names the import and the CSV lines it covers, so a batch replayed
 * after a crash is recognised and recorded once. No e-mail address travels in these events:
 * members are named by their customer id only.
 */
import { Type, type Static } from '@sinclair/typebox';
import { Text, Timestamp, Uuid } from '../validation/schema-kit';

export const StaticListCreatedV1 = Type.Object({
  listId: Uuid(),
  name: Text(),
  description: Type.Optional(Type.String()),
  createdAt: Timestamp(),
});
export type StaticListCreatedV1 = Static<typeof StaticListCreatedV1>;

/** The CSV lines of an import a batch covers (1-based, inclusive). */
export const ListImportBatch = Type.Object({
  importId: Uuid(),
  fromLine: Type.Integer({ minimum: 1 }),
  toLine: Type.Integer({ minimum: 1 }),
});
export type ListImportBatch = Static<typeof ListImportBatch>;

export const StaticListMembersAddedV1 = Type.Object({
  listId: Uuid(),
  /** The customers added (none already a member). */
  customerIds: Type.Array(Uuid(), { minItems: 1 }),
  /** Set when the batch came from a CSV import. */
  import: Type.Optional(ListImportBatch),
  addedAt: Timestamp(),
});
export type StaticListMembersAddedV1 = Static<typeof StaticListMembersAddedV1>;

export const StaticListMembersRemovedV1 = Type.Object({
  listId: Uuid(),
  /** The customers removed (each a member until then). */
  customerIds: Type.Array(Uuid(), { minItems: 1 }),
  removedAt: Timestamp(),
});
export type StaticListMembersRemovedV1 = Static<typeof StaticListMembersRemovedV1>;

export const LIST_EVENT_SCHEMAS = {
  StaticListCreated: { 1: StaticListCreatedV1 },
  StaticListMembersAdded: { 1: StaticListMembersAddedV1 },
  StaticListMembersRemoved: { 1: StaticListMembersRemovedV1 },
} as const;

export interface ListEventMap {
  StaticListCreated: StaticListCreatedV1;
  StaticListMembersAdded: StaticListMembersAddedV1;
  StaticListMembersRemoved: StaticListMembersRemovedV1;
}

export const LIST_EVENT_VERSIONS: Record<keyof ListEventMap, number> = {
  StaticListCreated: 1,
  StaticListMembersAdded: 1,
  StaticListMembersRemoved: 1,
};
