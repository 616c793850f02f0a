import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { SwaggerModule } from '@nestjs/swagger';
import { Logger, Module, type DynamicModule, type INestApplication } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Logger as PinoNestLogger } from 'nestjs-pino';
import pino, { type Logger as PinoLogger } from 'pino';
import { installAuth } from './auth/install';
import { loadConfig, type ServiceConfig } from './config/service-config';
import { DomainExceptionFilter } from './http/domain-exception.filter';
import { jsonBody, readsBody } from './http/json-body';
import { createOpenApiDocument, type ApiDescription } from './http/openapi';
import { rateLimitModules } from './http/rate-limit';
import { applyHttpSecurity } from './http/security';
import { createValidationPipe } from './http/validation.pipe';
import { createServiceLogger, requestLogging } from './logging/json-logger';
import { prepareEventConsumers } from './platform/platform.module';

export interface ServiceDescription extends ApiDescription {
  /** Service name, as in logs and traces (e.g. "leads"). */
  name: string;
}

/**
 * Node prints process warnings as plain text on stderr; send them through the JSON log instead.
 * kafkajs 2.2.4 sets a negative timeout in its request queue on Node 24 (harmless, once per
 * process): that one is dropped.
 */
function routeProcessWarnings(logger: PinoLogger) {
  process.removeAllListeners('warning');
  process.on('warning', (warning) => {
    if (warning.name === 'TimeoutNegativeWarning') return;
    logger.warn({ context: 'process', warning: warning.name }, warning.message);
  });
}

/** The root of a service's modules: its own, request logging over its logger, health checks. */
@Module({})
class ServiceRootModule {}

/**
 * The HTTP edge every service shares: JSON logs (requests included), security headers, CORS and
 * a rate limit per client (see http/security.ts, http/rate-limit.ts), body parsing, validation,
 * error mapping, OpenAPI, shutdown hooks. Bodies are JSON only: Nest's parsers (JSON and
 * urlencoded) are replaced by one that reads `application/json` as text within HTTP_BODY_LIMIT
 * (413 beyond it), and `jsonBody` parses it and refuses other media types, malformed or too deep
 * JSON and prototype keys. The one exception is RFC 8058's one-click unsubscribe form on
 * `/unsubscribe/<token>` routes (see json-body.ts).
 */
export async function createServiceApp(
  module: unknown,
  service: ServiceDescription,
  config: ServiceConfig,
): Promise<INestApplication> {
  const logger = createServiceLogger(service.name, config.LOG_LEVEL);
  routeProcessWarnings(logger);
  const requests = requestLogging(logger);
  const root: DynamicModule = {
    module: ServiceRootModule,
    imports: [requests.module, ...rateLimitModules(config), module as DynamicModule],
  };
  const app = await NestFactory.create<NestExpressApplication>(root, { bufferLogs: true, bodyParser: false });
  app.useLogger(app.get(PinoNestLogger));
  // What was logged while the modules were created, now; what comes next, when it happens.
  app.flushLogs();
  app.use(requests.middleware);
  applyHttpSecurity(app, config);
  app.useBodyParser('text', { type: readsBody, limit: config.HTTP_BODY_LIMIT });
  app.use(jsonBody());
  app.useGlobalPipes(createValidationPipe());
  app.useGlobalFilters(new DomainExceptionFilter());
  app.enableShutdownHooks();
  // Every route's bearer token and roles (auth/install.ts); the document says which need what.
  const auth = installAuth(app, config);
  SwaggerModule.setup('docs', app, auth.describe(createOpenApiDocument(app, service)), {
    jsonDocumentUrl: 'docs-json',
  });
  return app;
}

export async function startService(module: unknown, service: ServiceDescription, config: ServiceConfig) {
  const app = await createServiceApp(module, service, config);
  const startConsumers = await prepareEventConsumers(app);
  // Commands and probes answer while the consumers join their groups (readiness waits for them).
  await app.listen(config.PORT, '0.0.0.0');
  new Logger('bootstrap').log({ msg: `${service.name} listening`, port: config.PORT });
  await startConsumers();
  return app;
}

/**
 * A service's whole `main`: validated config, the module built from it, the HTTP app started.
 * A failure to start is one JSON line on stderr and exit code 1.
 */
export function runService<C extends ServiceConfig>(
  Config: new () => C,
  module: (config: C) => unknown,
  service: ServiceDescription,
  check: (config: C) => void = () => undefined,
): void {
  const start = async () => {
    const config = loadConfig(Config);
    check(config);
    await startService(module(config), service, config);
  };
  start().catch((error: unknown) => {
    const stderr = pino.destination({ fd: 2, sync: true });
    createServiceLogger(service.name, 'error', stderr).error({ err: error }, 'failed to start');
    process.exit(1);
  });
}
