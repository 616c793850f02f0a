import { SpanKind, trace } from '@opentelemetry/api';
import { extractTraceContext, injectSpanContext, messagingTracer } from './trace-context';

// No OpenTelemetry SDK is registered in unit tests: everything must be a harmless no-op.
describe('trace context without an SDK', () => {
  const traceparent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';

  it('creates non-recording spans and leaves the headers alone', () => {
    const parent = extractTraceContext({ traceparent });
    const span = messagingTracer().startSpan('t publish', { kind: SpanKind.PRODUCER }, parent);
    expect(span.isRecording()).toBe(false);
    const headers: Record<string, string> = { traceparent };
    injectSpanContext(span, headers);
    expect(headers).toEqual({ traceparent });
    span.end();
    expect(trace.getSpan(parent)).toBeUndefined();
  });
});
