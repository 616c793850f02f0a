import { randomUUID } from 'node:crypto';
import { CloudEvent, Kafka } from 'cloudevents';
import { NotACloudEventError, cloudEventFromKafka, cloudEventToKafka, toCloudEvent } from './cloudevents';

const leadId = randomUUID();
const customerId = randomUUID();
const traceparent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
const data = { leadId, startedAt: '2026-03-01T10:00:00.000Z' };

const event = (extra: { traceparent?: string; tracestate?: string } = {}) =>
  toCloudEvent(
    'leads',
    {
      id: randomUUID(),
      type: 'LeadWorkStarted',
      streamId: `lead-${leadId}`,
      revision: 3,
      data,
      metadata: {
        customerId,
        correlationId: 'corr-1',
        causationId: 'cmd-1',
        schemaVersion: 1,
        occurredAt: '2026-03-01T10:00:00.000Z',
        ...extra,
      },
    },
    leadId,
  );

/** The record as a consumer receives it from kafkajs: header values and key as Buffers. */
function received(record: ReturnType<typeof cloudEventToKafka>) {
  const headers = Object.fromEntries(Object.entries(record.headers).map(([k, v]) => [k, Buffer.from(v)]));
  return { key: Buffer.from(record.key), value: record.value, headers };
}

/** What the CloudEvents SDK's Kafka binding reads from it (its headers as strings, as it expects). */
function sdkRead(record: ReturnType<typeof received>) {
  const headers = Object.fromEntries(Object.entries(record.headers).map(([k, v]) => [k, v.toString()]));
  const message = { key: record.key.toString(), value: record.value, headers, body: record.value };
  expect(Kafka.isEvent(message)).toBe(true);
  const read = Kafka.toEvent(message);
  if (Array.isArray(read) || !(read instanceof CloudEvent)) throw new Error('not one CloudEvent');
  return read;
}

describe('CloudEvents over Kafka (binary mode)', () => {
  it('writes records that the CloudEvents SDK reads and validates as CloudEvents 1.0', () => {
    const written = event({ traceparent, tracestate: 'vendor=1' });
    const read = sdkRead(received(cloudEventToKafka(written)));
    expect(read.validate()).toBe(true);
    expect(read).toMatchObject({
      specversion: '1.0',
      id: written.id,
      source: '/crm/leads',
      type: 'crm.leads.LeadWorkStarted.v1',
      subject: leadId,
      time: '2026-03-01T10:00:00.000Z',
      datacontenttype: 'application/json',
      data,
      customerid: customerId,
      correlationid: 'corr-1',
      causationid: 'cmd-1',
      sequence: '3',
      traceparent,
      tracestate: 'vendor=1',
      partitionkey: leadId,
    });
  });

  it('keys the record by the aggregate id and also writes the plain W3C trace headers', () => {
    const record = cloudEventToKafka(event({ traceparent }));
    expect(record.key).toBe(leadId);
    expect(record.headers).toMatchObject({ 'content-type': 'application/json', traceparent });
    expect(Object.keys(cloudEventToKafka(event()).headers)).not.toContain('traceparent');
  });

  it('reads back what it writes', () => {
    const written = event({ traceparent });
    const record = received(cloudEventToKafka(written));
    expect(cloudEventFromKafka(record.headers, record.value)).toEqual({ ...written, tracestate: undefined });
  });

  it('refuses records the SDK would complete silently (a missing time becomes "now" there)', () => {
    const record = received(cloudEventToKafka(event()));
    delete record.headers.ce_time;
    const completed = sdkRead(record);
    expect(completed.validate()).toBe(true);
    expect(Math.abs(Date.parse(completed.time!) - Date.now())).toBeLessThan(60_000);
    expect(() => cloudEventFromKafka(record.headers, record.value)).toThrow(
      new NotACloudEventError('missing ce_time'),
    );
  });

  it.each([
    ['an empty id', { ce_id: '' }, 'missing ce_id'],
    ['an unreadable time', { ce_time: 'yesterday' }, 'ce_time is not a timestamp: yesterday'],
    ['a sequence that is not a revision', { ce_sequence: '3.5' }, 'ce_sequence is not a revision: 3.5'],
  ])('refuses a record with %s', (_, headers, reason) => {
    const record = received(cloudEventToKafka(event()));
    const bad = { ...record.headers, ...headers };
    expect(() => cloudEventFromKafka(bad, record.value)).toThrow(new NotACloudEventError(reason));
  });

  it('refuses a value that is not JSON', () => {
    const record = received(cloudEventToKafka(event()));
    expect(() => cloudEventFromKafka(record.headers, Buffer.from('not json {'))).toThrow(
      'not a CloudEvent: the value is not JSON',
    );
  });
});
