import { cloudEventFromKafka } from '@crm/contracts';
import type { RecordedEvent } from '@crm/event-store';
import { contextTopic, defaultSubjectOf, subjectFromStreamId, toRelayRecord } from './relay-records';
import { relayLockKey } from './event-relay';

const event: RecordedEvent = {
  id: '7a1c8c0e-2c4f-4a8e-9d35-0d7f1c0b7d11',
  type: 'LeadCaptured',
  streamId: 'lead-4b3e2a10-5a7e-4e0e-8f7f-2d1f3c4b5a69',
  revision: 3,
  position: { commit: 10n, prepare: 42n },
  data: { name: 'Ada' },
  metadata: {
    customerId: 'c-1',
    correlationId: 'corr-1',
    causationId: 'cause-1',
    schemaVersion: 2,
    occurredAt: '2025-01-02T03:04:05.000Z',
    traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
  },
  recordedAt: new Date('2025-01-02T03:04:06.000Z'),
};

describe('relay records', () => {
  it('takes the aggregate id after the first dash of the stream id', () => {
    expect(subjectFromStreamId('lead-4b3e2a10-5a7e-4e0e-8f7f-2d1f3c4b5a69')).toBe(
      '4b3e2a10-5a7e-4e0e-8f7f-2d1f3c4b5a69',
    );
    expect(subjectFromStreamId('opportunity-abc')).toBe('abc');
    expect(subjectFromStreamId('nodash')).toBe('nodash');
    expect(defaultSubjectOf(event)).toBe('4b3e2a10-5a7e-4e0e-8f7f-2d1f3c4b5a69');
  });

  it('names the context topic', () => {
    expect(contextTopic('service')).toBe('crm.service.events');
  });

  it('maps a recorded event to a binary-mode CloudEvent record keyed by subject', () => {
    const record = toRelayRecord('leads', event, defaultSubjectOf);
    expect(record.key).toBe('4b3e2a10-5a7e-4e0e-8f7f-2d1f3c4b5a69');
    expect(record.headers).toMatchObject({
      ce_specversion: '1.0',
      ce_id: event.id,
      ce_type: 'crm.leads.LeadCaptured.v2',
      ce_source: '/crm/leads',
      ce_subject: '4b3e2a10-5a7e-4e0e-8f7f-2d1f3c4b5a69',
      ce_customerid: 'c-1',
      ce_sequence: '3',
      ce_time: '2025-01-02T03:04:05.000Z',
      traceparent: event.metadata.traceparent,
      'content-type': 'application/json',
    });
    const back = cloudEventFromKafka(record.headers, record.value);
    expect(back.data).toEqual({ name: 'Ada' });
    expect(back.id).toBe(event.id);
  });

  it('uses a custom subject function', () => {
    const record = toRelayRecord('leads', event, (e) => `${e.metadata.customerId}`);
    expect(record.key).toBe('c-1');
    expect(record.headers.ce_subject).toBe('c-1');
  });

  it('derives a stable, distinct advisory lock key per schema and relay name', () => {
    const key = relayLockKey('leads', 'leads-relay');
    expect(key).toBe(relayLockKey('leads', 'leads-relay'));
    expect(key).not.toBe(relayLockKey('leads', 'other-relay'));
    expect(key).not.toBe(relayLockKey('other', 'leads-relay'));
    const n = BigInt(key);
    expect(n >= -(2n ** 63n) && n < 2n ** 63n).toBe(true);
  });
});
