import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiProblems, CurrentPrincipal, QUERY_PROBLEMS, Roles, type Principal } from '@crm/service-kit';
import { requesterOf } from '../case/case.service';
import { CasePage, ListCasesQuery } from './case-list.dto';
import { CaseQueries } from './case.queries';

/** The case list of support agents and managers (a requester: their own cases), from the `service.case` read model. */
@ApiTags('cases')
@Controller()
export class CaseListController {
  constructor(private readonly cases: CaseQueries) {}

  @Get('cases')
  @Roles('support_agent', 'support_manager', 'admin', 'customer')
  @ApiOperation({
    operationId: 'listCases',
    summary:
      'Cases, newest first, filtered by status, type, priority, queue, assignee, customer or breach; paged',
  })
  @ApiOkResponse({ type: CasePage, description: 'A page of cases and the cursor of the next' })
  @ApiProblems({
    ...QUERY_PROBLEMS,
    400: 'A filter or paging parameter is unknown or invalid, or offset and cursor together (VALIDATION_FAILED, each named in `errors`)',
  })
  list(@Query() query: ListCasesQuery, @CurrentPrincipal() caller: Principal): Promise<CasePage> {
    return this.cases.list(query, requesterOf(caller));
  }
}
