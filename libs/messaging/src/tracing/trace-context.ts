import {
  ROOT_CONTEXT,
  propagation,
  trace,
  type Context,
  type Span,
  type TextMapGetter,
  type TextMapSetter,
  type Tracer,
} from '@opentelemetry/api';

/** Instrumentation scope name of every span this library creates. */
export const TRACER_NAME = '@crm/messaging';

/** The library's tracer (a no-op one until an OpenTelemetry SDK is registered). */
export function messagingTracer(): Tracer {
  return trace.getTracer(TRACER_NAME);
}

/** A carrier of string headers, e.g. Kafka record headers. */
export type HeaderCarrier = Record<string, string | undefined>;

const getter: TextMapGetter<HeaderCarrier> = {
  keys: (carrier) => Object.keys(carrier),
  get: (carrier, key) => carrier[key] ?? carrier[key.toLowerCase()],
};

const setter: TextMapSetter<Record<string, string>> = {
  set: (carrier, key, value) => {
    carrier[key] = value;
  },
};

/**
 * The context a W3C trace context (traceparent/tracestate) describes, on top of the root context.
 * Uses the globally registered propagator: without an SDK it is the root context.
 */
export function extractTraceContext(carrier: HeaderCarrier): Context {
  return propagation.extract(ROOT_CONTEXT, carrier, getter);
}

/** Writes the span's W3C trace context into the headers (a no-op without a registered propagator). */
export function injectSpanContext(span: Span, headers: Record<string, string>): void {
  propagation.inject(trace.setSpan(ROOT_CONTEXT, span), headers, setter);
}
