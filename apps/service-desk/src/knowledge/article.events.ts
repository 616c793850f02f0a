import { KNOWLEDGE_EVENT_VERSIONS, type KnowledgeEventMap } from '@crm/contracts';
import type { DomainEvent } from '@crm/decider';

/** The events of a knowledge article stream, exactly as published on crm.service.events. */
export type ArticleEvent = {
  [K in keyof KnowledgeEventMap]: DomainEvent<K, KnowledgeEventMap[K]>;
}[keyof KnowledgeEventMap];

/** Streams of knowledge articles: `knowledgeArticle-<articleId>` (published on Kafka, see the module). */
export const ARTICLE_STREAM_PREFIX = 'knowledgeArticle-';

export const articleStreamId = (articleId: string) => `${ARTICLE_STREAM_PREFIX}${articleId}`;

export const ARTICLE_STREAM_SCHEMA_VERSIONS: Record<ArticleEvent['type'], number> = KNOWLEDGE_EVENT_VERSIONS;
