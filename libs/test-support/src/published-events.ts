import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { CloudEvent, Kafka as CloudEventsKafka, type CloudEventV1 } from 'cloudevents';
import { Kafka, logLevel, type Consumer, type KafkaMessage } from 'kafkajs';

/**
 * Our topics read the way an integrator would, independently of the platform's own code: records
 * through the CNCF CloudEvents SDK's Kafka binding, then checked against the AsyncAPI document
 * checked in at libs/contracts/asyncapi.json (the message whose `ce_type` const is the record's,
 * its headers schema and its payload schema).
 */
const ASYNCAPI_FILE = join(__dirname, '..', '..', 'contracts', 'asyncapi.json');

type Schema = { [keyword: string]: unknown };
interface AsyncApiMessage {
  headers: Schema;
  payload: Schema;
}
interface AsyncApi {
  channels: Record<string, { address: string; messages: Record<string, AsyncApiMessage> }>;
}

/** An event on one of our topics, as the SDK read it, that fits its AsyncAPI message. */
export interface PublishedEvent {
  /** The CloudEvent (validated by the SDK): `type`, `subject`, `data`, extensions (`customerid`, ...). */
  event: CloudEventV1<unknown>;
  /** The AsyncAPI message it is: `<channel>/<message>`, e.g. `leadsEvents/LeadCapturedV1`. */
  message: string;
  key: string;
  offset: string;
  /** The record as kafkajs delivered it. */
  record: KafkaMessage;
}

interface Checks {
  message: string;
  headers: ValidateFunction;
  payload: ValidateFunction;
}

let loaded: { byType: Map<string, Checks>; deadLetter: ValidateFunction } | undefined;

/** The `const` a schema (or one of its `allOf` parts) gives `property`. */
function constOf(schema: Schema, property: string): unknown {
  const own = (schema.properties as Record<string, Schema> | undefined)?.[property]?.const;
  if (own !== undefined) return own;
  return ((schema.allOf as Schema[] | undefined) ?? []).map((s) => constOf(s, property)).find((c) => c);
}

function load() {
  if (loaded) return loaded;
  const document = JSON.parse(readFileSync(ASYNCAPI_FILE, 'utf8')) as AsyncApi;
  const ajv = addFormats(new Ajv({ strict: false, allErrors: true }), ['uuid', 'date-time']);
  ajv.addSchema(document, 'asyncapi.json');
  const at = (pointer: string) => ajv.compile({ $ref: `asyncapi.json#${pointer}` });
  const byType = new Map<string, Checks>();
  let deadLetter: ValidateFunction | undefined;
  for (const [channel, { messages }] of Object.entries(document.channels)) {
    for (const [id, message] of Object.entries(messages)) {
      const base = `/channels/${channel}/messages/${id}`;
      const type = constOf(message.headers, 'ce_type');
      if (typeof type === 'string')
        byType.set(type, {
          message: `${channel}/${id}`,
          headers: at(`${base}/headers`),
          payload: at(`${base}/payload`),
        });
      else deadLetter ??= at(`${base}/headers`);
    }
  }
  if (!deadLetter) throw new Error(`${ASYNCAPI_FILE} describes no dead-letter message`);
  loaded = { byType, deadLetter };
  return loaded;
}

const explain = (errors: ErrorObject[] | null | undefined) =>
  (errors ?? [])
    .map((e) =>
      e.keyword === 'required'
        ? `${e.instancePath}/${String(e.params.missingProperty)} is required`
        : `${e.instancePath || '/'} ${e.message}`,
    )
    .join('; ');

/** Header values as strings, as the SDK expects them (kafkajs hands over Buffers). */
function stringHeaders(record: KafkaMessage): Record<string, string> {
  return Object.fromEntries(
    Object.entries(record.headers ?? {}).flatMap(([name, value]) =>
      value === undefined ? [] : [[name, Array.isArray(value) ? value.join(',') : value.toString()]],
    ),
  );
}

/**
 * Reads a record of one of our events topics with the CloudEvents SDK and checks it against the
 * AsyncAPI document; throws saying what does not fit.
 */
export function readPublishedEvent(record: KafkaMessage): PublishedEvent {
  const headers = stringHeaders(record);
  const key = record.key?.toString() ?? '';
  const where = `record at offset ${record.offset} (key ${key})`;
  const message = { key, value: record.value, headers, body: record.value };
  if (!CloudEventsKafka.isEvent(message)) throw new Error(`${where}: not a CloudEvent for the SDK`);
  let event: CloudEventV1<unknown>;
  try {
    const read = CloudEventsKafka.toEvent(message);
    if (Array.isArray(read) || !(read instanceof CloudEvent)) throw new Error('a batch');
    read.validate();
    event = read;
  } catch (error) {
    throw new Error(`${where}: the SDK refuses it: ${(error as Error).message}`);
  }
  const checks = load().byType.get(event.type);
  if (!checks) throw new Error(`${where}: no AsyncAPI message has ce_type ${event.type}`);
  const problems = [
    checks.headers(headers) ? '' : `headers: ${explain(checks.headers.errors)}`,
    checks.payload(event.data) ? '' : `payload: ${explain(checks.payload.errors)}`,
    key === event.subject ? '' : `key ${key} is not ce_subject ${event.subject}`,
  ].filter(Boolean);
  if (problems.length > 0) throw new Error(`${where} does not fit ${checks.message}: ${problems.join('; ')}`);
  return { event, message: checks.message, key, offset: record.offset, record };
}

/** Why a record of a `.dlq` topic does not fit the document's dead-letter message (empty: it fits). */
export function deadLetterMisfit(record: KafkaMessage): string {
  const { deadLetter } = load();
  return deadLetter(stringHeaders(record)) ? '' : explain(deadLetter.errors);
}

/** Follows an events topic from offset 0: each record read by {@link readPublishedEvent}. */
export class PublishedEventsReader {
  /** The records that fit, in the order they arrived. */
  readonly events: PublishedEvent[] = [];
  /** The records that did not, each with why. */
  readonly rejected: { record: KafkaMessage; reason: string }[] = [];

  private constructor(private readonly consumer: Consumer) {}

  static async follow(brokers: string[], topic: string): Promise<PublishedEventsReader> {
    const kafka = new Kafka({ clientId: 'e2e-integrator', brokers, logLevel: logLevel.NOTHING });
    const consumer = kafka.consumer({ groupId: `e2e-integrator-${randomUUID()}`, maxWaitTimeInMs: 100 });
    const reader = new PublishedEventsReader(consumer);
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({ eachMessage: async ({ message }) => reader.add(message) });
    return reader;
  }

  /** The events of this CloudEvents type (`crm.leads.LeadConverted.v1`). */
  ofType(type: string): PublishedEvent[] {
    return this.events.filter((e) => e.event.type === type);
  }

  stop(): Promise<void> {
    return this.consumer.disconnect();
  }

  private add(record: KafkaMessage): void {
    try {
      this.events.push(readPublishedEvent(record));
    } catch (error) {
      this.rejected.push({ record, reason: (error as Error).message });
    }
  }
}
