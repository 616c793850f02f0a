import { KafkaBus, kafkajsIdleTimerFix } from '@crm/messaging';
import { KAFKA_BROKERS, quietLogger } from './support';

jest.setTimeout(30_000);

/**
 * An idle connection of the bus to the real broker arms no timer with a negative delay (kafkajs
 * 2.2.4 re-armed one every millisecond per connection: CPU for nothing, and Node 24's plain-text
 * TimeoutNegativeWarning in the JSON logs), and requests still go and come back.
 */
describe('kafkajs idle timer fix', () => {
  it('is in place for the kafkajs version the platform installs', () => {
    expect(kafkajsIdleTimerFix()).toBe(true);
  });

  it('leaves an idle connection asleep, and requests still answered', async () => {
    const bus = new KafkaBus({ brokers: KAFKA_BROKERS, clientId: 'it-idle-timer', logger: quietLogger });
    try {
      await bus.topicOffsets(['it-idle-timer-no-such-topic']);
      const armed: number[] = [];
      const original = global.setTimeout;
      const spy = jest.spyOn(global, 'setTimeout').mockImplementation(((
        callback: () => void,
        delay?: number,
      ) => {
        armed.push(delay ?? 0);
        return original(callback, delay);
      }) as typeof setTimeout);
      try {
        await new Promise((resolve) => original(resolve, 300));
        // Still a working connection: a request and its response.
        expect(await bus.topicOffsets(['it-idle-timer-no-such-topic'])).toEqual({
          'it-idle-timer-no-such-topic': [],
        });
        await new Promise((resolve) => original(resolve, 100));
      } finally {
        spy.mockRestore();
      }
      expect(armed.filter((delay) => delay < 1)).toEqual([]);
    } finally {
      await bus.disconnect();
    }
  });
});
