import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { ORGANISATION_CUSTOMER_ID, assertValidEvent, commandTime, type CommandContext } from '@crm/contracts';
import { CommandHandler, type HandleOptions } from '@crm/decider';
import type { EventStore } from '@crm/event-store';
import { EVENT_STORE } from '@crm/service-kit';
import { CaseService, type CaseResult } from '../case/case.service';
import {
  articleDecider,
  versionToLink,
  type ArticleCommand,
  type ArticleContent,
  type ArticleState,
  type ExistingArticle,
} from './article.decider';
import { ARTICLE_STREAM_SCHEMA_VERSIONS, articleStreamId, type ArticleEvent } from './article.events';

export interface ArticleResult {
  article: ExistingArticle;
  revision: number;
}

/**
 * Commands on knowledge articles, decided by the article decider. Articles are the organisation's:
 * their events carry `ORGANISATION_CUSTOMER_ID` and no personal data.
 */
@Injectable()
export class ArticleService {
  private readonly handler: CommandHandler<ArticleCommand, ArticleState, ArticleEvent>;

  constructor(
    @Inject(EVENT_STORE) store: EventStore,
    private readonly cases: CaseService,
  ) {
    this.handler = new CommandHandler({
      store,
      decider: articleDecider,
      schemaVersions: ARTICLE_STREAM_SCHEMA_VERSIONS,
      validateEvent: assertValidEvent,
      customerIdOf: () => ORGANISATION_CUSTOMER_ID,
    });
  }

  publish(content: ArticleContent, authorId: string, context: CommandContext): Promise<ArticleResult> {
    const articleId = randomUUID();
    return this.run(
      articleId,
      { type: 'PublishArticle', data: { articleId, ...content, authorId, at: commandTime(context) } },
      context,
      { newStream: true },
    );
  }

  /** A new version with this content (none when it is the latest version's). */
  revise(
    articleId: string,
    content: ArticleContent,
    authorId: string,
    context: CommandContext,
    expectedRevision?: number,
  ): Promise<ArticleResult> {
    return this.run(
      articleId,
      { type: 'ReviseArticle', data: { ...content, authorId, at: commandTime(context) } },
      context,
      { expectedRevision },
    );
  }

  archive(articleId: string, by: string, context: CommandContext, expectedRevision?: number) {
    return this.run(articleId, { type: 'ArchiveArticle', data: { by, at: commandTime(context) } }, context, {
      expectedRevision,
    });
  }

  /**
   * Links the article to the case, in the version asked for or its latest, as the article's own
   * stream has it now (not the read model, which may lag): refused for an unknown article or
   * version (404) or an archived article (422) before the case is touched.
   */
  async linkToCase(
    caseId: string,
    link: { articleId: string; version?: number },
    context: CommandContext,
    expectedRevision?: number,
  ): Promise<CaseResult> {
    const { state } = await this.load(link.articleId);
    const articleVersion = versionToLink(state, link.version);
    return this.cases.linkArticle(
      caseId,
      { articleId: link.articleId, articleVersion },
      context,
      expectedRevision,
    );
  }

  load(articleId: string): Promise<{ state: ArticleState; revision: number }> {
    return this.handler.load(articleStreamId(articleId));
  }

  private async run(
    articleId: string,
    command: ArticleCommand,
    context: CommandContext,
    options: HandleOptions = {},
  ): Promise<ArticleResult> {
    const result = await this.handler.handle(articleStreamId(articleId), command, context, options);
    return { article: result.state as ExistingArticle, revision: result.revision };
  }
}
