import { Controller, Get, Query, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { ApiProblems, QUERY_PROBLEMS, Roles } from '@crm/service-kit';
import { ANALYTICS_READERS } from '../customer/customer.controller';
import { customerValueCsv, CustomerValueDashboardQuery } from './customer-value.dashboard';
import { toCsv, type CsvSection } from './csv';
import {
  CustomerValueQuery,
  FunnelQuery,
  MarketingQuery,
  PipelineQuery,
  ServiceQuery,
  type DashboardFormat,
} from './dashboard.dto';
import { FunnelDashboardQuery } from './funnel.dashboard';
import { MarketingDashboardQuery } from './marketing.dashboard';
import { PipelineDashboardQuery } from './pipeline.dashboard';
import { ServiceDashboardQuery } from './service.dashboard';

const JSON_OR_CSV = 'The figures as JSON, or with format=csv as text/csv (RFC 4180, the same figures)';

/** The dashboards: one GET per dashboard, as of any moment, JSON or CSV. */
@ApiTags('dashboards')
@Roles(...ANALYTICS_READERS)
@ApiProduces('application/json', 'text/csv')
@ApiProblems(QUERY_PROBLEMS)
@Controller('dashboards')
export class DashboardsController {
  constructor(
    private readonly funnels: FunnelDashboardQuery,
    private readonly pipelines: PipelineDashboardQuery,
    private readonly services: ServiceDashboardQuery,
    private readonly marketing: MarketingDashboardQuery,
    private readonly customerValues: CustomerValueDashboardQuery,
  ) {}

  @Get('funnel')
  @ApiOperation({
    operationId: 'getFunnelDashboard',
    summary:
      'Customers reaching each lifecycle stage, conversion to the next stage, median and p90 days in stage, per cohort month, channel, customer type or owner',
  })
  @ApiOkResponse({ description: JSON_OR_CSV })
  async funnel(@Query() q: FunnelQuery, @Res({ passthrough: true }) res: Response) {
    return answer(res, 'funnel', q.format, await this.funnels.run(q), FunnelDashboardQuery.csv);
  }

  @Get('pipeline')
  @ApiOperation({
    operationId: 'getPipelineDashboard',
    summary:
      'Open and weighted pipeline per forecast category and won revenue, at each date from..to by interval, as of min(date, asOf)',
  })
  @ApiOkResponse({ description: JSON_OR_CSV })
  async pipeline(@Query() q: PipelineQuery, @Res({ passthrough: true }) res: Response) {
    return answer(res, 'pipeline', q.format, await this.pipelines.run(q), PipelineDashboardQuery.csv);
  }

  @Get('service')
  @ApiOperation({
    operationId: 'getServiceDashboard',
    summary: 'SLA compliance per policy, priority and period; response and resolution p50/p90; CSAT and NPS',
  })
  @ApiOkResponse({ description: JSON_OR_CSV })
  async service(@Query() q: ServiceQuery, @Res({ passthrough: true }) res: Response) {
    return answer(res, 'service', q.format, await this.services.run(q), ServiceDashboardQuery.csv);
  }

  @Get('marketing')
  @ApiOperation({
    operationId: 'getMarketingDashboard',
    summary:
      'Per campaign: cost, attributed revenue and ROI by model (first touch, last touch, linear), leads, acquired customers, cost per lead and per acquired customer',
  })
  @ApiOkResponse({ description: JSON_OR_CSV })
  async marketingDashboard(@Query() q: MarketingQuery, @Res({ passthrough: true }) res: Response) {
    return answer(res, 'marketing', q.format, await this.marketing.run(q), MarketingDashboardQuery.csv);
  }

  @Get('customer-value')
  @ApiOperation({
    operationId: 'getCustomerValueDashboard',
    summary:
      'Historic and predicted CLV (BG/NBD + Gamma-Gamma), RFM segments and top customers, churn risk with reasons (paged)',
  })
  @ApiOkResponse({ description: JSON_OR_CSV })
  async customerValue(@Query() q: CustomerValueQuery, @Res({ passthrough: true }) res: Response) {
    return answer(res, 'customer-value', q.format, await this.customerValues.run(q), customerValueCsv);
  }
}

function answer<T>(
  res: Response,
  name: string,
  format: DashboardFormat | undefined,
  figures: T,
  csv: (figures: T) => CsvSection[],
): T | string {
  if (format !== 'csv') return figures;
  res.setHeader('content-type', 'text/csv; charset=utf-8');
  res.setHeader('content-disposition', `attachment; filename="${name}.csv"`);
  return toCsv(csv(figures));
}
