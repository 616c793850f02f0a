/** What the case decider specs share: calendars, a case, and builders of its commands and events. */
import type { SlaTargets } from '@crm/contracts';
import { deciderSpec } from '@crm/decider/testing';
import type { BusinessCalendar } from '../sla/business-hours.calendar';
import { hoursOf } from '../sla/business-time';
import { caseDecider, type CaseCommand, type CaseState } from './case.decider';
import type { CaseEvent } from './case.events';

/** Always open (UTC): business time is wall time, so the clocks read plainly. */
export const ALWAYS: BusinessCalendar = {
  timeZone: 'UTC',
  weekly: Object.fromEntries([1, 2, 3, 4, 5, 6, 7].map((d) => [d, [{ start: '00:00', end: '24:00' }]])),
  holidays: [],
};
/** Weekdays 09:00-17:00 in Madrid. */
export const OFFICE: BusinessCalendar = {
  timeZone: 'Europe/Madrid',
  weekly: Object.fromEntries([1, 2, 3, 4, 5].map((d) => [d, [{ start: '09:00', end: '17:00' }]])),
  holidays: [],
};
export const spec = deciderSpec(caseDecider(hoursOf(ALWAYS)));
export const caseId = '9d2b6f1e-4c3a-4e5b-8a7d-0c1e2f3a4b5c';
export const customerId = '1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d';
export const sla: SlaTargets = {
  policyId: 'standard',
  version: 3,
  firstResponseMinutes: 60,
  nextResponseMinutes: 120,
  resolutionMinutes: 480,
  warningShare: 0.75,
  escalateToQueue: 'tier-2',
};
export const t = (hhmm: string, day = '2026-12-01') => `${day}T${hhmm}:00.000Z`;
export const opened = (at = t('09:00'), s = sla): CaseEvent => ({
  type: 'CaseOpened',
  data: {
    caseId,
    customerId,
    knownCustomer: true,
    requester: { email: 'ana@example.com' },
    channel: 'email',
    caseType: 'complaint',
    priority: 'high',
    subject: 'Late delivery',
    queue: 'complaints',
    sla: s,
    openedAt: at,
  },
});
export const reply = (
  kind: 'agent' | 'customer',
  at: string,
  visibility: 'public' | 'internal' = 'public',
): CaseCommand => ({
  type: 'ReplyToCase',
  data: {
    replyId: `${kind}-${at}`,
    author: { kind, id: kind === 'agent' ? 'agent-1' : customerId },
    channel: 'email',
    visibility,
    body: 'text',
    at,
    reopenWindowMs: 7 * 24 * 3_600_000,
  },
});
export const replied = (
  kind: 'agent' | 'customer',
  at: string,
  visibility: 'public' | 'internal' = 'public',
): CaseEvent => ({
  type: 'CaseReplied',
  data: {
    caseId,
    replyId: `${kind}-${at}`,
    author: { kind, id: kind === 'agent' ? 'agent-1' : customerId },
    channel: 'email',
    visibility,
    body: 'text',
    repliedAt: at,
  },
});
export const status = (from: string, to: string, at: string) =>
  ({ type: 'CaseStatusChanged', data: { caseId, from, to, changedAt: at } }) as CaseEvent;
export const check = (at: string): CaseCommand => ({ type: 'CheckSla', data: { at } });
export const stateAfter = (events: CaseEvent[], decider = caseDecider(hoursOf(ALWAYS))): CaseState =>
  events.reduce(decider.evolve, decider.initialState());
