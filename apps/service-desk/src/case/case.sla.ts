import type { SlaClockName } from '@crm/contracts';
import type { BusinessTime } from '../sla/business-time';

/**
 * An SLA clock as the case's events left it, in instants only (no calendar): when it started, the
 * spans it was paused, when it stopped. Business time is computed from these with the calendars
 * when a decision needs it, so the whole history of a clock follows from the case's events.
 */
export interface SlaClock {
  name: SlaClockName;
  targetMs: number;
  startedAt: number;
  /** [from, to) paused spans; the last one open (`to` undefined) while paused. */
  pauses: [number, number | undefined][];
  stoppedAt?: number;
  warned: boolean;
  breached: boolean;
}

export const startClock = (name: SlaClockName, targetMinutes: number, at: number): SlaClock => ({
  name,
  targetMs: targetMinutes * 60_000,
  startedAt: at,
  pauses: [],
  warned: false,
  breached: false,
});

export const isRunning = (c: SlaClock) => c.stoppedAt === undefined && !isPaused(c);
export const isPaused = (c: SlaClock) =>
  c.pauses.length > 0 && c.pauses[c.pauses.length - 1][1] === undefined;

export function pauseClock(c: SlaClock, at: number): SlaClock {
  return isRunning(c) ? { ...c, pauses: [...c.pauses, [at, undefined]] } : c;
}

export function resumeClock(c: SlaClock, at: number): SlaClock {
  if (!isPaused(c) || c.stoppedAt !== undefined) return c;
  const pauses = [...c.pauses];
  pauses[pauses.length - 1] = [pauses[pauses.length - 1][0], at];
  return { ...c, pauses };
}

export function stopClock(c: SlaClock, at: number): SlaClock {
  return c.stoppedAt === undefined ? { ...resumeClock(c, at), stoppedAt: at } : c;
}

/** Business time the clock has counted by `at` (its pauses not counted). */
export function elapsedBusinessTime(time: BusinessTime, c: SlaClock, at: number): number {
  const end = Math.min(at, c.stoppedAt ?? at);
  let elapsed = time.between(c.startedAt, end);
  for (const [from, to] of c.pauses) elapsed -= time.between(Math.min(from, end), Math.min(to ?? end, end));
  return elapsed;
}

/**
 * The instant the clock reaches `share` of its target counting from its start, its pauses left
 * out: undefined while paused before that point, or when it stopped before it.
 */
export function dueAt(time: BusinessTime, c: SlaClock, share = 1): number | undefined {
  let remaining = Math.ceil(c.targetMs * share);
  let from = c.startedAt;
  for (const [pausedAt, resumedAt] of c.pauses) {
    const counted = time.between(from, pausedAt);
    if (counted >= remaining) return settle(time.add(from, remaining), c);
    remaining -= counted;
    if (resumedAt === undefined) return undefined;
    from = resumedAt;
  }
  return settle(time.add(from, remaining), c);
}

const settle = (instant: number, c: SlaClock) =>
  c.stoppedAt !== undefined && c.stoppedAt <= instant ? undefined : instant;
