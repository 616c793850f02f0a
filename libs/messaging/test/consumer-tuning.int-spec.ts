import type { IncomingMessage } from '@crm/messaging';
import { setUpFixture, uniqueSuffix, waitFor, type Fixture } from './support';

jest.setTimeout(60_000);

/**
 * `KafkaBus.withConsumerTuning`: a subscriber whose consumers take their own fetch sizes over the
 * bus's, on the real broker. Records published one send each are one record batch each on the
 * broker; a fetch returns whole record batches up to the byte limit (at least one), so the bytes
 * per partition decide how many records one delivered batch holds.
 */
describe('KafkaBus.withConsumerTuning', () => {
  let f: Fixture;
  const RECORDS = 12;
  const value = Buffer.alloc(40_000, 'x');

  beforeAll(async () => {
    f = await setUpFixture(1);
    for (let n = 0; n < RECORDS; n++)
      await f.bus.publish(f.topic, [{ key: 'k', value, headers: { n: String(n) } }]);
  });
  afterAll(async () => f?.close());

  /** The sizes of the batches a subscriber gets while reading the topic from the start. */
  async function batchSizes(subscriber: Pick<Fixture['bus'], 'subscribe'>): Promise<number[]> {
    const sizes: number[] = [];
    const seen: IncomingMessage[] = [];
    const subscription = await subscriber.subscribe({
      groupId: `tuning-${uniqueSuffix()}`,
      topics: [f.topic],
      fromBeginning: true,
      handleBatch: async (messages) => {
        sizes.push(messages.length);
        seen.push(...messages);
      },
    });
    try {
      await waitFor(`${RECORDS} records consumed`, () => seen.length >= RECORDS);
    } finally {
      await subscription.stop();
    }
    expect(seen.map((m) => m.headers.n)).toEqual(Array.from({ length: RECORDS }, (_, n) => String(n)));
    return sizes;
  }

  it('delivers at most what the tuned fetch holds, in order, while the bus keeps its own fetch size', async () => {
    // 64 KiB per partition holds one 40 kB record batch (a second would pass the limit).
    const tuned = await batchSizes(f.bus.withConsumerTuning({ maxBytesPerPartition: 65_536 }));
    expect(Math.max(...tuned)).toBe(1);
    // The bus's own consumers still fetch kafkajs's 1 MiB per partition: all twelve (480 kB) at once.
    const untuned = await batchSizes(f.bus);
    expect(untuned).toEqual([RECORDS]);
  });
});
