import { IsInt, IsOptional, IsString, Max, Min } from 'class-validator';
import type { CasePriority } from '@crm/contracts';
import { ServiceConfig } from '@crm/service-kit';
import { calendarProblems, type BusinessCalendar } from './sla/business-hours.calendar';
import type { SlaPolicyTargets } from './sla/sla-settings.decider';

/** Monday to Friday, 09:00-18:00, Madrid time; no holidays. Set SLA_CALENDAR for yours. */
export const DEFAULT_CALENDAR: BusinessCalendar = {
  timeZone: 'Europe/Madrid',
  weekly: Object.fromEntries([1, 2, 3, 4, 5].map((d) => [d, [{ start: '09:00', end: '18:00' }]])),
  holidays: [],
};

type PolicyTable = Record<CasePriority, SlaPolicyTargets>;

/** Targets per priority, in business minutes; breaches of urgent and high cases go to tier 2. */
export const DEFAULT_POLICIES: PolicyTable = {
  urgent: {
    firstResponseMinutes: 30,
    nextResponseMinutes: 60,
    resolutionMinutes: 240,
    warningShare: 0.8,
    escalateToQueue: 'tier-2',
  },
  high: {
    firstResponseMinutes: 60,
    nextResponseMinutes: 120,
    resolutionMinutes: 480,
    warningShare: 0.8,
    escalateToQueue: 'tier-2',
  },
  normal: { firstResponseMinutes: 240, nextResponseMinutes: 480, resolutionMinutes: 1440, warningShare: 0.8 },
  low: { firstResponseMinutes: 480, nextResponseMinutes: 960, resolutionMinutes: 2880, warningShare: 0.8 },
};

/** Every setting of the service desk, validated once at start-up. */
export class ServiceDeskConfig extends ServiceConfig {
  override PORT = 3003;

  /**
   * JSON business calendar: {timeZone, weekly: {"1": [{start, end}], ...}, holidays: ["YYYY-MM-DD"]}.
   * Published as version 1 on the first start; later versions through `PUT /sla/calendar`.
   */
  @IsOptional()
  @IsString()
  SLA_CALENDAR?: string;

  /**
   * JSON SLA targets per priority (see DEFAULT_POLICIES), published as version 1 on the first
   * start; later versions through `PUT /sla/policies`. Every case records the version it runs under.
   */
  @IsOptional()
  @IsString()
  SLA_POLICIES?: string;

  /** How long after being solved a customer's reply reopens a case (after it, a follow-up case). */
  @IsInt()
  @Min(0)
  @Max(24 * 365)
  CASE_REOPEN_WINDOW_HOURS: number = 168;

  /** How often the SLA timers are polled, in milliseconds. */
  @IsInt()
  @Min(10)
  @Max(60_000)
  SLA_POLL_INTERVAL_MS: number = 1000;

  /** Key signing the single-use satisfaction survey links (a secret). Unset: a development key. */
  @IsOptional()
  @IsString()
  CSAT_LINK_SECRET?: string;

  private cache?: { calendar: BusinessCalendar; policies: PolicyTable };

  /** The configured calendar: the first published version. */
  get calendar(): BusinessCalendar {
    return this.parsed().calendar;
  }

  /** The configured targets per priority: the first published version of each policy. */
  get policies(): PolicyTable {
    return this.parsed().policies;
  }

  get csatSecret(): string {
    return this.CSAT_LINK_SECRET ?? 'development csat link key';
  }

  private parsed() {
    if (this.cache) return this.cache;
    const calendar: BusinessCalendar = this.SLA_CALENDAR ? JSON.parse(this.SLA_CALENDAR) : DEFAULT_CALENDAR;
    const problems = calendarProblems(calendar);
    if (problems.length > 0) throw new Error(`SLA_CALENDAR: ${problems.join('; ')}`);
    const policies: PolicyTable = this.SLA_POLICIES
      ? { ...DEFAULT_POLICIES, ...JSON.parse(this.SLA_POLICIES) }
      : DEFAULT_POLICIES;
    this.cache = { calendar, policies };
    return this.cache;
  }
}
