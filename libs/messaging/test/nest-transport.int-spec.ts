import { randomUUID } from 'node:crypto';
import {
  Catch,
  Controller,
  Injectable,
  Module,
  UseFilters,
  UseInterceptors,
  type ArgumentsHost,
  type CallHandler,
  type ExecutionContext,
  type INestApplication,
  type NestInterceptor,
  type RpcExceptionFilter,
} from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { of, type Observable } from 'rxjs';
import type { DataSource } from 'typeorm';
import { cloudEventToKafka, toCloudEvent, type EventData, type KafkaRecord } from '@crm/contracts';
import {
  CrmEventContext,
  CrmEventsTransport,
  deadLetterTopic,
  startCrmEvents,
  type EventConsumer,
  type RetryPolicy,
} from '@crm/messaging';
import {
  deleteTopics,
  metadata,
  newDataSource,
  quietLogger,
  setUpFixture,
  topicSize,
  uniqueSuffix,
  waitFor,
  type Fixture,
} from './support';

// The integration project's testTimeout does not reach the tests (jest projects); set it here.
jest.setTimeout(90_000);

/**
 * The Nest transport on the real broker and database: a hybrid Nest app whose controller handles
 * `LeadAssigned` with `@EventPattern`, writing a row per event through the context's manager.
 */
let table = '';
/** Owners whose event the handler refuses after writing its row (`obsolete` is refused before). */
const refusing = new Set<string>();
/** What the interceptor and the filter saw: one entry per handler call. */
const intercepted: string[] = [];
const filtered: string[] = [];

class Obsolete extends Error {}
class ReadModelRefused extends Error {
  override name = 'ReadModelRefused';
}

@Injectable()
class CallRecorder implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    intercepted.push(context.switchToRpc().getData<EventData<'LeadAssigned'>>().ownerId);
    return next.handle();
  }
}

@Catch(Obsolete)
class SkipObsolete implements RpcExceptionFilter<Obsolete> {
  catch(_error: Obsolete, host: ArgumentsHost): Observable<unknown> {
    filtered.push(host.switchToRpc().getContext<CrmEventContext>().getCloudEvent().id);
    return of(undefined); // handled: the event counts as applied
  }
}

@Controller()
@UseInterceptors(CallRecorder)
@UseFilters(SkipObsolete)
class Assignments {
  @EventPattern('crm.leads.LeadAssigned', { consumer: 'assignments' })
  async assigned(@Payload() d: EventData<'LeadAssigned'>, @Ctx() ctx: CrmEventContext) {
    if (d.ownerId === 'obsolete') throw new Obsolete();
    await ctx
      .getManager()
      .query(`INSERT INTO ${table} (event_id, owner_id) VALUES ($1, $2)`, [
        ctx.getCloudEvent().id,
        d.ownerId,
      ]);
    if (refusing.has(d.ownerId)) throw new ReadModelRefused(`cannot record owner ${d.ownerId}`);
  }
}

@Module({ controllers: [Assignments], providers: [CallRecorder] })
class AssignmentsModule {}

