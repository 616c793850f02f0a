import { trace } from '@opentelemetry/api';
import { node } from '@opentelemetry/sdk-node';
import { JsonLogger } from './json-logger';

describe('JsonLogger (the messaging default, over pino)', () => {
  const lines: string[] = [];
  const logger = new JsonLogger('messaging.relay', 'debug', (line) => lines.push(line));
  beforeEach(() => void lines.splice(0));

  it('writes one JSON object per line, with an ISO time and the level by name', () => {
    logger.log('debug', 'published\nbatch', { events: 3, position: 12345678901234567890n });
    expect(lines).toHaveLength(1);
    expect(lines[0]).not.toContain('\n');
    const entry = JSON.parse(lines[0]);
    expect(entry).toEqual({
      level: 'debug',
      time: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      logger: 'messaging.relay',
      msg: 'published\nbatch',
      events: 3,
      position: '12345678901234567890',
    });
  });

  it('carries trace_id and span_id of the active OpenTelemetry span', () => {
    const provider = new node.NodeTracerProvider();
    provider.register();
    try {
      const tracer = trace.getTracer('json-logger-spec');
      const ids = tracer.startActiveSpan('publish', (span) => {
        logger.log('info', 'in a span');
        span.end();
        return span.spanContext();
      });
      logger.log('info', 'outside');
      const [inside, outside] = lines.map((line) => JSON.parse(line));
      expect(inside).toMatchObject({ msg: 'in a span', trace_id: ids.traceId, span_id: ids.spanId });
      expect(outside).not.toHaveProperty('trace_id');
    } finally {
      trace.disable();
    }
  });
});
