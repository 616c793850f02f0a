import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { Logger, type INestApplication } from '@nestjs/common';
import { loadConfig, type ServiceConfig } from './config/service-config';
import { DomainExceptionFilter } from './http/domain-exception.filter';
import { createValidationPipe } from './http/validation.pipe';
import { JsonLogger } from './logging/json-logger';

export interface ServiceDescription {
  /** Service name, as in logs and traces (e.g. "leads"). */
  name: string;
  title: string;
  description: string;
  version: string;
}

/**
 * Node prints process warnings as plain text on stderr; send them through the JSON log instead.
 * kafkajs 2.2.4 sets a negative timeout in its request queue on Node 24 (harmless, once per
 * process): that one is dropped.
 */
function routeProcessWarnings(logger: JsonLogger) {
  process.removeAllListeners('warning');
  process.on('warning', (warning) => {
    if (warning.name === 'TimeoutNegativeWarning') return;
    logger.warn({ msg: warning.message, warning: warning.name }, 'process');
  });
}

/** The HTTP edge every service shares: JSON logs, validation, error mapping, OpenAPI, shutdown hooks. */
export async function createServiceApp(
  module: unknown,
  service: ServiceDescription,
  config: ServiceConfig,
): Promise<INestApplication> {
  const logger = new JsonLogger(service.name, config.LOG_LEVEL);
  routeProcessWarnings(logger);
  const app = await NestFactory.create(module as never, { logger, bufferLogs: true });
  app.useLogger(logger);
  app.useGlobalPipes(createValidationPipe());
  app.useGlobalFilters(new DomainExceptionFilter());
  app.enableShutdownHooks();
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle(service.title)
      .setDescription(service.description)
      .setVersion(service.version)
      .build(),
  );
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json' });
  return app;
}

export async function startService(module: unknown, service: ServiceDescription, config: ServiceConfig) {
  const app = await createServiceApp(module, service, config);
  await app.listen(config.PORT, '0.0.0.0');
  new Logger('bootstrap').log({ msg: `${service.name} listening`, port: config.PORT });
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
    process.stderr.write(
      JSON.stringify({
        time: new Date().toISOString(),
        level: 'error',
        service: service.name,
        msg: 'failed to start',
        error: String(error),
      }) + '\n',
    );
    process.exit(1);
  });
}
