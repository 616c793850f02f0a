import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Parser } from '@asyncapi/parser';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { cloudEventToKafka, toCloudEvent } from '../cloudevents';
import { CONTRACT_FILES, REGENERATE_COMMAND } from '../compatibility/contract-files';
import { EVENT_CONTRACTS, PUBLISHERS } from '../validation/event-contracts';
import { asyncApiDocument, type AsyncApiDocument } from './asyncapi-document';

const CONTRACTS_DIR = join(__dirname, '..', '..');
const parser = new Parser();

/** Diagnostics of `@asyncapi/parser` (severity 0 = error, 1 = warning, 2 = information, 3 = hint). */
async function diagnostics(document: AsyncApiDocument | object) {
  const { diagnostics } = await parser.parse(JSON.parse(JSON.stringify(document)));
  return diagnostics.map((d) => ({
    severity: d.severity,
    code: d.code,
    message: d.message,
    path: d.path.join('/'),
  }));
}

type Messages = Record<string, { name: string; headers: { allOf: [object, { properties: object }] } }>;
const messagesOf = (document: AsyncApiDocument, channel: string) =>
  (document.channels[channel] as { messages: Messages }).messages;
const ceTypes = (document: AsyncApiDocument, channel: string) =>
  Object.values(messagesOf(document, channel)).map(
    (m) => (m.headers.allOf[1].properties as { ce_type: { const: string } }).ce_type.const,
  );

describe('AsyncAPI document', () => {
  it.each([
    ['the whole platform', {}],
    ['leads', { contexts: ['leads'] as const }],
    ['pipeline', { contexts: ['pipeline'] as const }],
  ])('of %s passes @asyncapi/parser without errors', async (_, options) => {
    const found = await diagnostics(asyncApiDocument(options));
    expect(found.filter((d) => d.severity === 0)).toEqual([]);
  });

  it('is parsed strictly enough to fail a broken document', async () => {
    const broken = structuredClone(asyncApiDocument()) as unknown as {
      operations: Record<string, { channel: { $ref: string } }>;
    };
    broken.operations.sendLeadsEvents.channel.$ref = '#/channels/nowhere';
    expect((await diagnostics(broken)).filter((d) => d.severity === 0)).not.toEqual([]);
  });

  it('has a message for every version of every event type each context publishes, with its ce_type', () => {
    const document = asyncApiDocument();
    for (const [context, channel] of [
      ['leads', 'leadsEvents'],
      ['pipeline', 'pipelineEvents'],
    ]) {
      const expected = Object.entries(EVENT_CONTRACTS)
        .filter(([type]) => PUBLISHERS[type as keyof typeof PUBLISHERS].includes(context))
        .flatMap(([type, versions]) => Object.keys(versions).map((v) => `crm.${context}.${type}.v${v}`));
      expect(ceTypes(document, channel).sort()).toEqual(expected.sort());
    }
    expect(ceTypes(document, 'pipelineEvents')).toContain('crm.pipeline.CustomerLifecycleStageReached.v1');
    expect(ceTypes(document, 'leadsEvents')).toContain('crm.leads.CustomerLifecycleStageReached.v1');
    expect(Object.values(document.channels).map((c) => c.address)).toEqual([
      'crm.leads.events',
      'crm.leads.events.dlq',
      'crm.pipeline.events',
      'crm.pipeline.events.dlq',
      'crm.service.events',
      'crm.service.events.dlq',
      'crm.marketing.events',
      'crm.marketing.events.dlq',
    ]);
    expect(document.operations.sendLeadsEvents).toMatchObject({
      action: 'send',
      channel: { $ref: '#/channels/leadsEvents' },
    });
  });

  it("gives each message its contract's payload schema, the record key and the CloudEvents headers", () => {
    const document = asyncApiDocument();
    const message = messagesOf(document, 'leadsEvents').LeadConvertedV1 as unknown as Record<string, unknown>;
    expect(message).toMatchObject({
      name: 'LeadConverted',
      title: 'Lead converted (v1)',
      contentType: 'application/json',
      payload: { $ref: '#/components/schemas/LeadConvertedV1' },
      bindings: { kafka: { key: { type: 'string' } } },
    });
    expect(document.components.schemas.LeadConvertedV1).toEqual(
      JSON.parse(JSON.stringify(EVENT_CONTRACTS.LeadConverted[1])),
    );
  });

  it('describes the headers we write: a record the relay writes fits the message it is', () => {
    const document = JSON.parse(JSON.stringify(asyncApiDocument()));
    const ajv = addFormats(new Ajv({ strict: false }), ['date-time', 'uuid']);
    ajv.addSchema(document, 'asyncapi.json');
    const headers = ajv.compile({
      $ref: 'asyncapi.json#/channels/leadsEvents/messages/LeadAssignedV1/headers',
    });
    const event = toCloudEvent(
      'leads',
      {
        id: '5f0c4b7e-8a55-4c0e-9f57-3f3f2f1f0e11',
        type: 'LeadAssigned',
        streamId: 'lead-1',
        revision: 0,
        data: {},
        metadata: {
          customerId: 'c-1',
          correlationId: 'corr-1',
          causationId: 'cmd-1',
          schemaVersion: 1,
          occurredAt: '2026-03-01T10:00:00.000Z',
          traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
        },
      },
      '1',
    );
    const record = cloudEventToKafka(event);
    expect(headers(record.headers) ? [] : headers.errors).toEqual([]);
    expect(headers({ ...record.headers, ce_type: 'crm.leads.LeadCaptured.v1' })).toBe(false);
    const { ce_sequence: _, ...withoutSequence } = record.headers;
    expect(headers(withoutSequence)).toBe(false);
  });

  it('filters to the channels of one context, with only the schemas they use, at the deployment topic', () => {
    const document = asyncApiDocument({ contexts: ['leads'], topic: (c) => `staging.crm.${c}.events` });
    expect(document.info.title).toBe('CRM platform leads events');
    expect(Object.values(document.channels).map((c) => c.address)).toEqual([
      'staging.crm.leads.events',
      'staging.crm.leads.events.dlq',
    ]);
    expect(Object.keys(document.operations)).toEqual(['sendLeadsEvents']);
    expect(Object.keys(document.components.schemas)).toContain('LeadCapturedV1');
    expect(Object.keys(document.components.schemas)).not.toContain('AccountOpenedV1');
  });

  it(`is checked in as generated (libs/contracts/${CONTRACT_FILES.asyncApi})`, () => {
    const checkedIn = JSON.parse(readFileSync(join(CONTRACTS_DIR, CONTRACT_FILES.asyncApi), 'utf8'));
    try {
      expect(checkedIn).toEqual(JSON.parse(JSON.stringify(asyncApiDocument())));
    } catch (error) {
      const hint = `libs/contracts/${CONTRACT_FILES.asyncApi} differs from the contracts: run \`${REGENERATE_COMMAND}\` and commit it`;
      throw new Error(`${hint}\n\n${(error as Error).message}`);
    }
  });
});
