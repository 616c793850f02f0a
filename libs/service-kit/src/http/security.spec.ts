import { Controller, Get, Module, type INestApplication } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { Public } from '../auth/access';
import { createServiceApp } from '../bootstrap';
import { ServiceConfig, loadConfig } from '../config/service-config';
import { HealthController, READINESS_CHECKS } from '../health/health.controller';
import { FixedWindowStorage } from './rate-limit';

@Public()
@Controller()
class ThingsController {
  @Get('things')
  things() {
    return { things: [] };
  }

  @Get('other')
  other() {
    return { other: [] };
  }
}

@Module({
  imports: [TerminusModule.forRoot({ logger: false })],
  controllers: [ThingsController, HealthController],
  providers: [{ provide: READINESS_CHECKS, useValue: [] }],
})
class EdgeModule {}

/** A service with two routes and the probes, behind the shared HTTP edge, configured by `env`. */
async function serve(env: Record<string, string>) {
  const config = loadConfig(ServiceConfig, { PORT: '3001', LOG_LEVEL: 'warn', ...env });
  const description = { name: 'edge', title: 'Edge', description: 'The HTTP edge', version: '1' };
  const app: INestApplication = await createServiceApp(EdgeModule, description, config);
  await app.listen(0, '127.0.0.1');
  const url = await app.getUrl();
  const call = (path: string, init: RequestInit & { client?: string } = {}) => {
    const headers = new Headers(init.headers);
    if (init.client) headers.set('x-forwarded-for', init.client);
    return fetch(new URL(path, url), { ...init, headers });
  };
  return { app, url, call };
}

