import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { DynamicModule } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import pino, { type DestinationStream, type Logger } from 'pino';
import { pinoHttp, type HttpLogger } from 'pino-http';
import { jsonLogOptions, type LogLevel } from '@crm/messaging';

/**
 * The service's one pino logger: JSON lines `{"level","time","service",...,"trace_id","span_id",
 * "msg"}` on stdout (or `destination`), as the messaging components write them.
 */
export function createServiceLogger(
  service: string,
  level: LogLevel,
  destination?: DestinationStream,
): Logger {
  return pino(jsonLogOptions(level, { service }), destination ?? pino.destination(1));
}

/** Probes and scrapes, every few seconds: not logged as requests. */
const PROBES = /^\/(health|metrics)(\/|\?|$)/;

/** Request headers that carry credentials, replaced by "[Redacted]" in request logs. */
const CREDENTIALS = ['authorization', 'proxy-authorization', 'cookie'].map(
  (name) => `req.headers["${name}"]`,
);

function header(request: IncomingMessage, name: string): string | undefined {
  const value = request.headers[name];
  return (Array.isArray(value) ? value[0] : value) || undefined;
}

/** The request's X-Correlation-Id (else X-Request-Id, else a new id), on every line logged for it. */
function correlationId(request: IncomingMessage): string {
  return header(request, 'x-correlation-id') ?? header(request, 'x-request-id') ?? randomUUID();
}

/** What a service logs requests with: an Express middleware, and the Nest module over the same logger. */
export interface RequestLogging {
  /** pino-http: mount it first, so that requests refused while their body is read are logged too. */
  middleware: HttpLogger;
  /** nestjs-pino: Nest's logs and ours through `logger`, those made while serving a request through its child. */
  module: DynamicModule;
}

/**
 * One line per request when its response is sent (method, path, headers, status, time taken,
 * `correlation_id`). No bodies and no query strings (they may hold personal data), no client
 * address; credentials are redacted. Lines logged while a request is served carry its
 * `correlation_id` too.
 */
export function requestLogging(logger: Logger): RequestLogging {
  const middleware = pinoHttp({
    logger,
    genReqId: correlationId,
    quietReqLogger: true,
    customAttributeKeys: { reqId: 'correlation_id' },
    autoLogging: { ignore: (request) => PROBES.test(request.url ?? '') },
    customLogLevel: (_request, response, error) => (error || response.statusCode >= 500 ? 'error' : 'info'),
    serializers: {
      req: (request: { method: string; url: string; headers: Record<string, unknown> }) => ({
        method: request.method,
        path: request.url.split('?')[0],
        headers: { ...request.headers },
      }),
      res: (response: { statusCode: number }) => ({ statusCode: response.statusCode }),
    },
    redact: CREDENTIALS,
  });
  // `useExisting`: nestjs-pino takes each request's logger from the middleware above.
  return { middleware, module: LoggerModule.forRoot({ pinoHttp: { logger }, useExisting: true }) };
}
