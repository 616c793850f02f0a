import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { KAFKA_HEADERS, cloudEventType } from '../cloudevents';
import { publishedSchemas, type JsonSchema } from '../compatibility/published-schemas';
import { eventsTopic, type BoundedContext } from '../topics';
import { PUBLISHERS, type ContractEventType } from '../validation/event-contracts';
import { EVENT_SUMMARIES } from './event-summaries';

/** An AsyncAPI 3.0 document as plain JSON. */
export interface AsyncApiDocument {
  asyncapi: '3.0.0';
  info: { title: string; version: string; description: string };
  defaultContentType: 'application/json';
  channels: Record<string, JsonSchema>;
  operations: Record<string, JsonSchema>;
  components: { schemas: Record<string, JsonSchema> };
}

export interface AsyncApiOptions {
  /** Only the channels of these contexts (a service serves its own); default: {@link PUBLISHING_CONTEXTS}. */
  contexts?: readonly BoundedContext[];
  /** The topic of a context in this deployment; default `crm.<context>.events`. */
  topic?: (context: BoundedContext) => string;
}

/**
 * The contexts with a topic of their own today: those that publish an event type no other context
 * does. (A lifecycle stage event alone does not make one: service desk and analytics own stages but
 * publish nothing yet.)
 */
export const PUBLISHING_CONTEXTS = [
  ...new Set(Object.values(PUBLISHERS).flatMap((contexts) => (contexts.length === 1 ? contexts : []))),
] as BoundedContext[];

const DESCRIPTION = `Every change to a customer is an event, published as a CloudEvent 1.0 on the topic of the
context that decided it (\`crm.<context>.events\`; a deployment may prefix every topic name), in the
binary content mode of the CloudEvents Kafka binding: the record value is the event data as JSON, the
CloudEvents attributes are \`ce_\`-prefixed headers, and \`ce_type\` names the event type and the version
of its data schema (\`crm.<context>.<EventType>.v<n>\`).

- **Ordering**: the record key is the id of the aggregate that recorded the event (also \`ce_subject\`);
  the events of one aggregate are on one partition, in the order they happened (\`ce_sequence\`).
  There is no order across aggregates.
- **Delivery**: at least once. A record can arrive more than once; \`ce_id\` is the same on every
  delivery: use it as the idempotency key.
- **Replay**: topics keep events for ever (\`retention.ms\` -1); a new consumer group reading from
  offset 0 sees the whole history.
- **Versions**: a change that could break a reader publishes a new version of the type (a new
  \`ce_type\`); a published version only ever gains optional fields and enum values, so readers must
  ignore fields they do not know and expect enum values they do not know yet. Old versions stay on
  the topics for ever.
- **Dead letters**: records a consumer of a topic could not apply are copied to \`<topic>.dlq\`.`;

const KAFKA_BINDING = '0.5.0';

/** `service-desk` → `serviceDesk`; `leads` → `Leads` with `upper`. */
function camel(context: string, upper = false): string {
  const name = context.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());
  return upper ? name.charAt(0).toUpperCase() + name.slice(1) : name;
}

/** `CustomerLifecycleStageReached` → `Customer lifecycle stage reached`. */
function words(type: string): string {
  const spaced = type.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase();
  return spaced.charAt(0).toUpperCase() + spaced.slice(1);
}

let version: string | undefined;
/** The version of `@crm/contracts` (its package.json, beside both `src` and `dist`). */
function contractsVersion(): string {
  version ??= (
    JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as { version: string }
  ).version;
  return version;
}

/** The headers every record has: those we write (see `KAFKA_HEADERS` in `cloudevents.ts`). */
const CLOUD_EVENT_HEADERS: JsonSchema = {
  type: 'object',
  required: KAFKA_HEADERS.filter((h) => h.required).map((h) => h.name),
  properties: Object.fromEntries(
    KAFKA_HEADERS.map(({ name, schema, description }) => [name, { ...schema, description }]),
  ),
};

/** The headers of a record of `type` from `context`: every CloudEvents header, `ce_type` and `ce_source` fixed. */
function headersSchema(context: string, type: string): JsonSchema {
  return {
    allOf: [
      { $ref: '#/components/schemas/CloudEventHeaders' },
      {
        type: 'object',
        properties: { ce_type: { const: type }, ce_source: { const: `/crm/${context}` } },
      },
    ],
  };
}

const KEY = {
  type: 'string',
  minLength: 1,
  description:
    'Id of the aggregate that recorded the event (equal to `ce_subject`): its events stay in order',
};

function message(context: string, type: ContractEventType, schemaVersion: number, schema: string) {
  const ceType = cloudEventType(context, type, schemaVersion);
  return {
    name: type,
    title: `${words(type)} (v${schemaVersion})`,
    summary: EVENT_SUMMARIES[type],
    description: `\`ce_type\` \`${ceType}\`; payload schema version ${schemaVersion}.`,
    contentType: 'application/json',
    headers: headersSchema(context, ceType),
    payload: { $ref: `#/components/schemas/${schema}` },
    correlationId: {
      description: 'Shared by every event that one user action led to, across services',
      location: '$message.header#/ce_correlationid',
    },
    bindings: { kafka: { key: KEY, bindingVersion: KAFKA_BINDING } },
  };
}

