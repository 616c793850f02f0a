import { randomUUID } from 'node:crypto';
import { toCloudEvent } from '@crm/contracts';
import { subjectFromStreamId } from '@crm/messaging';
import {
  InProcessService,
  bearer,
  type AppendedEvent,
  type GivenEvent,
  type ProjectionSpec,
} from '@crm/test-support';
import { KnowledgeProjection } from '../src/knowledge/knowledge.projection';
import { ServiceDeskConfig } from '../src/service-desk.config';
import { ServiceDeskModule } from '../src/service-desk.module';

const cloudEvent = (event: AppendedEvent) =>
  toCloudEvent('service', { id: randomUUID(), ...event }, subjectFromStreamId(event.streamId));

/** The service desk in process: a database of its own, no Kafka. */
export function startServiceDesk(): Promise<InProcessService> {
  return InProcessService.start({
    name: 'service_desk',
    Config: ServiceDeskConfig,
    module: (config) => ServiceDeskModule.forRoot(config),
    eventStoreSchema: 'service_eventstore',
  });
}

/** Who calls: a demo user of the local OpenID provider (`sam` is a support agent, `rep-1` a sales rep). */
export const as = async (who: string) => ({ authorization: await bearer(who) });

/** No token at all: a customer on the help centre. */
export const ANONYMOUS = { authorization: '' };

export const at = '2026-12-01T09:00:00.000Z';

export interface Content {
  title: string;
  body: string;
  tags?: string[];
  audience: 'public' | 'agents';
}

/**
 * The knowledge base through its HTTP API, with what its commands append delivered to the
 * `knowledge-read-model` projection as Kafka would deliver them (the relay does not run in process).
 */
export class KnowledgeBase {
  private constructor(
    readonly service: InProcessService,
    readonly projection: ProjectionSpec,
  ) {}

  static async start(): Promise<KnowledgeBase> {
    const service = await startServiceDesk();
    try {
      return new KnowledgeBase(
        service,
        await service.projection('knowledge-read-model', [KnowledgeProjection]),
      );
    } catch (error) {
      await service.stop();
      throw error;
    }
  }

  stop(): Promise<void> {
    return this.service.stop();
  }

  /** Every event the commands appended, in order. */
  readonly appended: AppendedEvent[] = [];

  /** Delivers appended events to the projection as the relay publishes them. */
  async project(events: AppendedEvent[]): Promise<void> {
    this.appended.push(...events);
    await this.projection.given(...events.map(cloudEvent));
  }

  /** Delivers every event appended so far once more (a consumer that lost its place). */
  async redeliver(): Promise<void> {
    await this.projection.given(...this.appended.map(cloudEvent));
  }

  /** Publishes an article as agent `sam`; answers its id. */
  async publish(content: Content, who = 'sam'): Promise<string> {
    const { response, events } = await this.service
      .when('POST', '/knowledge/articles', content, await as(who))
      .then({ status: 201 });
    await this.project(events);
    return response.body.id;
  }

  async revise(id: string, content: Content, who = 'sam'): Promise<void> {
    const { events } = await this.service
      .when('PUT', `/knowledge/articles/${id}`, content, await as(who))
      .then({ status: 200 });
    await this.project(events);
  }

  async archive(id: string): Promise<void> {
    const { events } = await this.service
      .when('POST', `/knowledge/articles/${id}/archive`, undefined, await as('sue'))
      .then({ status: 200 });
    await this.project(events);
  }

  /** The titles found for `q`, best first, for this caller (anonymous without `who`). */
  async search(q: string, who?: string, more = ''): Promise<SearchAnswer> {
    const path = `/knowledge/search?q=${encodeURIComponent(q)}${more}`;
    const response = await this.service.request('GET', path, undefined, who ? await as(who) : ANONYMOUS);
    expect({ path, status: response.status }).toEqual({ path, status: 200 });
    return response.body;
  }

  async titles(q: string, who?: string, more = ''): Promise<string[]> {
    return (await this.search(q, who, more)).results.map((hit) => hit.title);
  }
}

export interface SearchAnswer {
  results: {
    id: string;
    version: number;
    title: string;
    tags: string[];
    audience: string;
    rank: number;
    snippet: string;
    updatedAt: string;
  }[];
}

/** A case stream as the case decider writes it: opened, from a known customer. */
export function aCase() {
  const caseId = randomUUID();
  const customerId = randomUUID();
  const opened: GivenEvent = {
    type: 'CaseOpened',
    data: {
      caseId,
      customerId,
      knownCustomer: true,
      requester: { email: 'ana@example.com' },
      channel: 'email',
      caseType: 'information_request',
      priority: 'normal',
      subject: 'Cannot sign in',
      queue: 'information_request',
      sla: {
        policyId: 'priority-normal',
        version: 1,
        firstResponseMinutes: 240,
        nextResponseMinutes: 480,
        resolutionMinutes: 1440,
        warningShare: 0.8,
      },
      openedAt: at,
    },
  };
  return { caseId, customerId, stream: `case-${caseId}`, opened };
}

/** An article stream as the article decider writes it. */
export function anArticle(audience: 'public' | 'agents' = 'public') {
  const articleId = randomUUID();
  const content = {
    title: 'Reset your password',
    body: 'Choose "Forgot password".',
    tags: ['account'],
    audience,
  };
  return {
    articleId,
    stream: `knowledgeArticle-${articleId}`,
    published: (): GivenEvent => ({
      type: 'KnowledgeArticlePublished',
      data: { articleId, version: 1, ...content, authorId: 'sam', publishedAt: at },
    }),
    revised: (version: number): GivenEvent => ({
      type: 'KnowledgeArticleRevised',
      data: { articleId, version, ...content, body: `Version ${version}.`, authorId: 'sue', revisedAt: at },
    }),
    archived: (version: number): GivenEvent => ({
      type: 'KnowledgeArticleArchived',
      data: { articleId, version, archivedBy: 'sue', archivedAt: at },
    }),
  };
}
