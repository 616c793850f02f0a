import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiProblems, CustomerIdParams, QUERY_PROBLEMS, Roles, type Role } from '@crm/service-kit';
import { AsOfQuery, Customer360View, TimelinePage, TimelineQuery } from './customer.dto';
import { CustomerQueries } from './customer.queries';

/** Who reads analytics: analysts, the sales and support managers, admins. */
export const ANALYTICS_READERS: [Role, ...Role[]] = ['analyst', 'sales_manager', 'support_manager', 'admin'];

const NOT_FOUND = 'No customer with this id as of asOf (CUSTOMER_NOT_FOUND)';

/** The customer 360: one customer's profile, stages, key figures and timeline, as of any moment. */
@ApiTags('customers')
@Roles(...ANALYTICS_READERS)
@Controller('customers/:customerId')
export class CustomerController {
  constructor(private readonly customers: CustomerQueries) {}

  @Get('360')
  @ApiOperation({
    operationId: 'getCustomer360',
    summary:
      'Profile, current stage and stage history, won revenue, orders, open cases, last CSAT and NPS, RFM segment and churn risk with its reasons, as of asOf',
  })
  @ApiOkResponse({ type: Customer360View })
  @ApiProblems({ ...QUERY_PROBLEMS, 404: NOT_FOUND })
  view360(@Param() { customerId }: CustomerIdParams, @Query() query: AsOfQuery) {
    return this.customers.view360(customerId, query.asOf);
  }

  @Get('timeline')
  @ApiOperation({
    operationId: 'getCustomerTimeline',
    summary:
      'Every interaction of the customer in every context and channel, newest first, paged by `before`',
  })
  @ApiOkResponse({ type: TimelinePage })
  @ApiProblems({ ...QUERY_PROBLEMS, 404: NOT_FOUND })
  timeline(@Param() { customerId }: CustomerIdParams, @Query() query: TimelineQuery) {
    return this.customers.timeline(customerId, query);
  }
}
