import type { KnowledgeAudience } from '@crm/contracts';
import { conflict, notFound, ruleBroken, type Decider } from '@crm/decider';
import type { ArticleEvent } from './article.events';

/**
 * A knowledge base article: published as version 1, each revision a new version with the whole
 * content (title, body, tags, audience), until it is archived. An archived article is no longer
 * revised, found or linked to cases; the cases that link it keep their links.
 */
export interface ArticleContent {
  title: string;
  body: string;
  tags: string[];
  audience: KnowledgeAudience;
}

export type ArticleCommand =
  | { type: 'PublishArticle'; data: ArticleContent & { articleId: string; authorId: string; at: string } }
  | { type: 'ReviseArticle'; data: ArticleContent & { authorId: string; at: string } }
  | { type: 'ArchiveArticle'; data: { by: string; at: string } };

interface Article extends ArticleContent {
  articleId: string;
  /** The latest version; versions run 1, 2, 3... without gaps. */
  version: number;
  authorId: string;
  publishedAt: string;
  updatedAt: string;
}

export type PublishedArticle = Article & { status: 'published' };
export type ArchivedArticle = Article & { status: 'archived'; archivedAt: string };
export type ExistingArticle = PublishedArticle | ArchivedArticle;
export type ArticleState = { status: 'none' } | ExistingArticle;

/** Tags as the knowledge base keeps them: trimmed, lower case, each once, in the order given. */
export const normaliseTags = (tags: readonly string[]): string[] => [
  ...new Set(tags.map((tag) => tag.trim().toLowerCase()).filter((tag) => tag !== '')),
];

const sameContent = (a: ArticleContent, b: ArticleContent) =>
  a.title === b.title &&
  a.body === b.body &&
  a.audience === b.audience &&
  a.tags.length === b.tags.length &&
  a.tags.every((tag, i) => tag === b.tags[i]);

function existing(state: ArticleState): ExistingArticle {
  if (state.status === 'none') throw notFound('ARTICLE_NOT_FOUND', 'no knowledge article with this id');
  return state;
}

function published(state: ArticleState): PublishedArticle {
  const article = existing(state);
  if (article.status === 'archived')
    throw ruleBroken('ARTICLE_ARCHIVED', 'the article is archived', { archivedAt: article.archivedAt });
  return article;
}

/**
 * The version of the article a case may link: the one asked for, else the latest. Not found
 * (ARTICLE_NOT_FOUND, ARTICLE_VERSION_NOT_FOUND), or archived (ARTICLE_ARCHIVED): refused.
 */
export function versionToLink(state: ArticleState, version?: number): number {
  const article = published(state);
  if (version === undefined) return article.version;
  if (!Number.isInteger(version) || version < 1 || version > article.version)
    throw notFound('ARTICLE_VERSION_NOT_FOUND', 'the article has no such version', {
      version,
      latestVersion: article.version,
    });
  return version;
}

/** Customers read public articles only; support agents read all of them. */
export const readableBy = (audience: KnowledgeAudience, agent: boolean): boolean =>
  agent || audience === 'public';

export const articleDecider: Decider<ArticleCommand, ArticleState, ArticleEvent> = {
  initialState: () => ({ status: 'none' }),
  decide: (command, state) => {
    switch (command.type) {
      case 'PublishArticle': {
        if (state.status !== 'none')
          throw conflict('ARTICLE_EXISTS', 'a knowledge article with this id exists', {
            articleId: state.articleId,
          });
        const { at, tags, ...data } = command.data;
        return [
          {
            type: 'KnowledgeArticlePublished',
            data: { ...data, version: 1, tags: normaliseTags(tags), publishedAt: at },
          },
        ];
      }
      case 'ReviseArticle': {
        const article = published(state);
        const { at, tags, ...data } = command.data;
        const content = { ...data, tags: normaliseTags(tags) };
        if (sameContent(article, content)) return [];
        return [
          {
            type: 'KnowledgeArticleRevised',
            data: { articleId: article.articleId, version: article.version + 1, ...content, revisedAt: at },
          },
        ];
      }
      case 'ArchiveArticle': {
        const article = existing(state);
        if (article.status === 'archived') return [];
        const { by, at } = command.data;
        return [
          {
            type: 'KnowledgeArticleArchived',
            data: { articleId: article.articleId, version: article.version, archivedBy: by, archivedAt: at },
          },
        ];
      }
    }
  },
  evolve,
};

export function evolve(state: ArticleState, event: ArticleEvent): ArticleState {
  switch (event.type) {
    case 'KnowledgeArticlePublished': {
      const { publishedAt, ...d } = event.data;
      return { status: 'published', ...d, publishedAt, updatedAt: publishedAt };
    }
    case 'KnowledgeArticleRevised': {
      if (state.status === 'none') return state;
      const { articleId: _id, revisedAt, ...d } = event.data;
      return { ...state, ...d, updatedAt: revisedAt };
    }
    case 'KnowledgeArticleArchived':
      if (state.status === 'none') return state;
      return { ...state, status: 'archived', archivedAt: event.data.archivedAt };
  }
}
