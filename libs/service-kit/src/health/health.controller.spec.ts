import { Module, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { DomainExceptionFilter } from '../http/domain-exception.filter';
import {
  HealthController,
  READINESS_CHECKS,
  ReadinessFailure,
  type ReadinessCheck,
} from './health.controller';
import { TerminusModule } from '@nestjs/terminus';

/** What a probe answered. */
interface Answer {
  status: number;
  type: string | null;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests assert on arbitrary JSON bodies
  body: any;
}

/** The probes of a service whose readiness checks are `checks`, as Kubernetes calls them. */
async function serve(
  checks: ReadinessCheck[],
): Promise<{ app: INestApplication; get: (path: string) => Promise<Answer> }> {
  @Module({ controllers: [HealthController], providers: [{ provide: READINESS_CHECKS, useValue: checks }] })
  class ProbesModule {}
  const app = await NestFactory.create(
    { module: ProbesModule, imports: [TerminusModule.forRoot({ logger: false })] },
    { logger: false },
  );
  app.useGlobalFilters(new DomainExceptionFilter());
  await app.listen(0, '127.0.0.1');
  const url = await app.getUrl();
  const get = async (path: string) => {
    const response = await fetch(url + path);
    return {
      status: response.status,
      type: response.headers.get('content-type'),
      body: await response.json(),
    };
  };
  return { app, get };
}

const up = (name: string, detail?: Record<string, unknown>): ReadinessCheck => ({
  name,
  check: async () => detail,
});

describe('health probes', () => {
  let app: INestApplication | undefined;
  afterEach(() => app?.close());

  it('answers ready with 200 and every check, with what a check adds', async () => {
    const warning = { topic: 'crm.leads.events', setting: 'partitions', expected: '6', actual: '3' };
    const probes = await serve([up('postgres'), up('kafka', { topicConfigWarnings: [warning] })]);
    app = probes.app;
    const ready = await probes.get('/health/ready');
    expect(ready.status).toBe(200);
    expect(ready.body).toMatchObject({
      status: 'ok',
      error: {},
      details: { postgres: { status: 'up' }, kafka: { status: 'up', topicConfigWarnings: [warning] } },
    });
    expect(Object.keys(ready.body.details)).toEqual(['postgres', 'kafka']);
    expect((await probes.get('/health/live')).body).toMatchObject({ status: 'ok' });
  });

  it('answers 503 with the report (not a problem) naming the failing checks and why', async () => {
    const failing = [{ consumer: 'pipeline-read-model', reason: '1 event(s) it could not apply are parked' }];
    const probes = await serve([
      up('postgres'),
      { name: 'event-store', check: () => Promise.reject(new Error('connection refused')) },
      {
        name: 'projections',
        check: () => Promise.reject(new ReadinessFailure('failing: pipeline-read-model', { failing })),
      },
    ]);
    app = probes.app;
    const ready = await probes.get('/health/ready');
    expect(ready.status).toBe(503);
    expect(ready.type).toMatch(/^application\/json/);
    expect(ready.body).toMatchObject({
      status: 'error',
      info: { postgres: { status: 'up' } },
      error: {
        'event-store': { status: 'down', message: 'connection refused' },
        projections: { status: 'down', message: 'failing: pipeline-read-model', failing },
      },
    });
    // Liveness does not depend on the dependencies.
    expect((await probes.get('/health/live')).status).toBe(200);
  });

  it('counts a check that does not answer within 3 s as down', async () => {
    const probes = await serve([
      up('postgres'),
      { name: 'kafka', check: () => new Promise(() => undefined) },
    ]);
    app = probes.app;
    const started = Date.now();
    const ready = await probes.get('/health/ready');
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(ready.status).toBe(503);
    expect(ready.body.error).toEqual({
      kafka: expect.objectContaining({ status: 'down', message: 'timeout of 3000ms exceeded' }),
    });
  });
});
