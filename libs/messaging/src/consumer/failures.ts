import type { BatchControl } from '../message-bus.port';

/** How a consumer retries a batch whose transaction failed. */
export interface RetryPolicy {
  /** Attempts of a whole batch before it is applied event by event (default 3). */
  attempts: number;
  /** Wait after the first failed attempt, doubling after each further one (default 200 ms). */
  backoffMs: number;
  /** Longest wait between attempts, e.g. while the database is unreachable (default 30 s). */
  maxBackoffMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { attempts: 3, backoffMs: 200, maxBackoffMs: 30_000 };

// SQLSTATE classes of failures that go away by themselves: connection exception, transaction
// rollback (serialization failure, deadlock), insufficient resources, operator intervention,
// system error.
const TRANSIENT_SQLSTATE_CLASSES = new Set(['08', '40', '53', '57', '58']);
const TRANSIENT_NODE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
]);
const TRANSIENT_MESSAGES =
  /Connection terminated|connection error|timeout exceeded when trying to connect|Query read timeout|not queryable/i;

/**
 * Whether an error says "the infrastructure is unavailable right now" rather than "this event
 * cannot be applied": such failures are retried for as long as they last and never park an event.
 */
export function isTransient(error: unknown): boolean {
  let current: unknown = error;
  for (let depth = 0; current !== null && typeof current === 'object' && depth < 5; depth++) {
    const e = current as { code?: unknown; message?: unknown; driverError?: unknown; cause?: unknown };
    if (typeof e.code === 'string') {
      if (TRANSIENT_NODE_CODES.has(e.code)) return true;
      if (/^[0-9A-Z]{5}$/.test(e.code) && TRANSIENT_SQLSTATE_CLASSES.has(e.code.slice(0, 2))) return true;
    }
    if (typeof e.message === 'string' && TRANSIENT_MESSAGES.test(e.message)) return true;
    current = e.driverError ?? e.cause;
  }
  return false;
}

/** One line for logs, dead letters and readiness: `Name: message`. */
export function describeError(error: unknown): string {
  if (error instanceof Error)
    return error.name && error.name !== 'Error' ? `${error.name}: ${error.message}` : error.message;
  return String(error);
}

/** Waits `ms`, or less when the delivery stops meanwhile; answers whether it still runs. */
export async function pause(ms: number, control: BatchControl): Promise<boolean> {
  const until = Date.now() + ms;
  while (control.isRunning() && Date.now() < until) {
    await new Promise((resolve) => setTimeout(resolve, Math.min(100, until - Date.now())));
  }
  return control.isRunning();
}
