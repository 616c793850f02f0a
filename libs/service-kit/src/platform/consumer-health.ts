import type { DeadLetterReason, ExactlyOnceConsumerStats } from '@crm/messaging';

/** A projection or reaction that cannot be trusted to keep its read model or reactions current. */
export interface FailingConsumer {
  consumer: string;
  reason: string;
}

/**
 * The readiness rule of the consumers. A consumer fails readiness when it is stopped, while it is
 * retrying a batch that keeps failing, or while events it could not apply (`handler-failed`) wait
 * in the dead letters for a replay: until then its read model or reactions miss them. Records
 * parked because they are not CloudEvents or break their contract do not count: the record is
 * bad, the consumer is fine (they are counted in the metrics).
 */
export function failingConsumers(
  consumers: { name: string; stats: ExactlyOnceConsumerStats }[],
  parked: { consumer: string; reason: DeadLetterReason; count: number }[],
): FailingConsumer[] {
  const failing: FailingConsumer[] = [];
  for (const { name, stats } of consumers) {
    if (!stats.running) failing.push({ consumer: name, reason: 'stopped' });
    const retrying = stats.retrying;
    if (stats.running && retrying) {
      failing.push({
        consumer: name,
        reason:
          `retrying a failing batch (${retrying.topic} partition ${retrying.partition} from offset ` +
          `${retrying.firstOffset}, ${retrying.attempts} failed attempts since ${retrying.since}): ${retrying.error}`,
      });
    }
    const unapplied = parked
      .filter((p) => p.consumer === name && p.reason === 'handler-failed')
      .reduce((sum, p) => sum + p.count, 0);
    if (unapplied > 0) {
      failing.push({
        consumer: name,
        reason: `${unapplied} event(s) it could not apply are parked, not replayed (GET /dead-letters?consumer=${name}&status=parked)`,
      });
    }
  }
  return failing;
}
