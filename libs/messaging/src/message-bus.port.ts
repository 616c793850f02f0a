import type { KafkaRecord } from '@crm/contracts';

/**
 * The messaging port. Services publish and consume through these three interfaces only, so the
 * Kafka client library never leaks into domain or application code (and tests can fake it).
 */

/** Publishes records to a topic. */
export interface MessagePublisher {
  /**
   * Sends the records, in order, to `topic` (partitioned by key). Resolves only once the broker
   * has acknowledged every record with acks=all; rejects otherwise (some may have been written:
   * callers that retry must tolerate duplicates).
   */
  publish(topic: string, records: KafkaRecord[]): Promise<void>;
}

/** A message as a consumer receives it. */
export interface IncomingMessage {
  topic: string;
  partition: number;
  /** Kafka offset (a 64-bit integer as a decimal string). */
  offset: string;
  key: string | null;
  /** Header values decoded as UTF-8 (the last value wins when a header repeats). */
  headers: Record<string, string>;
  value: Buffer | null;
  /** Broker or producer timestamp, epoch milliseconds as a string. */
  timestamp: string;
}

/** What a consumer group member wants to receive and how it handles it. */
export interface SubscribeOptions {
  groupId: string;
  topics: string[];
  /** Where a group without committed offsets starts: the beginning (true) or the end (false). */
  fromBeginning: boolean;
  /**
   * Handles consecutive messages of one partition, in offset order. Their offsets are committed
   * only after the returned promise resolves; when it rejects, the messages are delivered again.
   */
  handleBatch(messages: IncomingMessage[]): Promise<void>;
  /** Called when the consumer gave up (it will not restart by itself). */
  onError?: (error: unknown) => void;
}

/** A running consumer group membership. */
export interface MessageSubscription {
  /** Leaves the group after the batch in flight, if any, has been handled and committed. */
  stop(): Promise<void>;
}

/** Joins consumer groups. */
export interface MessageSubscriber {
  /** Resolves once the consumer runs (the group join itself may still be in progress). */
  subscribe(options: SubscribeOptions): Promise<MessageSubscription>;
}

/** A topic the application needs. */
export interface TopicSpec {
  topic: string;
  partitions: number;
  /** Defaults to the broker's `default.replication.factor`. */
  replicationFactor?: number;
}

/** Creates topics. */
export interface TopicAdmin {
  /** Creates the topics that do not exist yet; existing ones are left as they are. Idempotent. */
  ensureTopics(topics: TopicSpec[]): Promise<void>;
}
