import {
  SpanKind,
  SpanStatusCode,
  context,
  trace,
  type Attributes,
  type Context,
  type Span,
} from '@opentelemetry/api';
import type { CloudEvent } from '@crm/contracts';
import type { IncomingMessage } from '../message-bus.port';
import { extractTraceContext, messagingTracer } from './trace-context';

/** The messaging attributes of a CONSUMER span processing records of `message`'s partition. */
export function processAttributes(message: IncomingMessage, groupId: string): Attributes {
  return {
    'messaging.system': 'kafka',
    'messaging.operation.type': 'process',
    'messaging.destination.name': message.topic,
    'messaging.consumer.group.name': groupId,
    'messaging.destination.partition.id': String(message.partition),
    'messaging.kafka.offset': Number(message.offset),
  };
}

/** The attributes naming the one event a span processes. */
export const eventAttributes = (event: Pick<CloudEvent, 'id' | 'type'>): Attributes => ({
  'messaging.message.id': event.id,
  'cloudevents.event_id': event.id,
  'cloudevents.event_type': event.type,
});

/** Runs `run` with `span` active under `parent`; a failure is recorded on the span and rethrown; the span ends. */
export async function runInSpan(span: Span, parent: Context, run: () => Promise<void>): Promise<void> {
  try {
    await context.with(trace.setSpan(parent, span), run);
  } catch (error) {
    span.recordException(error instanceof Error ? error : String(error));
    span.setStatus({ code: SpanStatusCode.ERROR });
    throw error;
  } finally {
    span.end();
  }
}

/**
 * Runs `run` in a CONSUMER span whose parent is the producer's trace context from the message
 * headers (OpenTelemetry messaging conventions); a failure is recorded on the span and rethrown.
 */
export async function inConsumerSpan(
  message: IncomingMessage,
  event: CloudEvent,
  groupId: string,
  run: () => Promise<void>,
): Promise<void> {
  const parent = extractTraceContext(message.headers);
  const span = messagingTracer().startSpan(
    `${message.topic} process`,
    {
      kind: SpanKind.CONSUMER,
      attributes: { ...processAttributes(message, groupId), ...eventAttributes(event) },
    },
    parent,
  );
  await runInSpan(span, parent, run);
}
