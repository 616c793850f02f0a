import type { NestExpressApplication } from '@nestjs/platform-express';
import type { NextFunction, Request, Response } from 'express';
import helmet from 'helmet';
import type { ServiceConfig } from '../config/service-config';

/** Where Swagger UI is served (its page and assets); `/docs-json` is plain JSON. */
export const DOCS_PATH = '/docs';

/**
 * The API answers JSON only: nothing in a response may load, run or be framed (OWASP's
 * recommendation for REST services).
 */
const API_CSP = { defaultSrc: ["'none'"], frameAncestors: ["'none'"] };

/**
 * Swagger UI: its scripts, styles and the document come from this origin; it uses inline styles
 * and data: images. No `upgrade-insecure-requests`: the services speak plain HTTP behind the
 * cluster's TLS edge, and the page must load when reached directly (port-forward, compose).
 */
const DOCS_CSP = {
  defaultSrc: ["'self'"],
  scriptSrc: ["'self'"],
  styleSrc: ["'self'", "'unsafe-inline'"],
  imgSrc: ["'self'", 'data:'],
  fontSrc: ["'self'", 'data:'],
  connectSrc: ["'self'"],
  objectSrc: ["'none'"],
  baseUri: ["'self'"],
  formAction: ["'self'"],
  frameAncestors: ["'none'"],
};

const isDocs = (path: string) => path === DOCS_PATH || path.startsWith(`${DOCS_PATH}/`);

/** Response headers the browser may show a cross-origin caller (CORS): revisions, new resources, limits. */
const EXPOSED_HEADERS = [
  'ETag',
  'Location',
  'Retry-After',
  'X-RateLimit-Limit',
  'X-RateLimit-Remaining',
  'X-RateLimit-Reset',
];

/**
 * The HTTP edge's protections, before any route: security headers on every response (helmet:
 * HSTS, nosniff, frame and referrer policies, no X-Powered-By, a Content-Security-Policy that
 * forbids everything on the API and allows Swagger UI its own assets on /docs), CORS for the
 * CORS_ORIGINS only (none by default), and which proxies to believe about the client's address.
 */
export function applyHttpSecurity(app: NestExpressApplication, config: ServiceConfig): void {
  const trustProxy = config.HTTP_TRUST_PROXY.trim();
  app.set('trust proxy', /^\d+$/.test(trustProxy) ? Number(trustProxy) : trustProxy || false);
  const api = helmet({ contentSecurityPolicy: { useDefaults: false, directives: API_CSP } });
  const docs = helmet({ contentSecurityPolicy: { useDefaults: false, directives: DOCS_CSP } });
  app.use((request: Request, response: Response, next: NextFunction) =>
    (isDocs(request.path) ? docs : api)(request, response, next),
  );
  const origins = config.corsOrigins;
  if (origins.length > 0) {
    app.enableCors({
      origin: origins,
      methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
      exposedHeaders: EXPOSED_HEADERS,
      maxAge: 600,
    });
  }
}
