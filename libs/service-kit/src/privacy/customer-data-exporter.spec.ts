import { Global, Injectable, Module, type DynamicModule, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { AuditTrailQuery } from '@crm/event-store';
import { DomainExceptionFilter } from '../http/domain-exception.filter';
import { PLATFORM_RUNTIME } from '../platform/tokens';
import {
  CustomerDataExportError,
  CustomerDataExporters,
  customerDataExporters,
  type CustomerDataExporter,
} from './customer-data-exporter';
import { PrivacyController } from './privacy.controller';

const CUSTOMER = '0b7f6c1e-3d2a-4f5b-9c8d-7e6f5a4b3c2d';

/** One LeadCaptured of the customer in the service's store: the export's `events` part. */
const captured = {
  id: '9a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d',
  type: 'LeadCaptured',
  streamId: 'lead-1',
  revision: 0,
  recordedAt: new Date('2026-03-01T10:00:00.000Z'),
  data: { leadId: 'lead-1', personName: 'Ada Lovelace' },
  metadata: { occurredAt: '2026-03-01T09:59:00.000Z', actor: 'rep-1', customerId: CUSTOMER },
};
const store = {
  auditTrail: async (q: AuditTrailQuery) => ({
    items: q.customerId === CUSTOMER ? [{ id: captured.id, streamId: captured.streamId }] : [],
  }),
  readStream: async (streamId: string) => (streamId === captured.streamId ? [captured] : []),
};

/** What the read models of the test service hold: profile and scores, by customer. */
@Injectable()
class ReadModel {
  readonly profiles = new Map([[CUSTOMER, { name: 'Ada Lovelace', email: 'ada@example.com' }]]);
}

@Injectable()
class ProfileExporter implements CustomerDataExporter {
  readonly part = 'profile';
  readonly describe = 'The latest name and e-mail seen in the events';
  constructor(private readonly model: ReadModel) {}
  async export(customerId: string) {
    return this.model.profiles.get(customerId) ?? null;
  }
}

@Injectable()
class ScoreExporter implements CustomerDataExporter {
  readonly part = 'scores';
  readonly describe = 'A score 1-5 by quintile of won revenue';
  async export() {
    return { score: 4 };
  }
}

@Injectable()
class BrokenExporter implements CustomerDataExporter {
  readonly part = 'broken';
  readonly describe = 'A part whose table is missing';
  async export(): Promise<unknown> {
    throw new Error('relation "broken" does not exist');
  }
}

@Injectable()
class UnreachableExporter implements CustomerDataExporter {
  readonly part = 'unreachable';
  readonly describe = 'A part on a database that is down';
  async export(): Promise<unknown> {
    throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
  }
}

/** The platform's part of the wiring (as PlatformModule.forRoot gives it): global registry, runtime. */
function platform(): DynamicModule {
  @Global()
  @Module({})
  class TestPlatform {}
  return {
    module: TestPlatform,
    controllers: [PrivacyController],
    providers: [
      { provide: PLATFORM_RUNTIME, useValue: { context: 'crm-test', store } },
      { provide: CustomerDataExporters, useValue: new CustomerDataExporters() },
    ],
    exports: [CustomerDataExporters],
  };
}

/** A service whose features module registers `exporters` in one line, as a service does. */
async function serve(...exporters: Parameters<typeof customerDataExporters>) {
  @Module({ providers: [ReadModel, ...customerDataExporters(...exporters)] })
  class Features {}
  const app = await NestFactory.create({ module: Features, imports: [platform()] }, { logger: false });
  app.useGlobalFilters(new DomainExceptionFilter());
  await app.listen(0, '127.0.0.1');
  const url = await app.getUrl();
  const exported = async (customerId = CUSTOMER) => {
    const response = await fetch(`${url}/privacy/customers/${customerId}/export`);
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };
  return { app, exported };
}

describe('read-model parts of the data subject export', () => {
  let app: INestApplication | undefined;
  afterEach(() => app?.close());

  it('lists every registered part after the events, in registration order, data as the exporter reads it', async () => {
    const service = await serve(ScoreExporter, ProfileExporter);
    app = service.app;
    const { status, body } = await service.exported();
    expect(status).toBe(200);
    expect(body).toMatchObject({
      context: 'crm-test',
      customerId: CUSTOMER,
      events: [{ type: 'LeadCaptured', data: { personName: 'Ada Lovelace' }, actor: 'rep-1' }],
    });
    expect(body.readModels).toEqual([
      { part: 'scores', description: 'A score 1-5 by quintile of won revenue', data: { score: 4 } },
      {
        part: 'profile',
        description: 'The latest name and e-mail seen in the events',
        data: { name: 'Ada Lovelace', email: 'ada@example.com' },
      },
    ]);
    // A customer the read model does not know: the part is there, holding nothing.
    const stranger = await service.exported('5d41402a-bc4b-4a2a-9c76-1b2e3f4a5b6c');
    expect(stranger.body).toMatchObject({ events: [], readModels: [{ data: { score: 4 } }, { data: null }] });
  });

  it('gives an empty list for a service that registers no part', async () => {
    const service = await serve();
    app = service.app;
    const { status, body } = await service.exported();
    expect(status).toBe(200);
    expect(body.readModels).toEqual([]);
  });

  it('fails the whole export, naming the part, when one part cannot be read', async () => {
    const service = await serve(ProfileExporter, BrokenExporter, ScoreExporter);
    app = service.app;
    const { status, body } = await service.exported();
    expect(status).toBe(500);
    expect(body).toMatchObject({
      code: 'EXPORT_PART_FAILED',
      detail:
        'the read-model part "broken" of the export could not be read; the export is not given without it',
      details: { part: 'broken' },
    });
    expect(JSON.stringify(body)).not.toContain('Ada Lovelace');
  });

  it('answers 503 with Retry-After when a part’s database is out of reach', async () => {
    const service = await serve(ProfileExporter, UnreachableExporter);
    app = service.app;
    const response = await fetch(`${await service.app.getUrl()}/privacy/customers/${CUSTOMER}/export`);
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toBe('5');
    expect(await response.json()).toMatchObject({ code: 'DEPENDENCY_UNAVAILABLE' });
  });
});

describe('CustomerDataExporters', () => {
  const part = (name: string, data: unknown): CustomerDataExporter => ({
    part: name,
    describe: `the ${name}`,
    export: async () => data,
  });

  it('collects in the order the parts were added, across several registrations', async () => {
    const registry = new CustomerDataExporters();
    registry.add(part('b', 2), part('a', 1));
    registry.add(part('c', 3));
    expect(await registry.collect(CUSTOMER)).toEqual([
      { part: 'b', description: 'the b', data: 2 },
      { part: 'a', description: 'the a', data: 1 },
      { part: 'c', description: 'the c', data: 3 },
    ]);
  });

  it('refuses a part name registered twice', () => {
    const registry = new CustomerDataExporters();
    registry.add(part('profile', 1));
    expect(() => registry.add(part('profile', 2))).toThrow('"profile" is registered twice');
    expect(registry.parts).toEqual(['profile']);
  });

  it('rejects with the first failing part and its cause; later parts are not read', async () => {
    const cause = new Error('boom');
    const read: string[] = [];
    const tracked = (name: string, fail: boolean): CustomerDataExporter => ({
      part: name,
      describe: name,
      export: async () => {
        read.push(name);
        if (fail) throw cause;
        return name;
      },
    });
    const registry = new CustomerDataExporters();
    registry.add(tracked('first', false), tracked('second', true), tracked('third', true));
    const error = await registry.collect(CUSTOMER).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CustomerDataExportError);
    expect(error).toMatchObject({ part: 'second', cause });
    expect(read).toEqual(['first', 'second']);
  });
});
