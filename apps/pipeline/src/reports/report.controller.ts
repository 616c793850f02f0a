import { Controller, Get, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { ForecastQuery } from './report.dto';
import { ReportQueries } from './report.queries';

@ApiTags('reports')
@Controller()
export class ReportController {
  constructor(private readonly reports: ReportQueries) {}

  /** Weighted pipeline and forecast by owner and period. */
  @Get('forecast')
  forecast(@Query() query: ForecastQuery) {
    return this.reports.forecast(query);
  }

  /** Won and lost counts, win rate, and loss reasons. */
  @Get('reports/win-loss')
  winLoss() {
    return this.reports.winLoss();
  }

  /** Won revenue, win rate and average cycle time per owner. */
  @Get('reports/sales-performance')
  salesPerformance() {
    return this.reports.salesPerformance();
  }
}
