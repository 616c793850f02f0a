import { Body, Controller, Get, Param, Query, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import type { CommandContext } from '@crm/contracts';
import {
  ApiProblems,
  BODY_COMMAND_PROBLEMS,
  CommandCtx,
  CommandEndpoint,
  CurrentPrincipal,
  ETAG_HEADER,
  IfMatchRevision,
  NO_BODY_COMMAND_PROBLEMS,
  NoBody,
  Public,
  QUERY_PROBLEMS,
  etagFor,
  type Principal,
} from '@crm/service-kit';
import { CaseIdParams } from '../case/case.dto';
import { CaseAcceptedDto, caseAnswer } from '../case/case.answer';
import { ServiceDeskConfig } from '../service-desk.config';
import type { ArticleContent } from './article.decider';
import {
  ArticleAcceptedDto,
  ArticleDto,
  ArticleIdParams,
  ArticleVersionQuery,
  LinkArticleDto,
  SearchQuery,
} from './article.dto';
import { ArticleService, type ArticleResult } from './article.service';
import { KnowledgeQueries } from './knowledge.queries';
import { AGENTS } from '../service-desk.roles';

/** A caller who sent a valid agent's token (the guard checks a token sent to a public route too). */
const isAgent = (caller: Principal | undefined) =>
  caller?.roles.some((role) => AGENTS.includes(role)) ?? false;

const NOT_FOUND = 'No article with this id (ARTICLE_NOT_FOUND)';
const ARCHIVED = 'The article is archived (ARTICLE_ARCHIVED)';
/** As the case commands sign it (case.controller.ts): a solved case's answer carries the survey link. */
/** Public reads answer per caller (agents see more): caches must key them on the token. */
const VARY = 'Authorization';

const contentOf = (dto: ArticleDto): ArticleContent => ({
  title: dto.title,
  body: dto.body,
  tags: dto.tags ?? [],
  audience: dto.audience,
});

/**
 * The knowledge base: agents publish articles, revise them into new versions and archive them;
 * anyone searches and reads the public ones (agents every one); agents link an article to a case.
 */
@ApiTags('knowledge')
@Controller()
export class ArticleController {
  constructor(
    private readonly articles: ArticleService,
    private readonly queries: KnowledgeQueries,
    private readonly config: ServiceDeskConfig,
  ) {}

  private accepted(res: Response, { article, revision }: ArticleResult): ArticleAcceptedDto {
    res.setHeader('ETag', etagFor(revision));
    const { articleId: id, version, status, audience } = article;
    return { id, version, status, audience, revision };
  }

  @CommandEndpoint({
    path: 'knowledge/articles',
    roles: AGENTS,
    status: 201,
    operationId: 'publishArticle',
    summary: 'Publish a knowledge article (version 1), for customers (public) or agents only',
    description: 'Published',
    type: ArticleAcceptedDto,
    location: true,
    problems: BODY_COMMAND_PROBLEMS,
  })
  async publish(
    @Body() dto: ArticleDto,
    @CommandCtx() context: CommandContext,
    @CurrentPrincipal() caller: Principal,
    @Res({ passthrough: true }) res: Response,
  ) {
    const result = await this.articles.publish(contentOf(dto), caller.ownerId, context);
    res.setHeader('Location', `/knowledge/articles/${result.article.articleId}`);
    return this.accepted(res, result);
  }

  @CommandEndpoint({
    method: 'put',
    path: 'knowledge/articles/:id',
    roles: AGENTS,
    operationId: 'reviseArticle',
    summary: 'The next version of an article: its whole content (none when nothing changed)',
    description: 'Revised',
    type: ArticleAcceptedDto,
    ifMatch: 'article',
    problems: { ...BODY_COMMAND_PROBLEMS, 404: NOT_FOUND, 422: ARCHIVED },
  })
  async revise(
    @Param() { id }: ArticleIdParams,
    @Body() dto: ArticleDto,
    @IfMatchRevision() expected: number | undefined,
    @CommandCtx() context: CommandContext,
    @CurrentPrincipal() caller: Principal,
    @Res({ passthrough: true }) res: Response,
  ) {
    return this.accepted(
      res,
      await this.articles.revise(id, contentOf(dto), caller.ownerId, context, expected),
    );
  }

  @CommandEndpoint({
    path: 'knowledge/articles/:id/archive',
    roles: AGENTS,
    operationId: 'archiveArticle',
    summary: 'Archive an article: no longer found, revised or linked (cases keep their links)',
    description: 'Archived',
    type: ArticleAcceptedDto,
    ifMatch: 'article',
    problems: { ...NO_BODY_COMMAND_PROBLEMS, 404: NOT_FOUND },
  })
  async archive(
    @Param() { id }: ArticleIdParams,
    @NoBody() _body: undefined,
    @IfMatchRevision() expected: number | undefined,
    @CommandCtx() context: CommandContext,
    @CurrentPrincipal() caller: Principal,
    @Res({ passthrough: true }) res: Response,
  ) {
    return this.accepted(res, await this.articles.archive(id, caller.ownerId, context, expected));
  }

  @Get('knowledge/articles/:id')
  @Public()
  @ApiOperation({
    operationId: 'getArticle',
    summary:
      'An article in its latest version or an older one: anyone reads public articles, agents (with their token) every one',
  })
  @ApiOkResponse({ description: "The article; its ETag is the article's revision", headers: ETAG_HEADER })
  @ApiProblems({
    ...QUERY_PROBLEMS,
    401: 'A token was sent but is not valid (INVALID_TOKEN)',
    404: `${NOT_FOUND}, or not for this caller (an agents' article, an archived one); no such version (ARTICLE_VERSION_NOT_FOUND)`,
  })
  async get(
    @Param() { id }: ArticleIdParams,
    @Query() { version }: ArticleVersionQuery,
    @CurrentPrincipal() caller: Principal | undefined,
    @Res({ passthrough: true }) res: Response,
  ) {
    const agent = isAgent(caller);
    const article = await this.queries.article(id, { agent, version });
    res.setHeader('Vary', VARY);
    // What any version shows (its content, the latest version, archived) changes only with the revision.
    res.setHeader('ETag', etagFor(article.revision));
    return article;
  }

  @Get('knowledge/search')
  @Public()
  @ApiOperation({
    operationId: 'searchKnowledge',
    summary:
      'Full-text search of the articles, best match first, with a snippet: anyone finds public articles, agents every one',
  })
  @ApiOkResponse({ description: 'The matching articles (latest versions, none archived), best first' })
  @ApiProblems({
    ...QUERY_PROBLEMS,
    400: 'No search words (`q` missing or blank), or a parameter invalid (VALIDATION_FAILED, each named in `errors`)',
    401: 'A token was sent but is not valid (INVALID_TOKEN)',
  })
  async search(
    @Query() query: SearchQuery,
    @CurrentPrincipal() caller: Principal | undefined,
    @Res({ passthrough: true }) res: Response,
  ) {
    const agent = isAgent(caller);
    res.setHeader('Vary', VARY);
    return this.queries.search({ ...query, agent });
  }

  @CommandEndpoint({
    path: 'cases/:id/articles',
    roles: AGENTS,
    operationId: 'linkArticleToCase',
    summary: 'Link a knowledge article to the case, in the version the agent saw (default: the latest)',
    description: 'Linked (linking the same version again changes nothing)',
    type: CaseAcceptedDto,
    ifMatch: 'case',
    problems: {
      ...BODY_COMMAND_PROBLEMS,
      404: 'No case with this id (CASE_NOT_FOUND), no article (ARTICLE_NOT_FOUND) or no such version of it (ARTICLE_VERSION_NOT_FOUND)',
      422: ARCHIVED,
    },
  })
  async link(
    @Param() { id }: CaseIdParams,
    @Body() dto: LinkArticleDto,
    @IfMatchRevision() expected: number | undefined,
    @CommandCtx() context: CommandContext,
    @Res({ passthrough: true }) res: Response,
  ): Promise<CaseAcceptedDto> {
    return caseAnswer(
      res,
      await this.articles.linkToCase(id, dto, context, expected),
      this.config.csatSecret,
    );
  }
}
