import type { IHeaders, KafkaMessage } from 'kafkajs';
import type { IncomingMessage } from '../message-bus.port';

/** Decodes kafkajs headers to strings (the last value wins for a repeated header). */
export function decodeHeaders(headers: IHeaders | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, raw] of Object.entries(headers ?? {})) {
    const value = Array.isArray(raw) ? raw[raw.length - 1] : raw;
    if (value !== undefined) out[name] = value.toString();
  }
  return out;
}

/** A kafkajs message as the port's {@link IncomingMessage}. */
export function toIncoming(topic: string, partition: number, m: KafkaMessage): IncomingMessage {
  return {
    topic,
    partition,
    offset: m.offset,
    key: m.key === null ? null : m.key.toString(),
    headers: decodeHeaders(m.headers),
    value: m.value,
    timestamp: m.timestamp,
  };
}
