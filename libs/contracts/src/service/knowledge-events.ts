/**
 * Public contract of the service desk's knowledge base, published on `crm.service.events` (stream
 * `knowledgeArticle-<articleId>`): articles in numbered versions, with tags and an audience.
 * Articles are about the organisation, not a customer: their events carry
 * `ORGANISATION_CUSTOMER_ID` as `customerId` and hold no personal data.
 */
import { Type, type Static } from '@sinclair/typebox';
import { StringEnum, Text, Timestamp, Uuid } from '../validation/schema-kit';

/** Who may read an article: anyone (customers find answers), or support agents only. */
export const KNOWLEDGE_AUDIENCES = ['public', 'agents'] as const;
export type KnowledgeAudience = (typeof KNOWLEDGE_AUDIENCES)[number];

/** Tags are lower case, without surrounding blanks, each once. */
const Tags = () =>
  Type.Array(Type.String({ minLength: 1, maxLength: 50 }), { maxItems: 20, uniqueItems: true });

const content = {
  title: Type.String({ minLength: 1, maxLength: 300 }),
  body: Type.String({ minLength: 1 }),
  tags: Tags(),
  audience: StringEnum(KNOWLEDGE_AUDIENCES),
  /** The agent who wrote this version (their owner id). */
  authorId: Text(),
};

export const KnowledgeArticlePublishedV1 = Type.Object({
  articleId: Uuid(),
  /** Always 1: the first version. */
  version: Type.Literal(1),
  ...content,
  publishedAt: Timestamp(),
});
export type KnowledgeArticlePublishedV1 = Static<typeof KnowledgeArticlePublishedV1>;

/** A new version of the article: its whole content as of this version, which replaces the last. */
export const KnowledgeArticleRevisedV1 = Type.Object({
  articleId: Uuid(),
  /** The new version number: the last one plus one. */
  version: Type.Integer({ minimum: 2 }),
  ...content,
  revisedAt: Timestamp(),
});
export type KnowledgeArticleRevisedV1 = Static<typeof KnowledgeArticleRevisedV1>;

/** The article is withdrawn: no longer found, revised or linked to cases (cases keep their links). */
export const KnowledgeArticleArchivedV1 = Type.Object({
  articleId: Uuid(),
  /** The last version, as it was when archived. */
  version: Type.Integer({ minimum: 1 }),
  archivedBy: Text(),
  archivedAt: Timestamp(),
});
export type KnowledgeArticleArchivedV1 = Static<typeof KnowledgeArticleArchivedV1>;

export const KNOWLEDGE_EVENT_SCHEMAS = {
  KnowledgeArticlePublished: { 1: KnowledgeArticlePublishedV1 },
  KnowledgeArticleRevised: { 1: KnowledgeArticleRevisedV1 },
  KnowledgeArticleArchived: { 1: KnowledgeArticleArchivedV1 },
} as const;

export interface KnowledgeEventMap {
  KnowledgeArticlePublished: KnowledgeArticlePublishedV1;
  KnowledgeArticleRevised: KnowledgeArticleRevisedV1;
  KnowledgeArticleArchived: KnowledgeArticleArchivedV1;
}

export const KNOWLEDGE_EVENT_VERSIONS: Record<keyof KnowledgeEventMap, number> = {
  KnowledgeArticlePublished: 1,
  KnowledgeArticleRevised: 1,
  KnowledgeArticleArchived: 1,
};