/**
 * The `dlq_*` headers as `deadLetterRecord` in libs/messaging writes them (contracts cannot import
 * messaging); apps/pipeline/e2e/poison-records checks real dead letters against this message.
 */
const DEAD_LETTER = {
  name: 'DeadLetter',
  title: 'Dead letter',
  summary: 'A record a consumer of the topic could not apply, as it came, with why.',
  description:
    'Key, value and headers of the original record (which may not be a CloudEvent at all), plus `dlq_*` headers. For operators: parked records are also listed and replayed through `/dead-letters` of the consuming service.',
  headers: {
    type: 'object',
    required: [
      'dlq_reason',
      'dlq_consumer',
      'dlq_topic',
      'dlq_partition',
      'dlq_offset',
      'dlq_error',
      'dlq_time',
    ],
    properties: {
      dlq_reason: { type: 'string', enum: ['invalid-cloudevent', 'contract-violation', 'handler-failed'] },
      dlq_consumer: { type: 'string', description: 'The projection or reaction that parked it' },
      dlq_topic: { type: 'string', description: 'Where the record was read' },
      dlq_partition: { type: 'string', pattern: '^\\d+$' },
      dlq_offset: { type: 'string', pattern: '^\\d+$' },
      dlq_error: { type: 'string', description: 'The last error (at most 2000 characters)' },
      dlq_time: { type: 'string', format: 'date-time', description: 'When it was parked' },
    },
  },
  payload: { description: 'The original record value, unchanged' },
};

const retention = { 'retention.ms': -1, 'retention.bytes': -1, 'cleanup.policy': ['delete'] };

/**
 * The AsyncAPI 3.0 document of the contracts: per context, its events topic (every version of every
 * event type it publishes, with the CloudEvents headers and the record key) and its dead-letter
 * topic. Generated from the contract definitions only: `npm run contracts:generate` writes it to
 * `libs/contracts/asyncapi.json`, and each service serves its own part at `GET /asyncapi.json`.
 */
export function asyncApiDocument(options: AsyncApiOptions = {}): AsyncApiDocument {
  const contexts = options.contexts ?? PUBLISHING_CONTEXTS;
  const topic = options.topic ?? eventsTopic;
  const schemas = publishedSchemas();
  const channels: Record<string, JsonSchema> = {};
  const operations: Record<string, JsonSchema> = {};
  const used: Record<string, JsonSchema> = {};
  for (const context of contexts) {
    const id = `${camel(context)}Events`;
    const messages: Record<string, unknown> = {};
    for (const type of Object.keys(schemas) as ContractEventType[]) {
      if (!PUBLISHERS[type]?.includes(context)) continue;
      for (const [v, schema] of Object.entries(schemas[type])) {
        used[`${type}V${v}`] = schema;
        messages[`${type}V${v}`] = message(context, type, Number(v), `${type}V${v}`);
      }
    }
    const address = topic(context);
    channels[id] = {
      address,
      title: `${context} events`,
      description: `The events the ${context} context publishes, keyed by aggregate id.`,
      messages,
      bindings: { kafka: { topic: address, topicConfiguration: retention, bindingVersion: KAFKA_BINDING } },
    };
    channels[`${camel(context)}DeadLetters`] = {
      address: `${address}.dlq`,
      title: `${context} dead letters`,
      description: `Records of \`${address}\` that one of its consumers could not apply (not CloudEvents, data breaking its contract, or failing the consumer), for operators.`,
      messages: { DeadLetter: DEAD_LETTER },
      bindings: {
        kafka: { topic: `${address}.dlq`, topicConfiguration: retention, bindingVersion: KAFKA_BINDING },
      },
    };
    operations[`send${camel(context, true)}Events`] = {
      action: 'send',
      channel: { $ref: `#/channels/${id}` },
      title: `${context} publishes its events`,
      summary: `Every event the ${context} context records is published once it is stored, in order per aggregate.`,
      messages: Object.keys(messages).map((key) => ({ $ref: `#/channels/${id}/messages/${key}` })),
    };
  }
  const names = contexts.length === 1 ? `${contexts[0]} events` : 'events';
  return {
    asyncapi: '3.0.0',
    info: { title: `CRM platform ${names}`, version: contractsVersion(), description: DESCRIPTION },
    defaultContentType: 'application/json',
    channels,
    operations,
    components: {
      schemas: {
        CloudEventHeaders: CLOUD_EVENT_HEADERS,
        ...Object.fromEntries(
          Object.keys(used)
            .sort()
            .map((key) => [key, used[key]]),
        ),
      },
    },
  };
}
