import { SpanKind, context, trace, type Link } from '@opentelemetry/api';
import type { IncomingMessage } from '../message-bus.port';
import { eventAttributes, processAttributes, runInSpan } from '../tracing/consumer-span';
import { extractTraceContext, messagingTracer } from '../tracing/trace-context';
import type { DeliveredEvent } from './consumer.types';

/** At most this many producer contexts are linked (OpenTelemetry's default span link limit). */
const MAX_LINKS = 128;

/**
 * Runs `run` in one CONSUMER span for a set of events of one partition (OpenTelemetry messaging
 * conventions for batch processing): the span links the producers' trace contexts from the
 * message headers (the first {@link MAX_LINKS}); a set of one event continues that event's trace
 * as its child, like a per-event span. A failure is recorded on the span and rethrown.
 */
export async function inBatchSpan(
  items: DeliveredEvent[],
  groupId: string,
  run: () => Promise<void>,
): Promise<void> {
  const first: IncomingMessage = items[0].message;
  const tracer = messagingTracer();
  const parents = items.slice(0, MAX_LINKS).map((item) => extractTraceContext(item.message.headers));
  const links: Link[] = [];
  for (const parent of parents) {
    const spanContext = trace.getSpanContext(parent);
    if (spanContext) links.push({ context: spanContext });
  }
  const parent = items.length === 1 ? parents[0] : context.active();
  const span = tracer.startSpan(
    `${first.topic} process`,
    {
      kind: SpanKind.CONSUMER,
      attributes: {
        ...processAttributes(first, groupId),
        'messaging.batch.message_count': items.length,
        ...(items.length === 1 ? eventAttributes(items[0].event) : {}),
      },
      ...(items.length > 1 ? { links } : {}),
    },
    parent,
  );
  await runInSpan(span, parent, run);
}
