/**
 * kafkajs 2.2.4 keeps every broker connection awake: after each response its request queue arms a
 * timer to look at the pending requests again, and when nothing is pending and nothing throttled
 * the delay it computes is negative (`throttledUntil` is -1 by default). Node runs such a timer
 * after 1 ms, the check arms it again, and so on for the life of the connection: about 1,000
 * wake-ups a second per connection (2.5 % of a core for an idle process here), and on Node 24 a
 * plain-text `TimeoutNegativeWarning` on stderr in the middle of the JSON logs
 * (tulios/kafkajs#1704, #1751; the fixes, #1755 and #1768, are not released).
 *
 * The check only matters when a request waits (in-flight limit or broker throttling): `push` of a
 * request that cannot go at once and every response schedule it again. So with nothing pending the
 * timer is armed only while throttled (for the throttle's end), as the maintainers' thread proposes.
 * The fix is applied to the version it was written for only; `kafkajsIdleTimerFix()` answers
 * whether it is in place (a spec pins it, so an upgrade of kafkajs makes someone look again).
 */
import { createRequire } from 'node:module';

interface RequestQueueInternals {
  pending: unknown[];
  throttledUntil: number;
  throttleCheckTimeoutId: NodeJS.Timeout | null;
  checkPendingRequests(): void;
  scheduleCheckPendingRequests(): void;
}

/** kafkajs's own constant: how soon a pending request is looked at again. */
const CHECK_PENDING_REQUESTS_INTERVAL = 10;
const FIXED_VERSION = '2.2.4';

const load = createRequire(__filename);
let applied: boolean | undefined;

function scheduleCheckPendingRequests(this: RequestQueueInternals): void {
  if (this.throttleCheckTimeoutId) return;
  let scheduleAt = this.throttledUntil - Date.now();
  if (this.pending.length > 0) scheduleAt = scheduleAt > 0 ? scheduleAt : CHECK_PENDING_REQUESTS_INTERVAL;
  else if (scheduleAt <= 0) return;
  this.throttleCheckTimeoutId = setTimeout(() => {
    this.throttleCheckTimeoutId = null;
    this.checkPendingRequests();
  }, scheduleAt);
}

/** Applies the fix once (module comment); answers whether kafkajs runs with it. */
export function kafkajsIdleTimerFix(): boolean {
  if (applied !== undefined) return applied;
  const { version } = load('kafkajs/package.json') as { version: string };
  applied = version === FIXED_VERSION;
  if (applied) {
    const RequestQueue = load('kafkajs/src/network/requestQueue') as { prototype: RequestQueueInternals };
    RequestQueue.prototype.scheduleCheckPendingRequests = scheduleCheckPendingRequests;
  }
  return applied;
}
