import { randomUUID } from 'node:crypto';
import { Kafka, logLevel, type KafkaMessage } from 'kafkajs';
import { waitFor } from './env';

/**
 * Every message of a topic, from offset 0 up to the end it has when called, read the way an
 * integrator would: a plain kafkajs consumer in a group of its own.
 */
export async function readWholeTopic(
  brokers: string[],
  topic: string,
  timeoutMs = 30_000,
): Promise<KafkaMessage[]> {
  const kafka = new Kafka({ clientId: 'topic-reader', brokers, logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  let ends: Map<number, bigint>;
  try {
    ends = new Map((await admin.fetchTopicOffsets(topic)).map((p) => [p.partition, BigInt(p.high)]));
  } finally {
    await admin.disconnect();
  }
  const messages: KafkaMessage[] = [];
  const next = new Map<number, bigint>();
  const consumer = kafka.consumer({ groupId: `topic-reader-${randomUUID()}`, maxWaitTimeInMs: 100 });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ partition, message }) => {
        if (BigInt(message.offset) >= (ends.get(partition) ?? 0n)) return;
        messages.push(message);
        next.set(partition, BigInt(message.offset) + 1n);
      },
    });
    await waitFor(
      `the whole of ${topic}`,
      () => [...ends].every(([partition, end]) => end === 0n || (next.get(partition) ?? 0n) >= end),
      timeoutMs,
    );
  } finally {
    await consumer.disconnect();
  }
  return messages;
}
