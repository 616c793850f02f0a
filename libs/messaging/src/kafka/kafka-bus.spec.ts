import { logLevel } from 'kafkajs';
import type { LogLevel, MessagingLogger } from '../log/json-logger';
import { JsonLogger } from '../log/json-logger';
import { decodeHeaders, kafkaLogCreator } from './kafka-bus';

describe('decodeHeaders', () => {
  it('decodes buffers and strings, keeps the last value of a repeated header, drops undefined', () => {
    expect(
      decodeHeaders({
        a: Buffer.from('x'),
        b: 'y',
        c: [Buffer.from('1'), Buffer.from('2')],
        d: undefined,
      }),
    ).toEqual({ a: 'x', b: 'y', c: '2' });
    expect(decodeHeaders(undefined)).toEqual({});
  });
});

describe('kafkaLogCreator', () => {
  it('forwards kafkajs entries with their level and extra fields', () => {
    const seen: Array<{ level: LogLevel; message: string; fields?: Record<string, unknown> }> = [];
    const logger: MessagingLogger = {
      log: (level, message, fields) => seen.push({ level, message, fields }),
    };
    const log = kafkaLogCreator(logger)(logLevel.WARN);
    log({
      namespace: 'Connection',
      level: logLevel.ERROR,
      label: 'ERROR',
      log: { timestamp: 't', message: 'boom', broker: 'b:9092' },
    });
    expect(seen).toEqual([
      {
        level: 'error',
        message: 'boom',
        fields: { component: 'kafkajs', namespace: 'Connection', broker: 'b:9092' },
      },
    ]);
  });
});

describe('JsonLogger', () => {
  it('writes one JSON line per entry at or above its level', () => {
    const lines: string[] = [];
    const logger = new JsonLogger('x', 'warn', (line) => lines.push(line));
    logger.log('info', 'hidden');
    logger.log('warn', 'shown', { n: 1n });
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0])).toMatchObject({ level: 'warn', logger: 'x', msg: 'shown', n: '1' });
    logger.log('error', 'base wins', { level: 'debug', logger: 'kafkajs', error: new Error('boom') });
    expect(JSON.parse(lines[1])).toMatchObject({
      level: 'error',
      logger: 'x',
      msg: 'base wins',
      error: { name: 'Error', message: 'boom' },
    });
  });
});
