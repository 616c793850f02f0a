import {
  CASE_PRIORITIES,
  type BusinessCalendarPublishedV1,
  type CasePriority,
  type CaseType,
  type SlaPolicyPublishedV1,
  type SlaTargets,
} from '@crm/contracts';
import { notFound, ruleBroken, type Decider, type DomainEvent } from '@crm/decider';
import { calendarProblems, type BusinessCalendar, type Weekday } from './business-hours.calendar';
import { calendarTimeline, type BusinessTime, type CalendarVersion } from './business-time';

/**
 * The service levels the desk promises (stream `slaSettings-default`): the business calendar
 * versions SLA clocks count in, and the SLA policy versions per priority and case type. Nothing is
 * edited in place: a change publishes a new version, effective from the moment it is published.
 *
 * - A calendar change applies to every clock from that moment (time counted before it stays as
 *   it was counted): the calendar says when the team works.
 * - A policy change applies to cases opened from that moment: a case keeps the targets (and their
 *   version) it was opened under, as its `CaseOpened` records them. The promise made to a
 *   customer does not change under them.
 */
export const SLA_SETTINGS_STREAM = 'slaSettings-default';

export type SlaPolicyTargets = Omit<SlaTargets, 'policyId' | 'version'>;

export type SlaSettingsEvent =
  | DomainEvent<'BusinessCalendarPublished', BusinessCalendarPublishedV1>
  | DomainEvent<'SlaPolicyPublished', SlaPolicyPublishedV1>;

export type SlaSettingsCommand =
  | { type: 'PublishCalendar'; data: { calendar: BusinessCalendar; at: string } }
  | {
      type: 'PublishPolicy';
      data: { priority: CasePriority; caseType?: CaseType; targets: SlaPolicyTargets; at: string };
    }
  /** The first settings, from the service's configuration: only when nothing was published yet. */
  | {
      type: 'SeedSettings';
      data: { calendar: BusinessCalendar; policies: Record<CasePriority, SlaPolicyTargets>; at: string };
    };

export interface PublishedPolicy extends SlaTargets {
  priority: CasePriority;
  caseType?: CaseType;
  effectiveAt: string;
}

export type SlaSettings =
  | { status: 'unpublished' }
  | { status: 'published'; calendars: CalendarVersion[]; policies: Record<string, PublishedPolicy> };

/** A policy's id: its priority, and its case type when it is specific to one. */
export const policyIdOf = (priority: CasePriority, caseType?: CaseType) =>
  caseType ? `${priority}.${caseType}` : priority;

const calendarOf = (d: BusinessCalendarPublishedV1): BusinessCalendar => ({
  timeZone: d.timeZone,
  weekly: Object.fromEntries(Object.entries(d.weekly).map(([day, hours]) => [Number(day) as Weekday, hours])),
  holidays: d.holidays,
});

const sameCalendar = (a: BusinessCalendar, b: BusinessCalendar) =>
  JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
const canonical = (c: BusinessCalendar) => ({
  timeZone: c.timeZone,
  weekly: [1, 2, 3, 4, 5, 6, 7].map((d) => c.weekly[d as Weekday] ?? []),
  holidays: [...c.holidays].sort(),
});
const TARGET_KEYS = [
  'firstResponseMinutes',
  'nextResponseMinutes',
  'resolutionMinutes',
  'warningShare',
  'escalateToQueue',
] as const;
const sameTargets = (a: SlaPolicyTargets, b: SlaPolicyTargets) => TARGET_KEYS.every((k) => a[k] === b[k]);

function calendarPublished(calendar: BusinessCalendar, version: number, at: string): SlaSettingsEvent {
  const problems = calendarProblems(calendar);
  if (problems.length > 0) throw ruleBroken('CALENDAR_INVALID', 'the calendar cannot be used', { problems });
  const weekly = Object.fromEntries(
    Object.entries(calendar.weekly).filter(([, hours]) => (hours ?? []).length > 0),
  ) as BusinessCalendarPublishedV1['weekly'];
  const { timeZone, holidays } = calendar;
  return {
    type: 'BusinessCalendarPublished',
    data: { calendarId: 'default', version, timeZone, weekly, holidays, effectiveAt: at },
  };
}

function policyPublished(
  priority: CasePriority,
  caseType: CaseType | undefined,
  targets: SlaPolicyTargets,
  version: number,
  at: string,
): SlaSettingsEvent {
  const { escalateToQueue, ...minutes } = targets;
  return {
    type: 'SlaPolicyPublished',
    data: {
      policyId: policyIdOf(priority, caseType),
      version,
      priority,
      ...(caseType ? { caseType } : {}),
      ...minutes,
      ...(escalateToQueue ? { escalateToQueue } : {}),
      effectiveAt: at,
    },
  };
}

export const slaSettingsDecider: Decider<SlaSettingsCommand, SlaSettings, SlaSettingsEvent> = {
  initialState: () => ({ status: 'unpublished' }),
  decide: (command, state) => {
    const { at } = command.data;
    if (command.type === 'SeedSettings') {
      if (state.status === 'published') return [];
      const { calendar, policies } = command.data;
      return [
        calendarPublished(calendar, 1, at),
        ...CASE_PRIORITIES.map((p) => policyPublished(p, undefined, policies[p], 1, at)),
      ];
    }
    if (state.status === 'unpublished') throw notFound('SLA_SETTINGS_NOT_FOUND', 'no service levels yet');
    if (command.type === 'PublishCalendar') {
      const latest = state.calendars[state.calendars.length - 1];
      if (sameCalendar(latest.calendar, command.data.calendar)) return [];
      return [calendarPublished(command.data.calendar, latest.version + 1, at)];
    }
    const { priority, caseType, targets } = command.data;
    const current = state.policies[policyIdOf(priority, caseType)];
    if (current && sameTargets(current, targets)) return [];
    return [policyPublished(priority, caseType, targets, (current?.version ?? 0) + 1, at)];
  },
  evolve: (state, event) => {
    const settings = state.status === 'published' ? state : { calendars: [], policies: {} };
    if (event.type === 'BusinessCalendarPublished') {
      const version: CalendarVersion = {
        version: event.data.version,
        effectiveAt: Date.parse(event.data.effectiveAt),
        calendar: calendarOf(event.data),
      };
      return { ...settings, status: 'published', calendars: [...settings.calendars, version] };
    }
    const { effectiveAt, priority, caseType, ...targets } = event.data;
    const policy: PublishedPolicy = { ...targets, priority, ...(caseType ? { caseType } : {}), effectiveAt };
    return {
      ...settings,
      status: 'published',
      policies: { ...settings.policies, [event.data.policyId]: policy },
    };
  },
};

/** Business time in the published calendars, each from the moment it took effect. */
export function businessTimeOf(settings: SlaSettings): BusinessTime {
  if (settings.status === 'unpublished') throw new Error('no business calendar published yet');
  return calendarTimeline(settings.calendars);
}

/** The targets a case of this priority and type is opened under: its type's policy, else its priority's. */
export function targetsFor(settings: SlaSettings, priority: CasePriority, caseType: CaseType): SlaTargets {
  if (settings.status === 'unpublished') throw new Error('no SLA policy published yet');
  const policy = settings.policies[policyIdOf(priority, caseType)] ?? settings.policies[policyIdOf(priority)];
  const { priority: _p, caseType: _t, effectiveAt: _e, ...targets } = policy;
  return targets;
}
