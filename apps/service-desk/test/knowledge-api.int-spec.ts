import { randomUUID } from 'node:crypto';
import { ORGANISATION_CUSTOMER_ID } from '@crm/contracts';
import type { InProcessService } from '@crm/test-support';
import { ANONYMOUS, aCase, anArticle, as, startServiceDesk } from './knowledge.given';

jest.setTimeout(60_000);

/**
 * The knowledge base's commands through the real HTTP edge (validation, roles, If-Match, problem
 * answers) on the real PostgreSQL event store: given these streams, when this request, then this
 * answer and exactly these events (none for a refusal).
 */
let desk: InProcessService;
beforeAll(async () => {
  desk = await startServiceDesk();
});
afterAll(() => desk?.stop());

const ARTICLE = {
  title: 'Reset your password',
  body: 'Choose "Forgot password" on the sign-in page.',
  tags: ['Account', 'password'],
  audience: 'public',
};

describe('POST /knowledge/articles', () => {
  it('publishes version 1 as the organisation (201, Location, ETag), written by the agent', async () => {
    const { response, events } = await desk
      .when('POST', '/knowledge/articles', ARTICLE, await as('sam'))
      .then({
        status: 201,
        body: { version: 1, status: 'published', audience: 'public', revision: 0 },
        headers: { etag: '"0"', location: /^\/knowledge\/articles\/[0-9a-f-]{36}$/ },
        events: [
          {
            type: 'KnowledgeArticlePublished',
            stream: /^knowledgeArticle-/,
            data: { version: 1, tags: ['account', 'password'], audience: 'public', authorId: 'sam' },
          },
        ],
      });
    expect(response.headers.get('location')).toBe(`/knowledge/articles/${response.body.id}`);
    expect(events[0].metadata).toMatchObject({ customerId: ORGANISATION_CUSTOMER_ID, actor: 'u-sam' });
  });

  it.each([
    ['no title', { ...ARTICLE, title: undefined }, 'title'],
    ['a blank body', { ...ARTICLE, body: '  ' }, 'body'],
    ['an unknown audience', { ...ARTICLE, audience: 'everyone' }, 'audience'],
    ['a blank tag', { ...ARTICLE, tags: ['billing', ' '] }, 'tags'],
    ['an unknown field', { ...ARTICLE, version: 3 }, 'version'],
  ])('refuses an article with %s (400)', async (_, body, field) => {
    const { response } = await desk
      .when('POST', '/knowledge/articles', body, await as('sam'))
      .then({ status: 400, problem: { code: 'VALIDATION_FAILED' } });
    expect(response.body.errors.map((e: { field: string }) => e.field)).toContain(field);
  });

  it('is for support agents, managers and admins: 401 without a token, 403 for a sales rep', async () => {
    await desk
      .when('POST', '/knowledge/articles', ARTICLE, ANONYMOUS)
      .then({ status: 401, problem: { code: 'UNAUTHENTICATED' } });
    await desk
      .when('POST', '/knowledge/articles', ARTICLE, await as('rep-1'))
      .then({ status: 403, problem: { code: 'ROLE_NOT_ALLOWED' } });
    await desk.when('POST', '/knowledge/articles', ARTICLE, await as('sue')).then({ status: 201 });
  });
});

describe('PUT /knowledge/articles/:id', () => {
  it('writes the next version, by the agent who sent it; the same content again writes nothing', async () => {
    const article = anArticle();
    const v2 = { ...ARTICLE, body: 'The link is valid for an hour.' };
    await desk
      .given({ [article.stream]: [article.published()] })
      .when('PUT', `/knowledge/articles/${article.articleId}`, v2, {
        ...(await as('sue')),
        'if-match': '"0"',
      })
      .then({
        status: 200,
        body: { id: article.articleId, version: 2, revision: 1 },
        headers: { etag: '"1"' },
        events: [
          {
            type: 'KnowledgeArticleRevised',
            stream: article.stream,
            data: { version: 2, body: v2.body, tags: ['account', 'password'], authorId: 'sue' },
          },
        ],
      });
    await desk
      .when('PUT', `/knowledge/articles/${article.articleId}`, v2, await as('sam'))
      .then({ status: 200, body: { version: 2, revision: 1 }, events: [] });
  });

  it('answers 412 on a stale If-Match, 404 for an unknown article, 422 for an archived one', async () => {
    const article = anArticle();
    const archived = anArticle();
    await desk
      .given({ [article.stream]: [article.published(), article.revised(2)] })
      .when('PUT', `/knowledge/articles/${article.articleId}`, ARTICLE, {
        ...(await as('sam')),
        'if-match': '"0"',
      })
      .then({
        status: 412,
        problem: { code: 'PRECONDITION_FAILED', details: { expectedRevision: 0, actualRevision: 1 } },
      });
    await desk
      .when('PUT', `/knowledge/articles/${randomUUID()}`, ARTICLE, await as('sam'))
      .then({ status: 404, problem: { code: 'ARTICLE_NOT_FOUND' } });
    await desk
      .given({ [archived.stream]: [archived.published(), archived.archived(1)] })
      .when('PUT', `/knowledge/articles/${archived.articleId}`, ARTICLE, await as('sam'))
      .then({ status: 422, problem: { code: 'ARTICLE_ARCHIVED' } });
    await desk
      .when('PUT', '/knowledge/articles/not-a-uuid', ARTICLE, await as('sam'))
      .then({ status: 400, problem: { code: 'VALIDATION_FAILED' } });
  });
});

