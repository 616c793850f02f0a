import { Inject, Injectable } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import type { KnowledgeAudience } from '@crm/contracts';
import { notFound } from '@crm/decider';
import { READ_MODEL_DB } from '@crm/service-kit';
import { readableBy } from './article.decider';

/** An article as readers get it: the latest version, or the one asked for. */
export interface ArticleView {
  id: string;
  version: number;
  latestVersion: number;
  title: string;
  body: string;
  tags: string[];
  audience: KnowledgeAudience;
  archived: boolean;
  publishedAt: string;
  /** When this version was written. */
  writtenAt: string;
  /** Who wrote this version (agents only). */
  authorId?: string;
  /** The article's revision (its ETag), for `If-Match` on PUT. */
  revision: number;
}

export interface SearchHit {
  id: string;
  version: number;
  title: string;
  tags: string[];
  audience: KnowledgeAudience;
  /** ts_rank of the match: title words weigh most (A), then tags (B), then the body (C). */
  rank: number;
  /** Where the body matches, HTML-escaped, the matched words in `<mark>`. */
  snippet: string;
  updatedAt: string;
}

const TEXT_SEARCH_CONFIG = 'english';
/** How ts_headline marks the matches: private-use characters, turned into `<mark>` once the text is escaped. */
const START = '\uE000';
const STOP = '\uE001';
const HEADLINE = `StartSel=${START}, StopSel=${STOP}, MaxWords=35, MinWords=15, MaxFragments=2, FragmentDelimiter=" … "`;

const escapeHtml = (text: string) =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** The snippet as HTML: the body's text escaped, the matches marked. */
export const snippetHtml = (headline: string) =>
  escapeHtml(headline).replaceAll(START, '<mark>').replaceAll(STOP, '</mark>');

const iso = (value: Date | string) => new Date(value).toISOString();

const ARTICLE_NOT_FOUND = () => notFound('ARTICLE_NOT_FOUND', 'no knowledge article with this id');

/**
 * Reads of the knowledge base (`service.knowledge_article`, `service.knowledge_article_version`,
 * kept by the `knowledge-read-model` projection). Customers get public articles only, and never
 * an archived one; agents get every article.
 */
@Injectable()
export class KnowledgeQueries {
  constructor(@Inject(READ_MODEL_DB) private readonly db: DataSource) {}

  async article(
    articleId: string,
    { agent, version }: { agent: boolean; version?: number },
  ): Promise<ArticleView> {
    const [latest] = await this.db.query<
      {
        version: number;
        audience: KnowledgeAudience;
        archived: boolean;
        published_at: Date;
        revision: number;
      }[]
    >(
      `SELECT version, audience, archived, published_at, revision FROM service.knowledge_article
       WHERE article_id = $1`,
      [articleId],
    );
    // Who may not read it learns nothing of it, not even that it exists.
    if (!latest || !readableBy(latest.audience, agent) || (latest.archived && !agent))
      throw ARTICLE_NOT_FOUND();
    const [row] = await this.db.query<
      { version: number; title: string; body: string; tags: string[]; author_id: string; written_at: Date }[]
    >(
      `SELECT version, title, body, tags, author_id, written_at FROM service.knowledge_article_version
       WHERE article_id = $1 AND version = $2`,
      [articleId, version ?? latest.version],
    );
    if (!row)
      throw notFound('ARTICLE_VERSION_NOT_FOUND', 'the article has no such version', {
        version,
        latestVersion: latest.version,
      });
    return {
      id: articleId,
      version: row.version,
      latestVersion: latest.version,
      title: row.title,
      body: row.body,
      tags: row.tags,
      audience: latest.audience,
      archived: latest.archived,
      publishedAt: iso(latest.published_at),
      writtenAt: iso(row.written_at),
      ...(agent ? { authorId: row.author_id } : {}),
      revision: latest.revision,
    };
  }

  /**
   * Full-text search of the latest versions of the articles that are not archived: the query as a
   * web search engine reads it (websearch_to_tsquery), the best matches first (ts_rank of the
   * weighted title, tags and body), each with a snippet of its body (ts_headline, for the
   * returned rows only). `tags`: only articles with every one of them.
   */
  async search({
    q,
    tags = [],
    limit = 10,
    agent,
  }: {
    q: string;
    tags?: string[];
    limit?: number;
    agent: boolean;
  }): Promise<{ results: SearchHit[] }> {
    const rows = await this.db.query<
      {
        article_id: string;
        version: number;
        title: string;
        tags: string[];
        audience: KnowledgeAudience;
        rank: number;
        headline: string;
        updated_at: Date;
      }[]
    >(
      `SELECT hit.article_id, hit.version, hit.title, hit.tags, hit.audience, hit.rank, hit.updated_at,
              ts_headline($1::regconfig, hit.body, hit.query, $6) AS headline
       FROM (
         SELECT a.article_id, a.version, a.title, a.tags, a.audience, a.body, a.updated_at, query,
                ts_rank(a.search, query) AS rank
         FROM service.knowledge_article a, websearch_to_tsquery($1::regconfig, $2) query
         WHERE a.search @@ query
           AND NOT a.archived
           AND ($3 OR a.audience = 'public')
           AND a.tags @> $4::text[]
         ORDER BY rank DESC, a.updated_at DESC, a.article_id
         LIMIT $5
       ) hit
       ORDER BY hit.rank DESC, hit.updated_at DESC, hit.article_id`,
      [TEXT_SEARCH_CONFIG, q, agent, tags, limit, HEADLINE],
    );
    return {
      results: rows.map((r) => ({
        id: r.article_id,
        version: r.version,
        title: r.title,
        tags: r.tags,
        audience: r.audience,
        rank: Number(r.rank),
        snippet: snippetHtml(r.headline),
        updatedAt: iso(r.updated_at),
      })),
    };
  }
}
