/**
 * Starts the OpenTelemetry SDK before anything else is loaded, so that http, express, NestJS and
 * pg are instrumented. Load it with `node --require @crm/service-kit/dist/telemetry/otel.preload.js`.
 *
 * Spans are always created (so that trace context reaches event metadata and Kafka headers);
 * they are exported over OTLP/HTTP only when OTEL_EXPORTER_OTLP_ENDPOINT or
 * OTEL_EXPORTER_OTLP_TRACES_ENDPOINT is set. OTEL_SDK_DISABLED=true turns it all off.
 *
 * Only the instrumentations the services use are loaded (the auto-instrumentation bundle costs
 * tens of MB of memory). Kafka spans come from @crm/messaging itself, parented on the trace context
 * stored with each event; kafkajs instrumentation would overwrite that traceparent header.
 */
import { NodeSDK, tracing } from '@opentelemetry/sdk-node';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { ExpressInstrumentation } from '@opentelemetry/instrumentation-express';
import { NestInstrumentation } from '@opentelemetry/instrumentation-nestjs-core';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';

class DiscardingSpanProcessor implements tracing.SpanProcessor {
  onStart(): void {}
  onEnd(): void {}
  async forceFlush(): Promise<void> {}
  async shutdown(): Promise<void> {}
}

function start(): NodeSDK | undefined {
  if (process.env.OTEL_SDK_DISABLED === 'true') return undefined;
  const exporting = Boolean(
    process.env.OTEL_EXPORTER_OTLP_ENDPOINT || process.env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT,
  );
  const sdk = new NodeSDK({
    spanProcessors: [
      exporting
        ? new tracing.BatchSpanProcessor(new OTLPTraceExporter(), { scheduledDelayMillis: 500 })
        : new DiscardingSpanProcessor(),
    ],
    instrumentations: [
      new HttpInstrumentation({
        ignoreIncomingRequestHook: (req) => /^\/(health|metrics)/.test(req.url ?? ''),
      }),
      new ExpressInstrumentation(),
      new NestInstrumentation(),
      new PgInstrumentation(),
    ],
  });
  sdk.start();
  const shutdown = () => void sdk.shutdown().catch(() => undefined);
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
  return sdk;
}

export const telemetry = start();
