/**
 * The messaging port. Services publish and consume through these interfaces only, so the
 * Kafka client library never leaks into domain or application code.
 */

/** A record to publish. A CloudEvent's `KafkaRecord` is one; dead letters may lack key or value. */
export interface OutgoingRecord {
  key: string | null;
  value: Buffer | null;
  headers: Record<string, string>;
}

/** Publishes records to a topic. */
export interface MessagePublisher {
  /**
   * Sends the records, in order, to `topic` (partitioned by key). Resolves only once the broker
   * has acknowledged every record with acks=all; rejects otherwise (some may have been written:
   * callers that retry must tolerate duplicates).
   */
  publish(topic: string, records: OutgoingRecord[]): Promise<void>;
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

/** What a batch handler may ask about the delivery it is handling. */
export interface BatchControl {
  /** False once the member is stopping or lost the partition: a handler that waits should give up. */
  isRunning(): boolean;
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
  handleBatch(messages: IncomingMessage[], control: BatchControl): Promise<void>;
  /** Called when the consumer crashed and left the group; the adapter restarts it (see onRestart). */
  onError?: (error: unknown) => void;
  /** Called when a crashed consumer runs again. */
  onRestart?: () => void;
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
  /** Topic settings; by default events are kept for ever (`retention.ms` and `retention.bytes` -1). */
  config?: Record<string, string>;
  /** Also the topic's dead-letter topic ({@link deadLetterTopic}), with the same settings. */
  deadLetterTopic?: boolean;
}

/** An existing topic whose partitions or settings differ from what the application asked for. */
export interface TopicConfigWarning {
  topic: string;
  /** `partitions` or a topic setting such as `retention.ms`. */
  setting: string;
  expected: string;
  actual: string;
}

/** Creates topics. */
export interface TopicAdmin {
  /**
   * Creates the topics that do not exist yet; existing ones are left as they are (idempotent),
   * and the differences between them and the specs are answered (and logged).
   */
  ensureTopics(topics: TopicSpec[]): Promise<TopicConfigWarning[]>;
}

/** A partition's watermarks: the first offset it still holds and the offset its next record gets. */
export interface PartitionOffsets {
  partition: number;
  low: number;
  high: number;
}

/** Per topic, its partitions' watermarks (a topic that does not exist: none). */
export type TopicOffsets = Record<string, PartitionOffsets[]>;

/** Per topic and partition, a group's committed offset (-1: none committed yet). */
export type GroupOffsets = Record<string, Record<number, number>>;

/** Reads topics' watermarks and consumer groups' offsets (progress and lag), forgets a group. */
export interface ConsumerGroupAdmin {
  topicOffsets(topics: string[]): Promise<TopicOffsets>;
  groupOffsets(groupId: string, topics: string[]): Promise<GroupOffsets>;
  /**
   * Forgets the group's committed offsets (it then starts from where `fromBeginning` says); a
   * group that does not exist is no error. Refused while the group has members.
   */
  forgetGroup(groupId: string): Promise<void>;
}

/** Where the records a consumer of `topic` could not apply are published. */
export function deadLetterTopic(topic: string): string {
  return `${topic}.dlq`;
}
