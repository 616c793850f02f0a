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

/** The string attributes of a {@link CloudEvent} (everything but its data). */
type Attribute = Exclude<keyof CloudEvent, 'data'>;

/** A Kafka header we write: the attribute it carries and the JSON Schema of its value. */
export interface KafkaHeader {
  name: string;
  attribute: Attribute;
  required: boolean;
  description: string;
  schema: { type: 'string' } & Record<string, unknown>;
}

/** `ce_sequence`: the 0-based revision of the event in its aggregate's stream, in decimal. */
export const SEQUENCE_PATTERN = '^\\d{1,15}$';
const SEQUENCE = new RegExp(SEQUENCE_PATTERN);
const TRACEPARENT_PATTERN = '^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$';
const text = { type: 'string', minLength: 1 } as const;

/**
 * Every header of a record, in the order they are written: the writer below and the AsyncAPI
 * document (`asyncapi/asyncapi-document.ts`) both follow this one list.
 */
export const KAFKA_HEADERS: readonly KafkaHeader[] = [
  {
    name: 'content-type',
    attribute: 'datacontenttype',
    required: true,
    description: 'The CloudEvents `datacontenttype`: the record value is the event data as JSON',
    schema: { type: 'string', const: 'application/json' },
  },
  {
    name: 'ce_specversion',
    attribute: 'specversion',
    required: true,
    description: 'CloudEvents version',
    schema: { type: 'string', const: '1.0' },
  },
  {
    name: 'ce_id',
    attribute: 'id',
    required: true,
    description:
      'Unique id of the event (a UUID), the same on every delivery: the idempotency key of at-least-once delivery',
    schema: text,
  },
  {
    name: 'ce_source',
    attribute: 'source',
    required: true,
    description: 'The context that published the event: `/crm/<context>`',
    schema: { type: 'string', pattern: '^/crm/[a-z0-9-]+$' },
  },
  {
    name: 'ce_type',
    attribute: 'type',
    required: true,
    description: 'Event type and schema version of the data: `crm.<context>.<EventType>.v<version>`',
    schema: { type: 'string', pattern: '^crm\\.[a-z0-9-]+\\.[A-Za-z0-9]+\\.v\\d+$' },
  },
  {
    name: 'ce_subject',
    attribute: 'subject',
    required: true,
    description: 'Id of the aggregate that recorded the event; also the record key',
    schema: text,
  },
  {
    name: 'ce_time',
    attribute: 'time',
    required: true,
    description: 'When the fact happened (RFC 3339)',
    schema: { type: 'string', format: 'date-time' },
  },
  {
    name: 'ce_customerid',
    attribute: 'customerid',
    required: true,
    description: 'Extension: the customer the fact is about, one identity across every context',
    schema: text,
  },
  {
    name: 'ce_correlationid',
    attribute: 'correlationid',
    required: true,
    description: 'Extension: shared by every event that one user action led to, across services',
    schema: text,
  },
  {
    name: 'ce_causationid',
    attribute: 'causationid',
    required: true,
    description: 'Extension: id of the command or event that directly caused this event',
    schema: text,
  },
  {
    name: 'ce_sequence',
    attribute: 'sequence',
    required: true,
    description: "Extension: 0-based position of the event in its aggregate's stream, in decimal",
    schema: { type: 'string', pattern: SEQUENCE_PATTERN },
  },
  {
    name: 'ce_traceparent',
    attribute: 'traceparent',
    required: false,
    description: 'Extension (Distributed Tracing): W3C trace context of the request that caused the event',
    schema: { type: 'string', pattern: TRACEPARENT_PATTERN },
  },
  {
    name: 'ce_tracestate',
    attribute: 'tracestate',
    required: false,
    description: 'Extension (Distributed Tracing): W3C vendor trace state',
    schema: { type: 'string' },
  },
  {
    name: 'traceparent',
    attribute: 'traceparent',
    required: false,
    description: 'The plain W3C header too, for tracing tools that know nothing of CloudEvents',
    schema: { type: 'string', pattern: TRACEPARENT_PATTERN },
  },
  {
    name: 'tracestate',
    attribute: 'tracestate',
    required: false,
    description: 'The plain W3C header too',
    schema: { type: 'string' },
  },
];

/*
 * Why not the CloudEvents SDK (`cloudevents` 10: `new CloudEvent()`, `Kafka.binary`, `Kafka.toEvent`)?
 * Its Kafka reader accepts what we write, and the tests read our topics with it
 * (`cloudevents.spec.ts`, `@crm/test-support` `readPublishedEvent`). As our own mapping, though:
 * - `Kafka.binary` also writes `ce_datacontenttype` (the binding maps it to `content-type` only),
 *   `ce_partitionkey`, and headers whose value is `undefined` (`ce_dataschema`, `ce_schemaurl`,
 *   `ce_datacontentencoding`), and leaves the value as the data object for us to serialise;
 * - `Kafka.toEvent` reads with validation off: a record without `ce_id` gets a fresh random id and
 *   one without `ce_time` the current time (our consumers must dead-letter those), it does not check
 *   `ce_sequence`, and it throws a TypeError on the Buffer header values kafkajs hands over;
 * - its `CloudEvent` is a frozen class with an index signature, so the typed attributes the
 *   projections read would need casts.
 * So the writer and the reader stay these few lines, checked against the SDK in the tests.
 */

/** Binary mode: key = the aggregate id (subject), so one customer's events stay in order. */
export function cloudEventToKafka(event: CloudEvent): KafkaRecord {
  const headers: Record<string, string> = {};
  for (const { name, attribute } of KAFKA_HEADERS) {
    const value = event[attribute];
    if (value !== undefined) headers[name] = value;
  }
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
    if (v === undefined || v === '') throw new NotACloudEventError(`missing ce_${name}`);
    return v;
  };
  const time = required('time');
  if (Number.isNaN(Date.parse(time))) throw new NotACloudEventError(`ce_time is not a timestamp: ${time}`);
  const sequence = required('sequence');
  if (!SEQUENCE.test(sequence)) throw new NotACloudEventError(`ce_sequence is not a revision: ${sequence}`);
  let data: unknown = null;
  if (value && value.length > 0) {
    try {
      data = JSON.parse(value.toString());
    } catch {
      throw new NotACloudEventError('the value is not JSON');
    }
  }
  return {
    specversion: '1.0',
    id: required('id'),
    source: required('source'),
    type: required('type'),
    subject: required('subject'),
    time,
    datacontenttype: 'application/json',
    data,
    customerid: required('customerid'),
    correlationid: required('correlationid'),
    causationid: required('causationid'),
    sequence,
    traceparent: h('ce_traceparent') ?? h('traceparent'),
    tracestate: h('ce_tracestate') ?? h('tracestate'),
  };
}
