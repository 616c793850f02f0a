import { Body, Controller, Get, Param, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { commandTime, type CommandContext } from '@crm/contracts';
import {
  ApiProblems,
  BODY_COMMAND_PROBLEMS,
  CommandCtx,
  CommandEndpoint,
  ETAG_HEADER,
  IfMatchRevision,
  QUERY_PROBLEMS,
  Roles,
  etagFor,
} from '@crm/service-kit';
import type { BusinessCalendar, Weekday } from './business-hours.calendar';
import { CalendarDto, PolicyDto, PriorityParams } from './sla-settings.dto';
import { SlaSettingsService, type PublishedSlaSettings } from './sla-settings.service';
import { MANAGERS } from '../service-desk.roles';

export class SlaSettingsAcceptedDto {
  @ApiProperty({ description: 'Revision of the service levels (their ETag)' }) revision!: number;
  @ApiProperty({ description: 'Version of the calendar in force' }) calendarVersion!: number;
  @ApiProperty({ description: 'Policies in force: id → version' }) policies!: Record<string, number>;
}

const INVALID =
  'The calendar cannot be used: unknown time zone, overlapping intervals, never open (CALENDAR_INVALID, `details.problems`)';

/** The service levels as versioned events: every change a new version, from the moment it is published. */
@ApiTags('service levels')
@Controller('sla')
export class SlaSettingsController {
  constructor(private readonly settings: SlaSettingsService) {}

  private accepted(res: Response, state: PublishedSlaSettings, revision: number): SlaSettingsAcceptedDto {
    res.setHeader('ETag', etagFor(revision));
    return {
      revision,
      calendarVersion: state.calendars[state.calendars.length - 1].version,
      policies: Object.fromEntries(Object.entries(state.policies).map(([id, p]) => [id, p.version])),
    };
  }

  @Get()
  @Roles('support_agent', 'support_manager', 'analyst', 'admin')
  @ApiOperation({
    operationId: 'getSlaSettings',
    summary: 'Every calendar version and the policies in force',
  })
  @ApiOkResponse({ description: 'The service levels', headers: ETAG_HEADER })
  @ApiProblems({ 503: QUERY_PROBLEMS[503] })
  async get(@Res({ passthrough: true }) res: Response) {
    const { state, revision } = await this.settings.current();
    res.setHeader('ETag', etagFor(revision));
    return {
      revision,
      calendars: state.calendars.map(({ version, effectiveAt, calendar }) => ({
        version,
        effectiveAt: new Date(effectiveAt).toISOString(),
        ...calendar,
      })),
      policies: Object.values(state.policies),
    };
  }

  @CommandEndpoint({
    method: 'put',
    path: 'calendar',
    roles: MANAGERS,
    operationId: 'publishBusinessCalendar',
    summary: 'Publish a new business calendar version: SLA clocks count it from now on',
    description: 'Published (or unchanged, when it is the calendar in force)',
    type: SlaSettingsAcceptedDto,
    ifMatch: 'service levels',
    problems: { ...BODY_COMMAND_PROBLEMS, 422: INVALID },
  })
  async publishCalendar(
    @Body() dto: CalendarDto,
    @IfMatchRevision() expectedRevision: number | undefined,
    @CommandCtx() context: CommandContext,
    @Res({ passthrough: true }) res: Response,
  ) {
    const weekly: BusinessCalendar['weekly'] = {};
    for (const { weekday, start, end } of dto.hours) (weekly[weekday as Weekday] ??= []).push({ start, end });
    const calendar: BusinessCalendar = { timeZone: dto.timeZone, weekly, holidays: dto.holidays };
    const at = commandTime(context);
    const { state, revision } = await this.settings.publish(
      { type: 'PublishCalendar', data: { calendar, at } },
      context,
      { expectedRevision },
    );
    return this.accepted(res, state as PublishedSlaSettings, revision);
  }

  @CommandEndpoint({
    method: 'put',
    path: 'policies/:priority',
    roles: MANAGERS,
    operationId: 'publishSlaPolicy',
    summary:
      'Publish a new SLA policy version for a priority (and case type): cases opened from now on get it',
    description: 'Published (or unchanged, when it is the policy in force)',
    type: SlaSettingsAcceptedDto,
    ifMatch: 'service levels',
    problems: BODY_COMMAND_PROBLEMS,
  })
  async publishPolicy(
    @Param() { priority }: PriorityParams,
    @Body() { caseType, ...targets }: PolicyDto,
    @IfMatchRevision() expectedRevision: number | undefined,
    @CommandCtx() context: CommandContext,
    @Res({ passthrough: true }) res: Response,
  ) {
    const at = commandTime(context);
    const data = { priority, ...(caseType ? { caseType } : {}), targets, at };
    const { state, revision } = await this.settings.publish({ type: 'PublishPolicy', data }, context, {
      expectedRevision,
    });
    return this.accepted(res, state as PublishedSlaSettings, revision);
  }
}
