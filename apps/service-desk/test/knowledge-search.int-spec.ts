import { KnowledgeBase, ANONYMOUS, as } from './knowledge.given';

jest.setTimeout(60_000);

/**
 * The knowledge base as agents and customers use it: articles published and revised through the
 * API, projected into the read model on the real PostgreSQL (a fresh database for every test), and
 * what `GET /knowledge/search` and `GET /knowledge/articles/:id` then answer to whom.
 */
let kb: KnowledgeBase;
beforeEach(async () => {
  kb = await KnowledgeBase.start();
});
afterEach(() => kb?.stop());

const ROUTER = {
  title: 'Set up your router',
  body: 'Plug the router into the fibre socket & wait until the lights turn green.',
  tags: ['Internet', 'installation'],
  audience: 'public' as const,
};

describe('search', () => {
  it('finds an article by a word of its body, by its tags, and narrows to the tags asked for', async () => {
    const id = await kb.publish(ROUTER);
    await kb.publish({
      title: 'Pay an invoice',
      body: 'Invoices are paid by card or transfer.',
      tags: ['billing'],
      audience: 'public',
    });

    const byBody = await kb.search('fibre');
    expect(byBody.results).toEqual([
      {
        id,
        version: 1,
        title: 'Set up your router',
        tags: ['internet', 'installation'],
        audience: 'public',
        rank: expect.any(Number),
        // The body's text, HTML-escaped, the words found marked.
        snippet: expect.stringContaining('<mark>fibre</mark> socket &amp; wait'),
        updatedAt: expect.any(String),
      },
    ]);
    // A tag is found as a word (stemmed as any English word), whatever its case when written.
    expect(await kb.titles('installations')).toEqual(['Set up your router']);
    expect(await kb.titles('billing')).toEqual(['Pay an invoice']);
    // Only articles with every tag asked for.
    expect((await kb.titles('router OR invoice')).sort()).toEqual(['Pay an invoice', 'Set up your router']);
    expect(await kb.titles('router OR invoice', undefined, '&tags=Billing')).toEqual(['Pay an invoice']);
    expect(await kb.titles('router OR invoice', undefined, '&tags=billing,internet')).toEqual([]);
    expect(await kb.titles('router OR invoice', undefined, '&limit=1')).toHaveLength(1);
    // Web search syntax: a phrase, a word left out; nothing for words no article has.
    expect(await kb.titles('"lights turn green"')).toEqual(['Set up your router']);
    expect(await kb.titles('router -fibre')).toEqual([]);
    expect(await kb.titles('printer')).toEqual([]);
  });

  it('ranks an article whose title matches above those that only mention the word in their body', async () => {
    await kb.publish({
      title: 'Moving house',
      body: 'Tell us your new address. A refund of the unused days comes with your last invoice; refund requests take a week.',
      audience: 'public',
    });
    await kb.publish({ title: 'Refunds', body: 'How we pay back what you paid.', audience: 'public' });
    await kb.publish({
      title: 'Cancel your contract',
      body: 'You may ask for a refund within 14 days.',
      tags: ['refund'],
      audience: 'public',
    });

    const { results } = await kb.search('refund');
    expect(results.map((hit) => hit.title)).toEqual(['Refunds', 'Cancel your contract', 'Moving house']);
    expect(results[0].rank).toBeGreaterThan(results[1].rank);
    expect(results[1].rank).toBeGreaterThan(results[2].rank);
    expect(results[2].snippet).toContain('<mark>refund</mark>');
  });

  it('answers 400 without search words', async () => {
    for (const query of ['', '?q=', '?q=%20%20', '?tags=billing']) {
      const response = await kb.service.request('GET', `/knowledge/search${query}`, undefined, ANONYMOUS);
      expect({ query, status: response.status, code: response.body.code }).toEqual({
        query,
        status: 400,
        code: 'VALIDATION_FAILED',
      });
    }
  });
});