describe('the HTTP edge', () => {
  let app: INestApplication | undefined;
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  describe('security headers', () => {
    it('forbids the API to load, run or be framed, on answers and on errors alike', async () => {
      const edge = await serve({});
      app = edge.app;
      for (const response of [await edge.call('/things'), await edge.call('/nope')]) {
        expect(response.headers.get('content-security-policy')).toBe(
          "default-src 'none';frame-ancestors 'none'",
        );
        expect(response.headers.get('x-content-type-options')).toBe('nosniff');
        expect(response.headers.get('x-frame-options')).toBe('SAMEORIGIN');
        expect(response.headers.get('strict-transport-security')).toMatch(/^max-age=\d+/);
        expect(response.headers.get('referrer-policy')).toBe('no-referrer');
        expect(response.headers.get('x-powered-by')).toBeNull();
      }
    });

    it('lets Swagger UI load its own scripts and styles on /docs, and nothing inline runs', async () => {
      const edge = await serve({});
      app = edge.app;
      const page = await edge.call('/docs');
      expect(page.status).toBe(200);
      const csp = page.headers.get('content-security-policy') ?? '';
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("style-src 'self' 'unsafe-inline'");
      expect(csp).not.toContain('upgrade-insecure-requests');
      const html = await page.text();
      const scripts = [...html.matchAll(/<script([^>]*)>/g)].map((m) => m[1]);
      expect(scripts.length).toBeGreaterThan(0);
      // script-src 'self' runs no inline script: Swagger UI must have none.
      expect(scripts.every((attributes) => /\ssrc=/.test(attributes))).toBe(true);
      const assets = [...html.matchAll(/<(?:script[^>]*\ssrc|link[^>]*\shref)=["']([^"']+)["']/g)].map(
        (m) => m[1],
      );
      expect(assets).toEqual(expect.arrayContaining([expect.stringMatching(/swagger-ui-init\.js$/)]));
      for (const asset of assets) {
        const response = await fetch(new URL(asset, new URL('/docs', edge.url)));
        expect({
          asset,
          status: response.status,
          bytes: (await response.arrayBuffer()).byteLength > 0,
        }).toEqual({
          asset,
          status: 200,
          bytes: true,
        });
      }
      const json = await edge.call('/docs-json');
      expect(json.headers.get('content-security-policy')).toBe("default-src 'none';frame-ancestors 'none'");
    });
  });

  describe('CORS', () => {
    const preflight = (origin: string) => ({
      method: 'OPTIONS',
      headers: {
        origin,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type,if-match',
      },
    });

    it('answers no cross-origin caller unless CORS_ORIGINS names it', async () => {
      const edge = await serve({});
      app = edge.app;
      const simple = await edge.call('/things', { headers: { origin: 'https://crm.example.com' } });
      expect(simple.status).toBe(200);
      expect(simple.headers.get('access-control-allow-origin')).toBeNull();
      const refused = await edge.call('/things', preflight('https://crm.example.com'));
      expect(refused.headers.get('access-control-allow-origin')).toBeNull();
    });

    it('allows the configured origins, with the headers they need, and no other', async () => {
      const edge = await serve({ CORS_ORIGINS: 'https://crm.example.com,http://localhost:5173' });
      app = edge.app;
      const allowed = await edge.call('/things', preflight('https://crm.example.com'));
      expect(allowed.status).toBe(204);
      expect(allowed.headers.get('access-control-allow-origin')).toBe('https://crm.example.com');
      expect(allowed.headers.get('access-control-allow-methods')).toContain('POST');
      expect(allowed.headers.get('access-control-allow-headers')).toBe('content-type,if-match');
      const read = await edge.call('/things', { headers: { origin: 'http://localhost:5173' } });
      expect(read.headers.get('access-control-allow-origin')).toBe('http://localhost:5173');
      expect(read.headers.get('access-control-expose-headers')).toContain('ETag');
      const other = await edge.call('/things', { headers: { origin: 'https://evil.example' } });
      expect(other.headers.get('access-control-allow-origin')).toBeNull();
    });
  });

  describe('rate limit', () => {
    it('refuses a client over its limit with 429 and Retry-After, all routes together, while probes and other clients go on', async () => {
      const edge = await serve({ RATE_LIMIT_PER_MINUTE: '3', HTTP_TRUST_PROXY: 'loopback' });
      app = edge.app;
      const client = '203.0.113.7';
      const remaining: (string | null)[] = [];
      for (let i = 0; i < 3; i++) {
        const response = await edge.call('/things', { client });
        expect(response.status).toBe(200);
        remaining.push(response.headers.get('x-ratelimit-remaining'));
      }
      expect(remaining).toEqual(['2', '1', '0']);

      const refused = await edge.call('/things', { client, headers: { 'x-correlation-id': 'c-1' } });
      expect(refused.status).toBe(429);
      expect(refused.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      const retryAfter = Number(refused.headers.get('retry-after'));
      expect(retryAfter).toBeGreaterThanOrEqual(1);
      expect(retryAfter).toBeLessThanOrEqual(60);
      expect(refused.headers.get('content-security-policy')).toBe(
        "default-src 'none';frame-ancestors 'none'",
      );
      expect(await refused.json()).toEqual({
        type: 'https://crm.example/problems/too-many-requests',
        title: 'Too many requests',
        status: 429,
        detail: 'more than 3 requests in 60 s from this client; retry after the Retry-After delay',
        instance: '/things',
        code: 'TOO_MANY_REQUESTS',
        details: { limit: 3, windowSeconds: 60, retryAfterSeconds: retryAfter },
        correlationId: 'c-1',
      });
      expect((await edge.call('/other', { client })).status).toBe(429);
      expect((await edge.call('/health/live', { client })).status).toBe(200);
      expect((await edge.call('/health/ready', { client })).status).toBe(200);
      expect((await edge.call('/things', { client: '203.0.113.8' })).status).toBe(200);
    });

    it('does not believe X-Forwarded-For from a proxy it was not told to trust', async () => {
      const edge = await serve({ RATE_LIMIT_PER_MINUTE: '2' });
      app = edge.app;
      const statuses = [];
      for (const client of ['198.51.100.1', '198.51.100.2', '198.51.100.3']) {
        statuses.push((await edge.call('/things', { client })).status);
      }
      expect(statuses).toEqual([200, 200, 429]);
    });

    it('limits nobody with RATE_LIMIT_DISABLED=true', async () => {
      const edge = await serve({ RATE_LIMIT_PER_MINUTE: '1', RATE_LIMIT_DISABLED: 'true' });
      app = edge.app;
      const statuses = [];
      for (let i = 0; i < 3; i++) statuses.push((await edge.call('/things')).status);
      expect(statuses).toEqual([200, 200, 200]);
    });

    it('lets a client in again when its window ends', async () => {
      let now = 1_000_000;
      const storage = new FixedWindowStorage(() => now);
      const hit = () => storage.increment('default:203.0.113.7', 60_000, 2);
      expect((await hit()).isBlocked).toBe(false);
      expect((await hit()).isBlocked).toBe(false);
      now += 15_000;
      expect(await hit()).toMatchObject({ isBlocked: true, timeToBlockExpire: 45 });
      now += 45_000;
      expect(await hit()).toMatchObject({ isBlocked: false, totalHits: 1 });
    });
  });
});