describe('POST /knowledge/articles/:id/archive', () => {
  it('archives the article once; 404 for an unknown one; 412 on a stale If-Match', async () => {
    const article = anArticle();
    await desk
      .given({ [article.stream]: [article.published(), article.revised(2)] })
      .when('POST', `/knowledge/articles/${article.articleId}/archive`, undefined, {
        ...(await as('sue')),
        'if-match': '"0"',
      })
      .then({ status: 412, problem: { code: 'PRECONDITION_FAILED' } });
    await desk
      .when('POST', `/knowledge/articles/${article.articleId}/archive`, undefined, await as('sue'))
      .then({
        status: 200,
        body: { status: 'archived', version: 2, revision: 2 },
        events: [{ type: 'KnowledgeArticleArchived', data: { version: 2, archivedBy: 'sue' } }],
      });
    await desk
      .when('POST', `/knowledge/articles/${article.articleId}/archive`, undefined, await as('sue'))
      .then({ status: 200, body: { status: 'archived', revision: 2 }, events: [] });
    await desk
      .when('POST', `/knowledge/articles/${randomUUID()}/archive`, undefined, await as('sue'))
      .then({ status: 404, problem: { code: 'ARTICLE_NOT_FOUND' } });
  });
});

describe('GET /knowledge/search and /knowledge/articles/:id', () => {
  it.each([
    ['no q', ''],
    ['a blank q', '?q=%20'],
    ['a limit of 0', '?q=router&limit=0'],
    ['a limit over 50', '?q=router&limit=51'],
    ['an unknown parameter', '?q=router&page=2'],
  ])('refuses a search with %s (400)', async (_, query) => {
    await desk
      .when('GET', `/knowledge/search${query}`, undefined, ANONYMOUS)
      .then({ status: 400, problem: { code: 'VALIDATION_FAILED' } });
  });

  it('answers 404 for an unknown article and 400 for a bad version', async () => {
    await desk
      .when('GET', `/knowledge/articles/${randomUUID()}`, undefined, ANONYMOUS)
      .then({ status: 404, problem: { code: 'ARTICLE_NOT_FOUND' } });
    await desk
      .when('GET', `/knowledge/articles/${randomUUID()}?version=0`, undefined, ANONYMOUS)
      .then({ status: 400, problem: { code: 'VALIDATION_FAILED' } });
  });
});

describe('POST /cases/:id/articles', () => {
  // The first case command of a new service desk also records its SLA settings: one opened here
  // leaves each test below with only the events of its own request.
  beforeAll(async () => {
    const opened = await desk.request(
      'POST',
      '/cases',
      {
        requester: { email: 'ana@example.com' },
        channel: 'email',
        caseType: 'information_request',
        subject: 'Hi',
      },
      await as('sam'),
    );
    expect(opened.status).toBe(201);
  });

  it('links the latest version of the article to the case, or the version asked for, once', async () => {
    const c = aCase();
    const article = anArticle('agents');
    await desk
      .given({ [c.stream]: [c.opened], [article.stream]: [article.published(), article.revised(2)] })
      .when('POST', `/cases/${c.caseId}/articles`, { articleId: article.articleId }, await as('sam'))
      .then({
        status: 200,
        body: { id: c.caseId, customerId: c.customerId, status: 'new', revision: 1 },
        headers: { etag: '"1"' },
        events: [
          {
            type: 'CaseArticleLinked',
            stream: c.stream,
            data: { caseId: c.caseId, articleId: article.articleId, articleVersion: 2 },
          },
        ],
      });
    const older = { articleId: article.articleId, version: 1 };
    await desk
      .when('POST', `/cases/${c.caseId}/articles`, older, { ...(await as('sam')), 'if-match': '"1"' })
      .then({
        status: 200,
        body: { revision: 2 },
        events: [{ type: 'CaseArticleLinked', data: { articleVersion: 1 } }],
      });
    await desk
      .when('POST', `/cases/${c.caseId}/articles`, older, await as('sam'))
      .then({ status: 200, body: { revision: 2 }, events: [] });
  });

  it('answers 404 for an unknown case, article or version, 422 for an archived article, 412 on a stale case', async () => {
    const c = aCase();
    const article = anArticle();
    const archived = anArticle();
    const sam = await as('sam');
    // A scenario is thenable: awaited itself, it would run without its expectation.
    const link = (caseId: string, body: object, headers: Record<string, string> = {}) =>
      desk.when('POST', `/cases/${caseId}/articles`, body, { ...sam, ...headers });
    await desk
      .given({
        [c.stream]: [c.opened],
        [article.stream]: [article.published()],
        [archived.stream]: [archived.published(), archived.archived(1)],
      })
      .when('POST', `/cases/${randomUUID()}/articles`, { articleId: article.articleId }, await as('sam'))
      .then({ status: 404, problem: { code: 'CASE_NOT_FOUND' } });
    await link(c.caseId, { articleId: randomUUID() }).then({
      status: 404,
      problem: { code: 'ARTICLE_NOT_FOUND' },
    });
    await link(c.caseId, { articleId: article.articleId, version: 2 }).then({
      status: 404,
      problem: { code: 'ARTICLE_VERSION_NOT_FOUND', details: { latestVersion: 1 } },
    });
    await link(c.caseId, { articleId: archived.articleId }).then({
      status: 422,
      problem: { code: 'ARTICLE_ARCHIVED' },
    });
    await link(c.caseId, { articleId: article.articleId }, { 'if-match': '"5"' }).then({
      status: 412,
      problem: { code: 'PRECONDITION_FAILED' },
    });
    await link(c.caseId, { articleId: 'not-a-uuid', version: 0 }).then({
      status: 400,
      problem: { code: 'VALIDATION_FAILED' },
    });
    await desk
      .when('POST', `/cases/${c.caseId}/articles`, { articleId: article.articleId }, await as('rep-1'))
      .then({ status: 403, problem: { code: 'ROLE_NOT_ALLOWED' } });
  });
});
