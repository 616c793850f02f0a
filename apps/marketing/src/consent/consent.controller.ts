import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import {
  CONSENT_CHANNELS,
  CONSENT_PURPOSES,
  type CommandContext,
  type ConsentChannel,
  type ConsentPurpose,
} from '@crm/contracts';
import {
  ApiCommandResult,
  ApiProblems,
  BODY_COMMAND_PROBLEMS,
  CommandCtx,
  CommandEndpoint,
  NO_BODY_COMMAND_PROBLEMS,
  NoBody,
  Public,
  QUERY_PROBLEMS,
  Roles,
  type Role,
} from '@crm/service-kit';
import {
  ConfirmTokenParams,
  ConsentQueryDto,
  CustomerIdParams,
  GrantConsentDto,
  WithdrawConsentDto,
} from './consent.dto';
import { ConsentService } from './consent.service';

export class ConsentOutcomeDto {
  @ApiProperty({ format: 'uuid' }) customerId!: string;
  @ApiProperty({ enum: CONSENT_PURPOSES }) purpose!: ConsentPurpose;
  @ApiProperty({ enum: CONSENT_CHANNELS }) channel!: ConsentChannel;
  @ApiProperty({
    enum: ['granted', 'double_opt_in_requested', 'withdrawn', 'unchanged'],
    description: 'unchanged: the ledger already said so (nothing recorded)',
  })
  outcome!: string;
  @ApiProperty({ description: "The revision of the customer's consent ledger" }) revision!: number;
  @ApiPropertyOptional({
    description: 'A double opt-in: the signed, single-use link to send the customer (POST it to confirm)',
  })
  confirmationLink?: string;
  @ApiPropertyOptional({ format: 'date-time' }) linkExpiresAt?: string;
}

const MARKETERS: [Role, ...Role[]] = ['marketer', 'admin'];
const RULES = '422: effectiveAt later than now (CONSENT_EFFECTIVE_IN_FUTURE)';

@ApiTags('consents')
@Controller()
export class ConsentController {
  constructor(private readonly consents: ConsentService) {}

  @CommandEndpoint({
    path: 'customers/:customerId/consents',
    roles: MARKETERS,
    status: 201,
    operationId: 'grantConsent',
    summary:
      'Record a consent (or another lawful basis) for a purpose and channel; e-mail consent asks for a double opt-in',
    description: 'Recorded (or unchanged); for e-mail consent, the confirmation link',
    type: ConsentOutcomeDto,
    problems: { ...BODY_COMMAND_PROBLEMS, 422: RULES },
  })
  grant(
    @Param() { customerId }: CustomerIdParams,
    @Body() dto: GrantConsentDto,
    @CommandCtx() context: CommandContext,
  ) {
    return this.consents.grant(customerId, dto, context);
  }

  @CommandEndpoint({
    path: 'customers/:customerId/consents/withdraw',
    roles: MARKETERS,
    status: 201,
    operationId: 'withdrawConsent',
    summary: 'Record a withdrawal (or objection) for a purpose and channel, from when the customer asked',
    description: 'Recorded (or unchanged)',
    type: ConsentOutcomeDto,
    problems: { ...BODY_COMMAND_PROBLEMS, 422: RULES },
  })
  withdraw(
    @Param() { customerId }: CustomerIdParams,
    @Body() dto: WithdrawConsentDto,
    @CommandCtx() context: CommandContext,
  ) {
    return this.consents.withdraw(customerId, dto, context);
  }

  @Post('consents/confirm/:token')
  @Public()
  @HttpCode(200)
  @ApiOperation({
    operationId: 'confirmConsent',
    summary: 'The customer confirms an e-mail consent through the signed, single-use link (no sign-in)',
  })
  @ApiCommandResult({
    status: 200,
    description: 'Confirmed: the consent is granted',
    type: ConsentOutcomeDto,
  })
  @ApiProblems({
    ...NO_BODY_COMMAND_PROBLEMS,
    404: 'The link is forged or altered (DOUBLE_OPT_IN_LINK_INVALID)',
    409: 'Used already (DOUBLE_OPT_IN_ALREADY_CONFIRMED)',
    422: 'Expired (DOUBLE_OPT_IN_EXPIRED), or the customer withdrew since (DOUBLE_OPT_IN_WITHDRAWN)',
  })
  confirm(
    @Param() { token }: ConfirmTokenParams,
    @NoBody() _body: undefined,
    @CommandCtx() context: CommandContext,
  ) {
    return this.consents.confirm(token, context);
  }

  @Get('customers/:customerId/consents')
  @Roles(...MARKETERS)
  @ApiOperation({
    operationId: 'getConsents',
    summary:
      'Could we contact the customer at time `at`, as we knew it at `asKnownAt`: per purpose and channel, allowed or why not, and the ledger entry it rests on',
  })
  @ApiOkResponse({ description: 'One answer per purpose and channel asked' })
  @ApiProblems(QUERY_PROBLEMS)
  get(@Param() { customerId }: CustomerIdParams, @Query() query: ConsentQueryDto) {
    return this.consents.query(customerId, query);
  }
}