describe('CrmEventsTransport in a hybrid Nest app', () => {
  let f: Fixture;
  let ds: DataSource;
  const apps: INestApplication[] = [];

  beforeEach(async () => {
    f = await setUpFixture(1);
    ds = await newDataSource();
    table = `"${f.schema}".assigned`;
    await ds.query(`CREATE TABLE ${table} (event_id text NOT NULL, owner_id text NOT NULL)`);
    for (const list of [intercepted, filtered]) list.splice(0);
    refusing.clear();
  });

  afterEach(async () => {
    for (const app of apps.splice(0)) await app.close();
    await ds.destroy();
    await deleteTopics(f.kafka, [deadLetterTopic(f.topic)]);
    await f.close();
  });

  /** Starts the app as a service does: HTTP app, then the transport's consumers. */
  async function start(groupId: string, retry: Partial<RetryPolicy>): Promise<EventConsumer> {
    const transport = new CrmEventsTransport({
      subscriber: f.bus,
      dataSource: ds,
      schema: f.schema,
      topicOf: () => f.topic,
      groupIdOf: () => groupId,
      prepareTopics: (topics) =>
        f.bus.ensureTopics(topics.map((topic) => ({ topic, partitions: 1, deadLetterTopic: true }))),
      retry,
      deadLetterPublisher: f.bus,
      logger: quietLogger,
      loggerOf: () => quietLogger,
    });
    const app = await NestFactory.create(AssignmentsModule, { logger: false, abortOnError: false });
    apps.push(app);
    await startCrmEvents(app, transport);
    return transport.consumers()[0];
  }

  const key = randomUUID();
  /** A LeadAssigned record to `owner` (one key: one partition, in order). */
  function assignment(owner: string): KafkaRecord {
    const data = { leadId: key, ownerId: owner, method: 'manual' };
    const event = { id: randomUUID(), type: 'LeadAssigned', streamId: `lead-${key}`, revision: 1, data };
    return cloudEventToKafka(toCloudEvent('leads', { ...event, metadata: metadata(key) }, key));
  }

  const owners = async (): Promise<string[]> =>
    (await ds.query(`SELECT owner_id FROM ${table} ORDER BY owner_id`)).map(
      (r: { owner_id: string }) => r.owner_id,
    );
  const dedupeRows = async () =>
    Number((await ds.query(`SELECT count(*)::int AS n FROM "${f.schema}".processed_events`))[0].n);
  async function committedOffset(groupId: string): Promise<number> {
    const admin = f.kafka.admin();
    await admin.connect();
    try {
      const [{ partitions }] = await admin.fetchOffsets({ groupId, topics: [f.topic] });
      return Number(partitions[0].offset);
    } finally {
      await admin.disconnect();
    }
  }

  it("applies a redelivered event once, through the controller's interceptor and exception filter", async () => {
    const { consumer } = await start(`it-nest-${uniqueSuffix()}`, { attempts: 2, backoffMs: 50 });
    const first = assignment('rep-1');
    const started = toCloudEvent(
      'leads',
      {
        id: randomUUID(),
        type: 'LeadWorkStarted',
        streamId: `lead-${key}`,
        revision: 2,
        data: { leadId: key, startedAt: new Date().toISOString() },
        metadata: metadata(key),
      },
      key,
    );
    const obsolete = assignment('obsolete');
    // The same record twice (a producer retry), an event without a handler here, one the filter skips.
    await f.bus.publish(f.topic, [first, first, cloudEventToKafka(started), obsolete]);
    await waitFor('four records handled', () => {
      const s = consumer.stats();
      return s.processed + s.skippedDuplicates + s.ignored === 4;
    });

    expect(consumer.stats()).toMatchObject({
      processed: 2,
      skippedDuplicates: 1,
      ignored: 1,
      failedBatches: 0,
    });
    expect(await owners()).toEqual(['rep-1']);
    expect(await dedupeRows()).toBe(2); // the event without a handler needs no dedupe row
    expect(intercepted).toEqual(['rep-1', 'obsolete']);
    expect(filtered).toEqual([obsolete.headers.ce_id]);
    expect(await consumer.deadLetters.list()).toEqual([]);
  });

  it("rolls back a failing handler's row, retries the batch, then parks the event with the handler's error", async () => {
    const { consumer } = await start(`it-nest-${uniqueSuffix()}`, { attempts: 2, backoffMs: 50 });
    refusing.add('blocked');
    await f.bus.publish(f.topic, ['10', '11', 'blocked', '13'].map(assignment));
    await waitFor(
      'three applied and one parked',
      () => {
        const s = consumer.stats();
        return s.processed === 3 && s.deadLettered['handler-failed'] === 1 && s.retrying === undefined;
      },
      { diagnose: () => consumer.stats() },
    );

    expect(consumer.stats().failedBatches).toBeGreaterThanOrEqual(2); // the whole batch, twice
    // Through Nest each time: twice in the batch, once alone under its savepoint.
    expect(intercepted.filter((owner) => owner === 'blocked').length).toBeGreaterThanOrEqual(3);
    expect(await owners()).toEqual(['10', '11', '13']); // its own row rolled back
    const [letter] = await consumer.deadLetters.list();
    expect(letter).toMatchObject({
      consumer: 'assignments',
      reason: 'handler-failed',
      error: 'ReadModelRefused: cannot record owner blocked',
      eventType: 'crm.leads.LeadAssigned.v1',
    });
    expect(await dedupeRows()).toBe(3);
    expect(await topicSize(f.kafka, deadLetterTopic(f.topic))).toBe(1);
  });

  it('commits no offset before its transaction: stopped mid-batch and restarted, nothing is lost or applied twice', async () => {
    const groupId = `it-nest-${uniqueSuffix()}`;
    // A long backoff: the batch that fails is still waiting for its retry when the app stops.
    const first = await start(groupId, { attempts: 3, backoffMs: 60_000 });
    await f.bus.publish(f.topic, ['1', '2', '3'].map(assignment));
    await waitFor(
      'the first three applied and committed',
      async () => (await committedOffset(groupId)) === 3,
    );

    refusing.add('5');
    await f.bus.publish(f.topic, ['4', '5', '6'].map(assignment));
    await waitFor('the batch with 5 failed', () => first.consumer.stats().retrying !== undefined);
    expect(first.consumer.stats().retrying).toMatchObject({ firstOffset: '3' });
    expect(await owners()).toEqual(['1', '2', '3']); // 4 was written in the failed transaction: undone
    await apps.pop()!.close(); // mid-batch: while the batch waits for its retry
    expect(await committedOffset(groupId)).toBe(3);
    expect(await owners()).toEqual(['1', '2', '3']);

    // Restarted, fixed, and from the start of the topic, as after a crash between a batch's
    // commit and its offset commit: the first three are redelivered too.
    refusing.clear();
    const admin = f.kafka.admin();
    await admin.connect();
    await admin.resetOffsets({ groupId, topic: f.topic, earliest: true });
    await admin.disconnect();
    const second = await start(groupId, { attempts: 3, backoffMs: 50 });
    await waitFor('every record handled again', async () => (await committedOffset(groupId)) === 6, {
      diagnose: () => second.consumer.stats(),
    });

    expect(second.consumer.stats()).toMatchObject({ processed: 3, skippedDuplicates: 3 });
    expect(await owners()).toEqual(['1', '2', '3', '4', '5', '6']);
    expect(await dedupeRows()).toBe(6);
  });
});
