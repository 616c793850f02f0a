import { Body, Controller, Get, Param, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { CONSENT_CHANNELS, type CommandContext, type ConsentChannel } from '@crm/contracts';
import {
  BODY_COMMAND_PROBLEMS,
  CommandCtx,
  CommandEndpoint,
  ApiProblems,
  QUERY_PROBLEMS,
  Roles,
  type Role,
} from '@crm/service-kit';
import { CustomerIdParams } from './consent.dto';
import { ConsentService } from './consent.service';
import { STAFF_SUPPRESSION_REASONS, SuppressContactDto, SuppressionsQueryDto } from './suppression.dto';
import { SuppressionQueries } from './suppression.queries';

export class SuppressionOutcomeDto {
  @ApiProperty({ format: 'uuid' }) customerId!: string;
  @ApiProperty({ enum: STAFF_SUPPRESSION_REASONS }) reason!: string;
  @ApiPropertyOptional({ enum: CONSENT_CHANNELS, description: 'Absent: every channel' })
  channel?: ConsentChannel;
  @ApiProperty({
    enum: ['suppressed', 'unchanged'],
    description: 'unchanged: the ledger already suppresses that channel from no later (nothing recorded)',
  })
  outcome!: string;
  @ApiProperty({ description: "The revision of the customer's consent ledger" }) revision!: number;
}

const MARKETERS: [Role, ...Role[]] = ['marketer', 'admin'];
const READERS: [Role, ...Role[]] = ['marketer', 'analyst', 'admin'];

/**
 * Global suppression over HTTP: staff suppress a customer (`complaint`, `manual`) in the consent
 * ledger; the list is read from the read model `marketing.suppression`. A suppression is never
 * lifted (see README.md, "Suppressions").
 */
@ApiTags('consents')
@Controller()
export class SuppressionController {
  constructor(
    private readonly consents: ConsentService,
    private readonly suppressions: SuppressionQueries,
  ) {}

  @CommandEndpoint({
    path: 'customers/:customerId/suppressions',
    roles: MARKETERS,
    status: 201,
    operationId: 'suppressContact',
    summary:
      'Suppress a customer on one channel or every channel, whatever their consent (a complaint, or by hand); never lifted',
    description: 'Recorded (or unchanged)',
    type: SuppressionOutcomeDto,
    problems: { ...BODY_COMMAND_PROBLEMS, 422: 'effectiveAt later than now (CONSENT_EFFECTIVE_IN_FUTURE)' },
  })
  suppress(
    @Param() { customerId }: CustomerIdParams,
    @Body() dto: SuppressContactDto,
    @CommandCtx() context: CommandContext,
  ) {
    return this.consents.suppress(customerId, dto, context);
  }

  @Get('suppressions')
  @Roles(...READERS)
  @ApiOperation({
    operationId: 'listSuppressions',
    summary: 'Suppressions, newest recorded first, by reason and channel (from the read model)',
  })
  @ApiOkResponse({
    description: '`suppressions` and, when there are more, `next` (the `after` of the next page)',
  })
  @ApiProblems(QUERY_PROBLEMS)
  list(@Query() query: SuppressionsQueryDto) {
    return this.suppressions.list(query);
  }
}
