import { randomUUID } from 'node:crypto';
import type { INestApplication, Type } from '@nestjs/common';
import { escapeIdentifier } from 'pg';
import { assertValidEvent, hasContract, type EventMetadata } from '@crm/contracts';
import type { EventStore, NewEvent } from '@crm/event-store';
import {
  EVENT_STORE,
  PLATFORM_RUNTIME,
  createServiceApp,
  loadConfig,
  type PlatformRuntime,
  type ServiceConfig,
} from '@crm/service-kit';
import { freshDatabase } from './env';
import { ProjectionSpec } from './projection-spec';
import { callService, type JsonResponse } from './service-process';

/** An event a stream holds before the request (schema version 1 unless said). */
export interface GivenEvent {
  type: string;
  data: object;
  schemaVersion?: number;
}

/** Streams by id, each with its events, oldest first. */
export type GivenStreams = Record<string, GivenEvent[]>;

interface ServiceRequest {
  method: string;
  path: string;
  body?: unknown;
  headers?: Record<string, string>;
}

/** An event a request appended to the service's event store. */
export interface AppendedEvent {
  streamId: string;
  revision: number;
  type: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read arbitrary event data
  data: any;
  metadata: EventMetadata;
}

/** An event the request must append: its type, and optionally its stream and part of its data. */
export interface ExpectedEvent {
  type: string;
  stream?: string | RegExp;
  data?: object;
}

export interface Expectation {
  status: number;
  /** Members the JSON body must have (`toMatchObject`). */
  body?: object;
  /**
   * An `application/problem+json` answer with these members (`code`, `details`, `errors`...);
   * its `status` and `instance` (the request path) are checked too.
   */
  problem?: object;
  headers?: Record<string, string | RegExp>;
  /**
   * Exactly the events the request appended, in order. Left out: not checked for a success, and
   * none at all for a refusal (4xx): a refused request leaves no trace in any stream.
   */
  events?: ExpectedEvent[];
}

export interface Outcome {
  response: JsonResponse;
  events: AppendedEvent[];
}

export interface InProcessServiceOptions<C extends ServiceConfig> {
  /** The service's name, as in its logs. */
  name: string;
  Config: new () => C;
  /** The service's root module built from its config, as its `main` builds it. */
  module: (config: C) => unknown;
  /** Settings other than the database; the rest keep the config's defaults (never `process.env`). */
  env?: Record<string, string>;
  /** Schema of the service's PostgreSQL event store (`<service schema>_eventstore`). */
  eventStoreSchema: string;
}

/**
 * One step of a specification: the streams seeded so far and the request; `then` runs them and
 * checks the answer and the events appended.
 */
export class Scenario {
  constructor(
    private readonly service: InProcessService,
    private readonly streams: GivenStreams,
    private readonly request?: ServiceRequest,
  ) {}

  /** The request: a JSON body, if any, and headers (`if-match`, `x-correlation-id`...). */
  when(method: string, path: string, body?: unknown, headers?: Record<string, string>): Scenario {
    return new Scenario(this.service, this.streams, { method, path, body, headers });
  }

  /** Seeds the streams, sends the request and checks what came back and what was appended. */
  then(expected: Expectation): Promise<Outcome> {
    // An await on the scenario itself would call this with its own callbacks: say what is meant.
    if (typeof expected === 'function')
      throw new TypeError('call then({ status, ... }), do not await when()');
    if (!this.request) throw new Error('given(...).then(...) needs a when(...) first');
    return this.service.check(this.streams, this.request, expected);
  }
}

/**
 * A service's real Nest application (its module, HTTP edge, validation, error mapping) on the real
 * PostgreSQL event store and read model, in a database of its own, without Kafka: the relay and
 * the consumers never start. Commands are specified as
 * `given(streams).when('POST', path, body, headers).then({ status, body | problem, events })`.
 */
export class InProcessService {
  private readonly projections: ProjectionSpec[] = [];

  private constructor(
    private readonly app: INestApplication,
    readonly url: string,
    readonly runtime: PlatformRuntime,
    private readonly eventStoreSchema: string,
    private readonly dropDatabase: () => Promise<void>,
  ) {}

  static async start<C extends ServiceConfig>(
    options: InProcessServiceOptions<C>,
  ): Promise<InProcessService> {
    const db = await freshDatabase(`crm_inproc_${options.name}`);
    let app: INestApplication | undefined;
    try {
      const env = { LOG_LEVEL: 'error', ...options.env, DATABASE_URL: db.url };
      const config = loadConfig(options.Config, env);
      const description = {
        name: options.name,
        title: options.name,
        description: 'in process',
        version: '0',
      };
      app = await createServiceApp(options.module(config), description, config);
      const runtime = app.get<PlatformRuntime>(PLATFORM_RUNTIME);
      runtime.withoutMessaging();
      await app.listen(0, '127.0.0.1');
      const address = app.getHttpServer().address() as { port: number };
      return new InProcessService(
        app,
        `http://127.0.0.1:${address.port}`,
        runtime,
        options.eventStoreSchema,
        db.drop,
      );
    } catch (error) {
      await app?.close().catch(() => undefined);
      await db.drop();
      throw error;
    }
  }

