import type { EventMetadata } from './metadata';

/**
 * CloudEvents 1.0 over the Kafka protocol binding, binary content mode: the event data is the
 * message value (JSON), the attributes are `ce_`-prefixed headers. See
 * https://github.com/cloudevents/spec/blob/v1.0.2/cloudevents/bindings/kafka-protocol-binding.md
 */
export interface CloudEvent<T = unknown> {
  specversion: '1.0';
  id: string;
  source: string;
  type: string;
  subject: string;
  time: string;
  datacontenttype: 'application/json';
  data: T;
  /** Extensions (lower-case alphanumeric names, as the spec requires). */
  customerid: string;
  correlationid: string;
  causationid: string;
  /** Position of the event in its aggregate's stream (0-based). */
  sequence: string;
  traceparent?: string;
  tracestate?: string;
}

/** The `type` attribute: `crm.<context>.<EventType>.v<schemaVersion>`. */
export function cloudEventType(context: string, eventType: string, schemaVersion: number): string {
  return `crm.${context}.${eventType}.v${schemaVersion}`;
}

/** Parses `crm.<context>.<EventType>.v<n>` back into its parts; undefined for foreign types. */
export function parseCloudEventType(
  type: string,
): { context: string; eventType: string; schemaVersion: number } | undefined {
  const match = /^crm\.([a-z0-9-]+)\.([A-Za-z0-9]+)\.v(\d+)$/.exec(type);
  if (!match) return undefined;
  return { context: match[1], eventType: match[2], schemaVersion: Number(match[3]) };
}

export interface StoredEventLike {
  id: string;
  type: string;
  streamId: string;
  revision: number;
  data: unknown;
  metadata: EventMetadata;
}

export function toCloudEvent(context: string, event: StoredEventLike, subject: string): CloudEvent {
  const m = event.metadata;
  return {
    specversion: '1.0',
    id: event.id,
    source: `/crm/${context}`,
    type: cloudEventType(context, event.type, m.schemaVersion),
    subject,
    time: m.occurredAt,
    datacontenttype: 'application/json',
    data: event.data,
    customerid: m.customerId,
    correlationid: m.correlationId,
    causationid: m.causationId,
    sequence: String(event.revision),
    ...(m.traceparent ? { traceparent: m.traceparent } : {}),
    ...(m.tracestate ? { tracestate: m.tracestate } : {}),
  };
}

export interface KafkaRecord {
  key: string;
  value: Buffer;
  headers: Record<string, string>;
}

const ATTRIBUTES = [
  'specversion',
  'id',
  'source',
  'type',
  'subject',
  'time',
  'customerid',
  'correlationid',
  'causationid',
  'sequence',
  'traceparent',
  'tracestate',
] as const;

/** Binary mode: key = the aggregate id (subject), so one customer's events stay in order. */
export function cloudEventToKafka(event: CloudEvent): KafkaRecord {
  const headers: Record<string, string> = { 'content-type': event.datacontenttype };
  for (const name of ATTRIBUTES) {
    const value = event[name];
    if (value !== undefined) headers[`ce_${name}`] = value;
  }
  // The plain W3C header too, so that tracing tools that know nothing of CloudEvents still link.
  if (event.traceparent) headers.traceparent = event.traceparent;
  if (event.tracestate) headers.tracestate = event.tracestate;
  return { key: event.subject, value: Buffer.from(JSON.stringify(event.data)), headers };
}

export class NotACloudEventError extends Error {
  constructor(reason: string) {
    super(`not a CloudEvent: ${reason}`);
  }
}

export function cloudEventFromKafka(
  headers: Record<string, Buffer | string | undefined>,
  value: Buffer | null,
): CloudEvent {
  const h = (name: string): string | undefined => {
    const raw = headers[name];
    return raw === undefined ? undefined : raw.toString();
  };
  if (h('ce_specversion') !== '1.0') throw new NotACloudEventError('missing ce_specversion 1.0');
  const required = (name: string): string => {
    const v = h(`ce_${name}`);
    if (v === undefined) throw new NotACloudEventError(`missing ce_${name}`);
    return v;
  };
  return {
    specversion: '1.0',
    id: required('id'),
    source: required('source'),
    type: required('type'),
    subject: required('subject'),
    time: required('time'),
    datacontenttype: 'application/json',
    data: value && value.length > 0 ? JSON.parse(value.toString()) : null,
    customerid: required('customerid'),
    correlationid: required('correlationid'),
    causationid: required('causationid'),
    sequence: required('sequence'),
    traceparent: h('ce_traceparent') ?? h('traceparent'),
    tracestate: h('ce_tracestate') ?? h('tracestate'),
  };
}
