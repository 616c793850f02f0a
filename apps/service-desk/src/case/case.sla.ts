import type { SlaClockName } from '@crm/contracts';
import { addBusinessTime, businessTimeBetween, type BusinessCalendar } from '../sla/business-hours.calendar';

/**
 * An SLA clock as the case's events left it, in instants only (no calendar): when it started, the
 * spans it was paused, when it stopped. Business time is computed from these with the calendar
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
export function elapsedBusinessTime(calendar: BusinessCalendar, c: SlaClock, at: number): number {
  const end = Math.min(at, c.stoppedAt ?? at);
  let elapsed = businessTimeBetween(calendar, new Date(c.startedAt), new Date(end));
  for (const [from, to] of c.pauses)
    elapsed -= businessTimeBetween(
      calendar,
      new Date(Math.min(from, end)),
      new Date(Math.min(to ?? end, end)),
    );
  return elapsed;
}

/**
 * The instant the clock reaches `share` of its target counting from its start, its pauses left
 * out: undefined while paused before that point, or when it stopped before it.
 */
export function dueAt(calendar: BusinessCalendar, c: SlaClock, share = 1): number | undefined {
  let remaining = Math.ceil(c.targetMs * share);
  let from = c.startedAt;
  const due = (start: number, left: number) => addBusinessTime(calendar, new Date(start), left).getTime();
  for (const [pausedAt, resumedAt] of c.pauses) {
    const counted = businessTimeBetween(calendar, new Date(from), new Date(pausedAt));
    if (counted >= remaining) return settle(due(from, remaining), c);
    remaining -= counted;
    if (resumedAt === undefined) return undefined;
    from = resumedAt;
  }
  return settle(due(from, remaining), c);
}

const settle = (instant: number, c: SlaClock) =>
  c.stoppedAt !== undefined && c.stoppedAt <= instant ? undefined : instant;
