import { DomainError } from '@crm/decider';
import { deciderSpec } from '@crm/decider/testing';
import {
  articleDecider,
  normaliseTags,
  readableBy,
  versionToLink,
  type ArticleCommand,
  type ArticleContent,
  type ArticleState,
} from './article.decider';
import type { ArticleEvent } from './article.events';

const spec = deciderSpec(articleDecider);
const articleId = '3f1c2b4a-5d6e-4f70-8a9b-0c1d2e3f4a5b';
const t = (hhmm: string) => `2026-12-01T${hhmm}:00.000Z`;
const content: ArticleContent = {
  title: 'Reset your password',
  body: 'Open the sign-in page and choose "Forgot password".',
  tags: ['account', 'password'],
  audience: 'public',
};
const v2: ArticleContent = { ...content, body: 'Choose "Forgot password"; the link is valid for an hour.' };

const publish = (c: ArticleContent = content): ArticleCommand => ({
  type: 'PublishArticle',
  data: { articleId, ...c, authorId: 'sam', at: t('09:00') },
});
const revise = (c: ArticleContent, at = t('10:00'), authorId = 'sue'): ArticleCommand => ({
  type: 'ReviseArticle',
  data: { ...c, authorId, at },
});
const archive = (at = t('11:00')): ArticleCommand => ({ type: 'ArchiveArticle', data: { by: 'sue', at } });

const published = (c: ArticleContent = content): ArticleEvent => ({
  type: 'KnowledgeArticlePublished',
  data: { articleId, version: 1, ...c, authorId: 'sam', publishedAt: t('09:00') },
});
const revised = (version: number, c: ArticleContent, at = t('10:00'), authorId = 'sue'): ArticleEvent => ({
  type: 'KnowledgeArticleRevised',
  data: { articleId, version, ...c, authorId, revisedAt: at },
});
const archived = (version: number, at = t('11:00')): ArticleEvent => ({
  type: 'KnowledgeArticleArchived',
  data: { articleId, version, archivedBy: 'sue', archivedAt: at },
});
const stateAfter = (events: ArticleEvent[]): ArticleState =>
  events.reduce(articleDecider.evolve, articleDecider.initialState());

describe('publishing an article', () => {
  it('publishes version 1 with its tags trimmed, in lower case and each once', () => {
    spec
      .given([])
      .when(publish({ ...content, tags: [' Account', 'PASSWORD', 'account ', '  '] }))
      .then([published({ ...content, tags: ['account', 'password'] })]);
  });

  it('refuses a second publication of the same article (409 ARTICLE_EXISTS)', () => {
    spec.given([published()]).when(publish()).thenThrows('ARTICLE_EXISTS');
    spec
      .given([published(), archived(1)])
      .when(publish())
      .thenThrows('ARTICLE_EXISTS');
  });
});

describe('revising an article', () => {
  it('writes the next version with the whole new content and its author', () => {
    spec
      .given([published()])
      .when(revise(v2))
      .then([revised(2, v2)]);
    const v3: ArticleContent = { ...v2, audience: 'agents', tags: ['account'] };
    spec
      .given([published(), revised(2, v2)])
      .when(revise(v3, t('12:00'), 'sam'))
      .then([revised(3, v3, t('12:00'), 'sam')]);
  });

  it('counts a change of title, tags or audience alone as a new version', () => {
    spec
      .given([published()])
      .when(revise({ ...content, title: 'Forgot your password?' }))
      .then([revised(2, { ...content, title: 'Forgot your password?' })]);
    spec
      .given([published()])
      .when(revise({ ...content, tags: ['password', 'account'] }))
      .then([revised(2, { ...content, tags: ['password', 'account'] })]);
    spec
      .given([published()])
      .when(revise({ ...content, audience: 'agents' }))
      .then([revised(2, { ...content, audience: 'agents' })]);
  });

  it('writes no version when nothing changed (a retried PUT), whoever sends it', () => {
    spec
      .given([published()])
      .when(revise({ ...content, tags: ['Account', 'password'] }, t('10:00'), 'sam'))
      .thenNothingHappens();
    spec
      .given([published(), revised(2, v2)])
      .when(revise(v2))
      .thenNothingHappens();
  });

  it('refuses an unknown article (404 ARTICLE_NOT_FOUND) and an archived one (422 ARTICLE_ARCHIVED)', () => {
    spec.given([]).when(revise(v2)).thenThrows('ARTICLE_NOT_FOUND');
    spec
      .given([published(), archived(1)])
      .when(revise(v2))
      .thenThrows('ARTICLE_ARCHIVED');
  });
});

describe('archiving an article', () => {
  it('archives the article at its latest version, once', () => {
    spec
      .given([published(), revised(2, v2)])
      .when(archive())
      .then([archived(2)]);
    spec
      .given([published(), archived(1)])
      .when(archive(t('12:00')))
      .thenNothingHappens();
  });

  it('refuses an unknown article (404 ARTICLE_NOT_FOUND)', () => {
    spec.given([]).when(archive()).thenThrows('ARTICLE_NOT_FOUND');
  });
});

describe('the state of an article', () => {
  it('holds the latest version and content, and when it changed', () => {
    expect(stateAfter([published(), revised(2, v2, t('10:30'))])).toEqual({
      status: 'published',
      articleId,
      version: 2,
      ...v2,
      authorId: 'sue',
      publishedAt: t('09:00'),
      updatedAt: t('10:30'),
    });
    expect(stateAfter([published(), archived(1)])).toMatchObject({
      status: 'archived',
      version: 1,
      archivedAt: t('11:00'),
    });
  });
});

describe('linking an article to a case', () => {
  /** The kind and code of the refusal, as the HTTP edge maps them (not_found: 404, rule: 422). */
  const threw = (run: () => unknown) => {
    try {
      run();
    } catch (error) {
      if (error instanceof DomainError) return `${error.kind} ${error.code}`;
      throw error;
    }
    return 'nothing';
  };

  it('links the latest version unless a version is asked for', () => {
    const state = stateAfter([published(), revised(2, v2)]);
    expect(versionToLink(state)).toBe(2);
    expect(versionToLink(state, 1)).toBe(1);
  });

  it('refuses an unknown article or version (404) and an archived article (422)', () => {
    const state = stateAfter([published(), revised(2, v2)]);
    expect(threw(() => versionToLink(stateAfter([])))).toBe('not_found ARTICLE_NOT_FOUND');
    expect(threw(() => versionToLink(state, 3))).toBe('not_found ARTICLE_VERSION_NOT_FOUND');
    expect(threw(() => versionToLink(state, 0))).toBe('not_found ARTICLE_VERSION_NOT_FOUND');
    expect(threw(() => versionToLink(stateAfter([published(), archived(1)]), 1))).toBe(
      'rule ARTICLE_ARCHIVED',
    );
  });
});

describe('who reads an article', () => {
  it('lets customers read public articles and agents every article', () => {
    expect(readableBy('public', false)).toBe(true);
    expect(readableBy('agents', false)).toBe(false);
    expect(readableBy('agents', true)).toBe(true);
  });

  it('normalises tags without reordering them', () => {
    expect(normaliseTags(['Billing', ' invoices ', 'billing', ''])).toEqual(['billing', 'invoices']);
  });
});
