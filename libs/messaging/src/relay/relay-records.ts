import { cloudEventToKafka, toCloudEvent, type KafkaRecord } from '@crm/contracts';
import type { RecordedEvent } from '@crm/event-store';

/** Derives a CloudEvent `subject` (the aggregate id, also the Kafka key) from a stored event. */
export type SubjectOf = (event: RecordedEvent) => string;

/** `lead-<uuid>` → `<uuid>`: the part of the stream id after the first `-` (the whole id if none). */
export function subjectFromStreamId(streamId: string): string {
  const dash = streamId.indexOf('-');
  return dash < 0 ? streamId : streamId.slice(dash + 1);
}

/** The default {@link SubjectOf}: {@link subjectFromStreamId} of the event's stream. */
export const defaultSubjectOf: SubjectOf = (event) => subjectFromStreamId(event.streamId);

/** A context's public topic: `crm.<context>.events`. */
export function contextTopic(context: string): string {
  return `crm.${context}.events`;
}

/** The Kafka record (CloudEvents binary mode, key = subject) for a stored event. */
export function toRelayRecord(context: string, event: RecordedEvent, subjectOf: SubjectOf): KafkaRecord {
  return cloudEventToKafka(toCloudEvent(context, event, subjectOf(event)));
}
