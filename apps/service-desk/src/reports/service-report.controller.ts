import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiProblems, QUERY_PROBLEMS, Roles } from '@crm/service-kit';
import { PeriodQuery, SatisfactionQuery, SlaComplianceQuery, WindowQuery } from './service-report.dto';
import { ServiceReportQueries } from './service-report.queries';

/** The service desk's figures for support managers and analysts, from the `service` read model. */
@ApiTags('reports')
@Roles('support_manager', 'analyst', 'admin')
@Controller('reports/service')
export class ServiceReportController {
  constructor(private readonly reports: ServiceReportQueries) {}

  @Get('backlog')
  @ApiOperation({
    operationId: 'getServiceBacklog',
    summary: 'Open cases per queue (by status, unassigned, breached), the oldest and the median age',
  })
  @ApiOkResponse({ description: 'One row per queue with open cases, the fullest first' })
  @ApiProblems({ 503: QUERY_PROBLEMS[503] })
  backlog() {
    return this.reports.backlog();
  }

  @Get('workload')
  @ApiOperation({
    operationId: 'getServiceWorkload',
    summary: 'Per agent: open cases by status, breached among them, and cases solved in the window',
  })
  @ApiOkResponse({ description: 'One row per agent with open cases or cases solved in the window' })
  @ApiProblems(QUERY_PROBLEMS)
  workload(@Query() query: WindowQuery) {
    return this.reports.workload(query);
  }

  @Get('sla-compliance')
  @ApiOperation({
    operationId: 'getSlaCompliance',
    summary: 'Per SLA policy version and period: clocks met and breached, and the compliance %',
  })
  @ApiOkResponse({ description: 'One row per policy version and period, with each clock' })
  @ApiProblems(QUERY_PROBLEMS)
  slaCompliance(@Query() query: SlaComplianceQuery) {
    return this.reports.slaCompliance(query);
  }

  @Get('response-times')
  @ApiOperation({
    operationId: 'getServiceResponseTimes',
    summary: 'Per period: p50, p90 and p99 of the business minutes to first response and to resolution',
  })
  @ApiOkResponse({ description: 'One row per period' })
  @ApiProblems(QUERY_PROBLEMS)
  responseTimes(@Query() query: PeriodQuery) {
    return this.reports.responseTimes(query);
  }

  @Get('satisfaction')
  @ApiOperation({
    operationId: 'getServiceSatisfaction',
    summary: 'CSAT % and NPS with their counts, per period, and per agent or queue',
  })
  @ApiOkResponse({ description: 'One row per period (and agent or queue)' })
  @ApiProblems(QUERY_PROBLEMS)
  satisfaction(@Query() query: SatisfactionQuery) {
    return this.reports.satisfaction(query);
  }
}