  get store(): EventStore {
    return this.app.get<EventStore>(EVENT_STORE);
  }

  given(streams: GivenStreams): Scenario {
    return new Scenario(this, streams);
  }

  when(method: string, path: string, body?: unknown, headers?: Record<string, string>): Scenario {
    return new Scenario(this, {}).when(method, path, body, headers);
  }

  /** One HTTP call, unchecked. */
  request(
    method: string,
    path: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<JsonResponse> {
    return callService(this, method, path, body, headers);
  }

  /**
   * The handlers of these projection controllers for `consumer`, writing to this service's read
   * model: what its queries then answer.
   */
  async projection(consumer: string, controllers: Type<unknown>[]): Promise<ProjectionSpec> {
    const projection = await ProjectionSpec.bind(this.runtime.db, consumer, controllers);
    this.projections.push(projection);
    return projection;
  }

  /** Appends the events to their streams, each checked against its contract when it has one. */
  async seed(streams: GivenStreams): Promise<void> {
    for (const [streamId, events] of Object.entries(streams)) {
      const seeded: NewEvent[] = events.map(({ type, data, schemaVersion = 1 }) => {
        if (hasContract(type)) assertValidEvent(type, schemaVersion, data);
        const customerId = (data as { customerId?: string }).customerId ?? randomUUID();
        const metadata: EventMetadata = {
          customerId,
          correlationId: randomUUID(),
          causationId: randomUUID(),
          schemaVersion,
          occurredAt: new Date().toISOString(),
        };
        return { id: randomUUID(), type, data, metadata };
      });
      await this.store.append(streamId, seeded, 'any');
    }
  }

  /**
   * Every event appended after `position` (see {@link lastPosition}), in the order of the log,
   * with personal values open, as the service reads them (`stored: true`: as stored, sealed).
   */
  async eventsAfter(position: string, { stored = false } = {}): Promise<AppendedEvent[]> {
    const { rows } = await this.runtime.pool.query<AppendedEvent & { revision: string }>(
      `select stream_id as "streamId", revision, type, data, metadata from ${this.eventsTable()}
       where global_position > $1 order by global_position`,
      [position],
    );
    return Promise.all(
      rows.map(async (row) => ({
        ...row,
        revision: Number(row.revision),
        data: stored
          ? row.data
          : await this.runtime.cipher.reveal(
              {
                type: row.type,
                schemaVersion: row.metadata.schemaVersion,
                customerId: row.metadata.customerId,
              },
              row.data,
            ),
      })),
    );
  }

  /** Position of the last event in the store ('0' when empty). */
  async lastPosition(): Promise<string> {
    const { rows } = await this.runtime.pool.query<{ position: string }>(
      `select coalesce(max(global_position), 0)::text as position from ${this.eventsTable()}`,
    );
    return rows[0].position;
  }

  /** What `then` runs: seeds, requests, and checks the answer and the events appended after the seeds. */
  async check(streams: GivenStreams, request: ServiceRequest, expected: Expectation): Promise<Outcome> {
    await this.seed(streams);
    const before = await this.lastPosition();
    const { method, path, body, headers } = request;
    const response = await this.request(method, path, body, headers);
    const events = await this.eventsAfter(before);
    const context = `${request.method} ${request.path} answered ${response.status} ${JSON.stringify(response.body)}`;
    expect({ context, status: response.status }).toEqual({ context, status: expected.status });
    if (expected.body !== undefined) expect(response.body).toMatchObject(expected.body);
    if (expected.problem !== undefined) {
      expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      const instance = request.path.split('?')[0];
      expect(response.body).toMatchObject({ status: expected.status, instance, ...expected.problem });
    }
    for (const [name, value] of Object.entries(expected.headers ?? {})) {
      const actual = response.headers.get(name);
      if (typeof value === 'string') expect({ [name]: actual }).toEqual({ [name]: value });
      else expect(actual).toMatch(value);
    }
    const wanted = expected.events ?? (expected.status >= 400 ? [] : undefined);
    if (wanted !== undefined) {
      const appended = events.map(({ streamId, type, data }) => ({ type, streamId, data }));
      expect(appended).toMatchObject(
        wanted.map(({ type, stream, data }) => ({
          type,
          ...(stream === undefined
            ? {}
            : { streamId: typeof stream === 'string' ? stream : expect.stringMatching(stream) }),
          ...(data === undefined ? {} : { data }),
        })),
      );
    }
    return { response, events };
  }

  async stop(): Promise<void> {
    for (const projection of this.projections.splice(0)) await projection.close();
    await this.app.close();
    await this.dropDatabase();
  }

  private eventsTable(): string {
    return `${escapeIdentifier(this.eventStoreSchema)}.es_events`;
  }
}
