import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiProblems, CurrentPrincipal, QUERY_PROBLEMS, Roles, type Principal } from '@crm/service-kit';
import { ForecastQuery } from './report.dto';
import { ReportQueries } from './report.queries';

/** Figures of the caller's record scope: a rep's own forecast, a manager's team, everything for analysts. */
@ApiTags('reports')
@Controller()
export class ReportController {
  constructor(private readonly reports: ReportQueries) {}

  @Get('forecast')
  @Roles('sales_rep', 'sales_manager', 'analyst', 'admin')
  @ApiOperation({ operationId: 'getForecast', summary: 'Weighted pipeline and forecast by owner and period' })
  @ApiOkResponse({ description: 'One row per owner and period' })
  @ApiProblems(QUERY_PROBLEMS)
  forecast(@Query() query: ForecastQuery, @CurrentPrincipal() caller: Principal) {
    return this.reports.forecast(query, caller);
  }

  @Get('reports/win-loss')
  @Roles('sales_manager', 'analyst', 'admin')
  @ApiOperation({
    operationId: 'getWinLossReport',
    summary: 'Won and lost counts, win rate, and loss reasons',
  })
  @ApiOkResponse({ description: 'The report' })
  @ApiProblems({ 503: QUERY_PROBLEMS[503] })
  winLoss(@CurrentPrincipal() caller: Principal) {
    return this.reports.winLoss(caller);
  }

  @Get('reports/sales-performance')
  @Roles('sales_manager', 'analyst', 'admin')
  @ApiOperation({
    operationId: 'getSalesPerformanceReport',
    summary: 'Won revenue, win rate and average cycle time per owner',
  })
  @ApiOkResponse({ description: 'One row per owner' })
  @ApiProblems({ 503: QUERY_PROBLEMS[503] })
  salesPerformance(@CurrentPrincipal() caller: Principal) {
    return this.reports.salesPerformance(caller);
  }
}
