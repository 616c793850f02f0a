import { Body, Controller, Get, Logger, Module, Param, Post, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Logger as PinoNestLogger } from 'nestjs-pino';
import { createServiceLogger, requestLogging } from './json-logger';

@Controller()
class ThingsController {
  private readonly logger = new Logger('things');

  @Get('things/:id')
  read(@Param('id') id: string) {
    this.logger.log({ msg: 'reading a thing', id });
    return { id };
  }

  @Post('things')
  create(@Body() body: unknown) {
    return body;
  }

  @Get('health/live')
  live() {
    return { status: 'ok' };
  }
}

@Module({ controllers: [ThingsController] })
class ThingsModule {}

describe('service logs', () => {
  const lines: string[] = [];
  const entries = () => lines.map((line) => JSON.parse(line) as Record<string, any>); // eslint-disable-line @typescript-eslint/no-explicit-any -- log lines are free-form JSON
  let app: INestApplication;
  let url: string;

  beforeAll(async () => {
    const logger = createServiceLogger('things', 'info', { write: (line: string) => void lines.push(line) });
    const requests = requestLogging(logger);
    app = await NestFactory.create<NestExpressApplication>(
      { module: ThingsModule, imports: [requests.module] },
      { bufferLogs: true, bodyParser: false },
    );
    app.useLogger(app.get(PinoNestLogger));
    app.use(requests.middleware);
    (app as NestExpressApplication).useBodyParser('json', { limit: 100 });
    await app.listen(0, '127.0.0.1');
    url = await app.getUrl();
  });
  afterAll(() => app.close());
  beforeEach(() => void lines.splice(0));

  it('logs each request once, with its correlation id, and without credentials, query or body', async () => {
    const headers = {
      'x-correlation-id': 'corr-42',
      authorization: 'Bearer s3cret-token',
      cookie: 'session=s3cret-cookie',
      'content-type': 'application/json',
    };
    await fetch(`${url}/things/7?email=ana%40example.com`, { headers });
    await fetch(`${url}/things?phone=555-0101`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ email: 'ana@example.com' }),
    });

    const all = lines.join('\n');
    for (const secret of ['s3cret', 'ana@example.com', 'ana%40example.com', '555-0101'])
      expect(all).not.toContain(secret);
    const requests = entries().filter((e) => e.msg === 'request completed');
    expect(requests).toEqual([
      expect.objectContaining({
        level: 'info',
        service: 'things',
        correlation_id: 'corr-42',
        req: expect.objectContaining({ method: 'GET', path: '/things/7' }),
        res: { statusCode: 200 },
        responseTime: expect.any(Number),
      }),
      expect.objectContaining({
        correlation_id: 'corr-42',
        req: expect.objectContaining({ path: '/things' }),
      }),
    ]);
    expect(requests[0].req.headers).toMatchObject({ authorization: '[Redacted]', cookie: '[Redacted]' });
    // What the handler logs while serving the request carries the same correlation id.
    expect(entries().find((e) => e.msg === 'reading a thing')).toMatchObject({
      context: 'things',
      correlation_id: 'corr-42',
      id: '7',
    });
    // One JSON object per line, as `.run/<service>.log` and log shippers read them.
    expect(lines.every((line) => line.indexOf('\n') === line.length - 1)).toBe(true);
  });

  it('logs a request refused while its body is read, without the body', async () => {
    const response = await fetch(`${url}/things`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-correlation-id': 'corr-big' },
      body: JSON.stringify({ notes: 'ana@example.com '.repeat(20) }),
    });
    expect(response.status).toBe(413);
    expect(lines.join('\n')).not.toContain('ana@example.com');
    expect(entries().filter((e) => e.msg === 'request completed')).toEqual([
      expect.objectContaining({ correlation_id: 'corr-big', res: { statusCode: 413 } }),
    ]);
  });

  it('gives a request without a correlation id a new one, and does not log probes', async () => {
    await fetch(`${url}/things/8`);
    await fetch(`${url}/health/live`);
    const requests = entries().filter((e) => e.msg === 'request completed');
    expect(requests).toHaveLength(1);
    expect(requests[0].correlation_id).toMatch(/^[0-9a-f-]{36}$/);
  });
});
