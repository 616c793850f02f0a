import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiProblems, QUERY_PROBLEMS } from '@crm/service-kit';
import { ForecastQuery } from './report.dto';
import { ReportQueries } from './report.queries';

@ApiTags('reports')
@Controller()
export class ReportController {
  constructor(private readonly reports: ReportQueries) {}

  @Get('forecast')
  @ApiOperation({ operationId: 'getForecast', summary: 'Weighted pipeline and forecast by owner and period' })
  @ApiOkResponse({ description: 'One row per owner and period' })
  @ApiProblems(QUERY_PROBLEMS)
  forecast(@Query() query: ForecastQuery) {
    return this.reports.forecast(query);
  }

  @Get('reports/win-loss')
  @ApiOperation({
    operationId: 'getWinLossReport',
    summary: 'Won and lost counts, win rate, and loss reasons',
  })
  @ApiOkResponse({ description: 'The report' })
  @ApiProblems({ 503: QUERY_PROBLEMS[503] })
  winLoss() {
    return this.reports.winLoss();
  }

  @Get('reports/sales-performance')
  @ApiOperation({
    operationId: 'getSalesPerformanceReport',
    summary: 'Won revenue, win rate and average cycle time per owner',
  })
  @ApiOkResponse({ description: 'One row per owner' })
  @ApiProblems({ 503: QUERY_PROBLEMS[503] })
  salesPerformance() {
    return this.reports.salesPerformance();
  }
}