describe('who finds what', () => {
  it('shows an anonymous caller (a customer) public articles only, and agents every one', async () => {
    const publicId = await kb.publish(ROUTER);
    const internalId = await kb.publish({
      title: 'Router replacement for VIP customers',
      body: 'Send a new router by courier; no questions asked.',
      audience: 'agents',
    });

    expect(await kb.titles('router')).toEqual(['Set up your router']);
    expect(await kb.titles('router', 'rep-1')).toEqual(['Set up your router']); // not an agent either
    expect((await kb.titles('router', 'sam')).sort()).toEqual([
      'Router replacement for VIP customers',
      'Set up your router',
    ]);

    const read = (id: string, headers: Record<string, string>) =>
      kb.service.request('GET', `/knowledge/articles/${id}`, undefined, headers);
    const customer = await read(publicId, ANONYMOUS);
    expect(customer.status).toBe(200);
    expect(customer.body).toEqual({
      id: publicId,
      version: 1,
      latestVersion: 1,
      title: ROUTER.title,
      body: ROUTER.body,
      tags: ['internet', 'installation'],
      audience: 'public',
      archived: false,
      publishedAt: expect.any(String),
      writtenAt: expect.any(String),
      revision: 0,
    });
    expect(customer.headers.get('etag')).toBe('"0"');
    expect((await read(internalId, ANONYMOUS)).body).toMatchObject({
      status: 404,
      code: 'ARTICLE_NOT_FOUND',
    });
    expect((await read(internalId, await as('sam'))).body).toMatchObject({
      audience: 'agents',
      authorId: 'sam',
    });
    // A token that is sent must be valid: an agent whose token is bad is told, not shown less.
    const forged = { authorization: 'Bearer not.a.token' };
    expect((await kb.service.request('GET', '/knowledge/search?q=router', undefined, forged)).status).toBe(
      401,
    );
  });

  it('hides an archived article from search, and from customers altogether', async () => {
    const id = await kb.publish(ROUTER);
    await kb.archive(id);

    expect(await kb.titles('router')).toEqual([]);
    expect(await kb.titles('router', 'sam')).toEqual([]);
    const customer = await kb.service.request('GET', `/knowledge/articles/${id}`, undefined, ANONYMOUS);
    expect(customer.status).toBe(404);
    const agent = await kb.service.request('GET', `/knowledge/articles/${id}`, undefined, await as('sam'));
    expect(agent.body).toMatchObject({ archived: true, version: 1, revision: 1 });
  });
});

describe('revisions', () => {
  it('finds the words of the new version and no longer those of the old one; keeps the old one readable', async () => {
    const id = await kb.publish({
      title: 'Modem lights',
      body: 'A blinking orange modem light means the line is down.',
      audience: 'public',
    });
    await kb.revise(id, {
      title: 'Router lights',
      body: 'A red router light means the fibre line is down: restart the router.',
      tags: ['outage'],
      audience: 'public',
    });

    expect(await kb.titles('modem')).toEqual([]);
    expect(await kb.titles('orange blinking')).toEqual([]);
    const found = await kb.search('restart');
    expect(found.results).toMatchObject([{ id, version: 2, title: 'Router lights', tags: ['outage'] }]);
    expect(await kb.titles('outage')).toEqual(['Router lights']);

    const latest = await kb.service.request('GET', `/knowledge/articles/${id}`, undefined, ANONYMOUS);
    expect(latest.body).toMatchObject({ version: 2, latestVersion: 2, title: 'Router lights', revision: 1 });
    expect(latest.headers.get('etag')).toBe('"1"');
    const first = await kb.service.request(
      'GET',
      `/knowledge/articles/${id}?version=1`,
      undefined,
      ANONYMOUS,
    );
    expect(first.body).toMatchObject({
      version: 1,
      latestVersion: 2,
      title: 'Modem lights',
      body: 'A blinking orange modem light means the line is down.',
      tags: [],
    });
    expect(first.headers.get('etag')).toBe('"1"'); // the article's revision, whichever version is read
    const none = await kb.service.request('GET', `/knowledge/articles/${id}?version=3`, undefined, ANONYMOUS);
    expect(none.body).toMatchObject({ status: 404, code: 'ARTICLE_VERSION_NOT_FOUND' });

    // The same events delivered again (a consumer that lost its place) change nothing.
    await kb.redeliver();
    const rows = await kb.projection.rows(
      'select version, title, revision from service.knowledge_article where article_id = $1',
      [id],
    );
    expect(rows).toEqual([{ version: 2, title: 'Router lights', revision: 1 }]);
  });

  it('follows a version that makes a public article internal: customers no longer find or read it', async () => {
    const id = await kb.publish(ROUTER);
    await kb.revise(id, { ...ROUTER, audience: 'agents' });

    expect(await kb.titles('router')).toEqual([]);
    expect(await kb.titles('router', 'sam')).toEqual([ROUTER.title]);
    const old = await kb.service.request('GET', `/knowledge/articles/${id}?version=1`, undefined, ANONYMOUS);
    expect(old.status).toBe(404);
  });
});
