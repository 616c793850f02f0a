import { randomUUID } from 'node:crypto';
import { positionToString, type NewEvent, type RecordedEvent } from '@crm/event-store';
import { EventRelay } from '@crm/messaging';
import {
  newEvents,
  quietLogger,
  readAllWhenVisible,
  readTopic,
  setUpFixture,
  topicSize,
  waitFor,
  type Fixture,
} from './support';

// The integration project's testTimeout does not reach the tests (jest projects); set it here.
jest.setTimeout(60_000);

/**
 * The relay against the real PostgreSQL event store and the real Kafka broker.
 */
describe('EventRelay (PostgreSQL → Kafka)', () => {
  let f: Fixture;
  const relays: EventRelay[] = [];

  beforeEach(async () => {
    f = await setUpFixture();
  });

  afterEach(async () => {
    await Promise.all(relays.splice(0).map((r) => r.stop()));
    await f.close();
  });

  function relay(name: string, batchSize = 4): EventRelay {
    const r = new EventRelay({
      name,
      context: f.context,
      store: f.store,
      publisher: f.bus,
      pool: f.pool,
      schema: f.schema,
      batchSize,
      retryMs: 200,
      logger: quietLogger,
    });
    relays.push(r);
    return r;
  }

  /** Position of the last of the `count` events appended so far. */
  async function lastPosition(count: number): Promise<string> {
    const all = await readAllWhenVisible(f.store, count);
    return positionToString(all[all.length - 1].position);
  }

  it('publishes appended events as CloudEvents keyed by aggregate id, in stream order', async () => {
    const leads = [randomUUID(), randomUUID(), randomUUID()];
    const customers = leads.map(() => randomUUID());
    const appended = new Map<string, NewEvent[]>(leads.map((id) => [id, []]));
    // Interleave the streams: A1 B1 C1 A2 B2 C2 ...; sizes 4, 3, 5.
    const sizes = [4, 3, 5];
    for (let round = 0; round < 5; round++) {
      for (const [i, lead] of leads.entries()) {
        if (round >= sizes[i]) continue;
        const events = newEvents(customers[i], round === 0 ? 'LeadCaptured' : 'LeadQualified', 1, round);
        await f.store.append(`lead-${lead}`, events, 'any');
        appended.get(lead)?.push(...events);
      }
    }
    const total = 12;

    const r = relay('leads-relay');
    await r.migrate();
    await r.migrate(); // idempotent
    await r.start();
    const reader = await readTopic(f.kafka, f.topic);
    try {
      await waitFor('all events on Kafka', () => reader.messages.length >= total);
      const last = await lastPosition(total);
      await waitFor('checkpoint at the last event', () => r.status().lastPublishedPosition === last, {
        diagnose: () => r.status(),
      });
      expect(r.status()).toMatchObject({
        role: 'leader',
        publishedEvents: total,
        lastPublishedPosition: last,
      });
      expect(positionToString((await r.checkpoint())!)).toBe(last);
      expect(await topicSize(f.kafka, f.topic)).toBe(total);

      for (const [i, lead] of leads.entries()) {
        const onKafka = reader.messages.filter((m) => m.key === lead);
        const expected = appended.get(lead) ?? [];
        // Same key → same partition → stream order.
        expect(new Set(onKafka.map((m) => m.partition)).size).toBe(1);
        expect(onKafka.map((m) => m.headers.ce_id)).toEqual(expected.map((e) => e.id));
        expect(onKafka.map((m) => m.headers.ce_sequence)).toEqual(expected.map((_, n) => String(n)));
        for (const [n, m] of onKafka.entries()) {
          expect(m.headers).toMatchObject({
            ce_specversion: '1.0',
            ce_type: `crm.${f.context}.${n === 0 ? 'LeadCaptured' : 'LeadQualified'}.v1`,
            ce_source: `/crm/${f.context}`,
            ce_subject: lead,
            ce_customerid: customers[i],
            ce_correlationid: expected[n].metadata.correlationId,
            'content-type': 'application/json',
          });
          expect(JSON.parse(m.value ?? 'null')).toEqual(expected[n].data);
        }
      }
    } finally {
      await reader.close();
    }
  });

  it('resumes from its checkpoint after a restart: duplicates possible, nothing lost', async () => {
    const leads = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];
    for (const lead of leads)
      await f.store.append(`lead-${lead}`, newEvents(randomUUID(), 'LeadCaptured', 5), 'any');

    // First instance: stopped gracefully after its first acknowledged batch.
    const first = relay('restart-relay', 5);
    await first.migrate();
    await first.start();
    await waitFor('a first batch', () => first.status().publishedBatches >= 1);
    await first.stop();
    const firstPublished = first.status().publishedEvents;
    expect(firstPublished).toBeGreaterThan(0);

    for (const lead of leads)
      await f.store.append(`lead-${lead}`, newEvents(randomUUID(), 'LeadQualified', 3, 5), 'any');
    const all: RecordedEvent[] = await readAllWhenVisible(f.store, 32);
    expect(all).toHaveLength(32);

    const second = relay('restart-relay', 5);
    await second.start();
    const last = positionToString(all[all.length - 1].position);
    await waitFor('second instance reaches the end', () => second.status().lastPublishedPosition === last, {
      diagnose: () => ({ first: first.status(), second: second.status(), last }),
    });

    const size = await topicSize(f.kafka, f.topic);
    const reader = await readTopic(f.kafka, f.topic);
    try {
      await waitFor('topic read back', () => reader.messages.length >= size);
      const ids = reader.messages.map((m) => m.headers.ce_id);
      expect(new Set(ids)).toEqual(new Set(all.map((e) => e.id)));
      // A graceful stop checkpoints every acknowledged batch, so the second instance starts right after it.
      expect(second.status().publishedEvents).toBe(all.length - firstPublished);
    } finally {
      await reader.close();
    }
  });

  it('keeps a second instance with the same name on standby while the first holds the lock', async () => {
    const a = relay('ha-relay');
    await a.migrate();
    await a.start();
    await waitFor('A leads', () => a.status().role === 'leader');

    const b = relay('ha-relay');
    await b.start();
    await waitFor('B tried the lock', () => b.status().lastLockAttemptAt !== undefined);
    expect(b.status().role).toBe('standby');

    const lead = randomUUID();
    await f.store.append(`lead-${lead}`, newEvents(randomUUID(), 'LeadCaptured', 6), 'any');
    const lastA = await lastPosition(6);
    await waitFor('A publishes', () => a.status().lastPublishedPosition === lastA, {
      diagnose: () => a.status(),
    });
    const publishedAt = a.status().lastPublishedAt!.getTime();
    await waitFor('B retried after that', () => (b.status().lastLockAttemptAt?.getTime() ?? 0) > publishedAt);
    expect(b.status()).toMatchObject({ role: 'standby', publishedEvents: 0 });

    await a.stop();
    await waitFor('B takes over', () => b.status().role === 'leader', { diagnose: () => b.status() });
    await f.store.append(`lead-${lead}`, newEvents(randomUUID(), 'LeadQualified', 3, 6), 'any');
    const lastB = await lastPosition(9);
    await waitFor('B publishes the new events', () => b.status().lastPublishedPosition === lastB, {
      diagnose: () => b.status(),
    });
    expect(b.status().publishedEvents).toBe(3); // resumed from A's checkpoint
    expect(await topicSize(f.kafka, f.topic)).toBe(9);
  });
});
