import { randomUUID } from 'node:crypto';
import { context, propagation, trace, SpanKind, type SpanContext } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import type { DataSource } from 'typeorm';
import { EventRelay, ExactlyOnceConsumer, TRACER_NAME } from '@crm/messaging';
import {
  metadata,
  newDataSource,
  quietLogger,
  readTopic,
  setUpFixture,
  uniqueSuffix,
  waitFor,
  type Fixture,
} from './support';

// The integration project's testTimeout does not reach the tests (jest projects); set it here.
jest.setTimeout(60_000);

/**
 * With an OpenTelemetry SDK registered: the relay's producer span continues the trace of the
 * command that wrote the event, and the consumer's span (and the projection's work) continue it.
 */
describe('trace propagation through the relay and the consumer', () => {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  let f: Fixture;
  let ds: DataSource;

  beforeAll(() => {
    trace.setGlobalTracerProvider(provider);
    propagation.setGlobalPropagator(new W3CTraceContextPropagator());
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  });

  afterAll(async () => {
    await provider.shutdown();
    trace.disable();
    propagation.disable();
    context.disable();
  });

  beforeEach(async () => {
    f = await setUpFixture(1);
    ds = await newDataSource();
  });

  afterEach(async () => {
    await ds.destroy();
    await f.close();
  });

  it('links command → relay publish → consumer process', async () => {
    const traceId = randomUUID().replace(/-/g, '');
    const commandSpanId = randomUUID().replace(/-/g, '').slice(0, 16);
    const traceparent = `00-${traceId}-${commandSpanId}-01`;
    const eventId = randomUUID();
    await f.store.append(
      `lead-${randomUUID()}`,
      [{ id: eventId, type: 'LeadCaptured', data: {}, metadata: metadata(randomUUID(), { traceparent }) }],
      'any',
    );

    const relay = new EventRelay({
      name: 'traced',
      context: f.context,
      store: f.store,
      publisher: f.bus,
      pool: f.pool,
      schema: f.schema,
      logger: quietLogger,
    });
    const seenInHandler: SpanContext[] = [];
    const consumer = new ExactlyOnceConsumer({
      subscriber: f.bus,
      dataSource: ds,
      consumerName: 'traced-projection',
      groupId: `it-traced-${uniqueSuffix()}`,
      topics: [f.topic],
      schema: f.schema,
      logger: quietLogger,
      handle: async () => {
        const active = trace.getActiveSpan();
        if (active) seenInHandler.push(active.spanContext());
      },
    });
    const reader = await readTopic(f.kafka, f.topic);
    try {
      await relay.migrate();
      await consumer.migrate();
      await relay.start();
      await consumer.start();
      await waitFor('the event is processed', () => consumer.stats().processed === 1);
      await waitFor('the reader has it', () => reader.messages.length === 1);
    } finally {
      await consumer.stop();
      await relay.stop();
      await reader.close();
    }

    const spans = exporter.getFinishedSpans().filter((s) => s.instrumentationScope.name === TRACER_NAME);
    const producer = spans.find((s) => s.kind === SpanKind.PRODUCER);
    const processing = spans.find((s) => s.kind === SpanKind.CONSUMER);
    expect(producer?.name).toBe(`${f.topic} publish`);
    expect(producer?.spanContext().traceId).toBe(traceId);
    expect(producer?.parentSpanContext?.spanId).toBe(commandSpanId);
    expect(producer?.attributes['messaging.message.id']).toBe(eventId);

    // Transport header = the producer span; CloudEvents extension = where the event was created.
    const headers = reader.messages[0].headers;
    expect(headers.traceparent).toBe(`00-${traceId}-${producer?.spanContext().spanId}-01`);
    expect(headers.ce_traceparent).toBe(traceparent);

    expect(processing?.name).toBe(`${f.topic} process`);
    expect(processing?.spanContext().traceId).toBe(traceId);
    expect(processing?.parentSpanContext?.spanId).toBe(producer?.spanContext().spanId);
    expect(seenInHandler).toEqual([processing?.spanContext()]);
  });
});
