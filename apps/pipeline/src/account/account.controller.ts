import { Body, Controller, Get, HttpCode, Param, Patch, Post, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import type { CommandContext } from '@crm/contracts';
import {
  ApiCommandResult,
  ApiIfMatch,
  ApiProblems,
  BODY_COMMAND_PROBLEMS,
  CommandCtx,
  CurrentPrincipal,
  STAFF_ROLES,
  ETAG_HEADER,
  IfMatchRevision,
  QUERY_PROBLEMS,
  Roles,
  etagFor,
  type Principal,
  type Role,
} from '@crm/service-kit';
import { AccountQueries } from '../read-model/account.queries';
import {
  AccountIdParams,
  AccountProfileChangesDto,
  ContactChangesDto,
  ContactDto,
  ContactIdParams,
  CreateAccountDto,
} from './account.dto';
import { AccountService, type AccountResult } from './account.service';

function accepted(res: Response, { account, revision }: AccountResult) {
  res.setHeader('ETag', etagFor(revision));
  return {
    id: account.customerId,
    customerId: account.customerId,
    revision,
    name: account.profile.name,
    lifecycleStage: account.stage,
    contacts: Object.values(account.contacts).map((c) => ({
      contactId: c.contactId,
      name: c.name,
      role: c.role,
    })),
  };
}

const NOT_FOUND = 'No account with this id (ACCOUNT_NOT_FOUND)';

/**
 * The customer's record is shared by everyone who serves the customer: sales opens it, sales and
 * support keep it up to date, every role reads it (its opportunities filtered to the reader's
 * record scope).
 */
const EDITORS: [Role, ...Role[]] = [
  'sales_rep',
  'sales_manager',
  'support_agent',
  'support_manager',
  'admin',
];
const EVERYONE = STAFF_ROLES;

@ApiTags('accounts')
@Controller('accounts')
export class AccountController {
  constructor(
    private readonly accounts: AccountService,
    private readonly queries: AccountQueries,
  ) {}

  @Post()
  @Roles('sales_rep', 'sales_manager', 'admin')
  @HttpCode(201)
  @ApiOperation({ operationId: 'createAccount', summary: "Open a customer's account (a new customer id)" })
  @ApiCommandResult({ status: 201, description: 'Opened', location: true })
  @ApiProblems(BODY_COMMAND_PROBLEMS)
  async create(
    @Body() dto: CreateAccountDto,
    @CommandCtx() context: CommandContext,
    @Res({ passthrough: true }) res: Response,
  ) {
    // A DTO holds every field it declares, left out or not: defaults go after the spread.
    const { ownerId, ...profile } = dto;
    const result = await this.accounts.open(
      {
        profile: { ...profile, customerType: profile.customerType ?? 'prospect' },
        ...(ownerId ? { ownerId } : {}),
      },
      context,
    );
    res.setHeader('Location', `/accounts/${result.account.customerId}`);
    return accepted(res, result);
  }

  @Get(':id')
  @Roles(...EVERYONE)
  @ApiOperation({ operationId: 'getAccount', summary: 'Read an account with its contacts and opportunities' })
  @ApiOkResponse({ description: 'The account, as the read model has it', headers: ETAG_HEADER })
  @ApiProblems({ ...QUERY_PROBLEMS, 404: NOT_FOUND })
  async get(
    @Param() { id }: AccountIdParams,
    @CurrentPrincipal() caller: Principal,
    @Res({ passthrough: true }) res: Response,
  ) {
    const account = await this.queries.byId(id, caller);
    res.setHeader('ETag', etagFor(account.revision));
    return account;
  }

  @Patch(':id')
  @Roles(...EDITORS)
  @ApiOperation({ operationId: 'updateAccount', summary: "Change the customer's record" })
  @ApiCommandResult({ status: 200, description: 'Changed (or already so)' })
  @ApiIfMatch('account')
  @ApiProblems({ ...BODY_COMMAND_PROBLEMS, 404: NOT_FOUND })
  async update(
    @Param() { id }: AccountIdParams,
    @Body() dto: AccountProfileChangesDto,
    @IfMatchRevision() expected: number | undefined,
    @CommandCtx() context: CommandContext,
    @Res({ passthrough: true }) res: Response,
  ) {
    return accepted(res, await this.accounts.updateProfile(id, dto, context, expected));
  }

  @Post(':id/contacts')
  @Roles(...EDITORS)
  @HttpCode(201)
  @ApiOperation({ operationId: 'addContact', summary: 'Add a contact, with a role, to the account' })
  @ApiCommandResult({ status: 201, description: 'Added' })
  @ApiIfMatch('account')
  @ApiProblems({
    ...BODY_COMMAND_PROBLEMS,
    404: NOT_FOUND,
    409: `Another contact of the account has this e-mail (CONTACT_EMAIL_TAKEN). ${BODY_COMMAND_PROBLEMS[409]}`,
  })
  async addContact(
    @Param() { id }: AccountIdParams,
    @Body() dto: ContactDto,
    @IfMatchRevision() expected: number | undefined,
    @CommandCtx() context: CommandContext,
    @Res({ passthrough: true }) res: Response,
  ) {
    return accepted(
      res,
      await this.accounts.addContact(id, { ...dto, email: dto.email?.toLowerCase() }, context, expected),
    );
  }

  @Patch(':id/contacts/:contactId')
  @Roles(...EDITORS)
  @ApiOperation({ operationId: 'updateContact', summary: 'Change a contact of the account' })
  @ApiCommandResult({ status: 200, description: 'Changed (or already so)' })
  @ApiIfMatch('account')
  @ApiProblems({
    ...BODY_COMMAND_PROBLEMS,
    404: 'No account with this id (ACCOUNT_NOT_FOUND), or no such contact in it (CONTACT_NOT_FOUND)',
  })
  async updateContact(
    @Param() { id, contactId }: ContactIdParams,
    @Body() dto: ContactChangesDto,
    @IfMatchRevision() expected: number | undefined,
    @CommandCtx() context: CommandContext,
    @Res({ passthrough: true }) res: Response,
  ) {
    return accepted(res, await this.accounts.updateContact(id, contactId, dto, context, expected));
  }
}
