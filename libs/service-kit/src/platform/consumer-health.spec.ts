import type { ExactlyOnceConsumerStats } from '@crm/messaging';
import { failingConsumers } from './consumer-health';

const healthy: ExactlyOnceConsumerStats = {
  running: true,
  processed: 10,
  skippedDuplicates: 0,
  ignored: 0,
  failedBatches: 0,
  retries: 0,
  restarts: 0,
  deadLettered: { 'invalid-cloudevent': 3, 'contract-violation': 1, 'handler-failed': 0 },
  replays: { replayed: 0, failed: 0 },
};

describe('failingConsumers (the readiness rule)', () => {
  it('passes consumers that run, whatever bad records they dead-lettered', () => {
    const parked = [
      { consumer: 'lead-conversion', reason: 'invalid-cloudevent' as const, count: 3 },
      { consumer: 'lead-conversion', reason: 'contract-violation' as const, count: 1 },
    ];
    expect(failingConsumers([{ name: 'lead-conversion', stats: healthy }], parked)).toEqual([]);
  });

  it('names a stopped consumer, one retrying a batch, and one with unreplayed handler failures', () => {
    const retrying = {
      ...healthy,
      retrying: {
        since: '2026-03-01T10:00:00.000Z',
        attempts: 2,
        error: 'connection refused',
        topic: 'crm.leads.events',
        partition: 4,
        firstOffset: '17',
      },
    };
    const failing = failingConsumers(
      [
        { name: 'stopped-one', stats: { ...healthy, running: false } },
        { name: 'retrying-one', stats: retrying },
        { name: 'read-model', stats: healthy },
      ],
      [{ consumer: 'read-model', reason: 'handler-failed', count: 2 }],
    );
    expect(failing).toEqual([
      { consumer: 'stopped-one', reason: 'stopped' },
      {
        consumer: 'retrying-one',
        reason: expect.stringContaining(
          'retrying a failing batch (crm.leads.events partition 4 from offset 17',
        ),
      },
      {
        consumer: 'read-model',
        reason: expect.stringMatching(/^2 event\(s\) it could not apply are parked/),
      },
    ]);
  });
});
