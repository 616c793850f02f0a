import { Body, Controller, Get, HttpCode, Param, Patch, Post, Res } from '@nestjs/common';
import { ApiConflictResponse, ApiNotFoundResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import type { CommandContext } from '@crm/contracts';
import { CommandCtx, IfMatchRevision, etagFor } from '@crm/service-kit';
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

@ApiTags('accounts')
@ApiNotFoundResponse({ description: 'No such account or contact' })
@ApiConflictResponse({ description: 'Stale If-Match, or a duplicate' })
@Controller('accounts')
export class AccountController {
  constructor(
    private readonly accounts: AccountService,
    private readonly queries: AccountQueries,
  ) {}

  @Post()
  @HttpCode(201)
  async create(
    @Body() dto: CreateAccountDto,
    @CommandCtx() context: CommandContext,
    @Res({ passthrough: true }) res: Response,
  ) {
    const { ownerId, ...profile } = dto;
    const result = await this.accounts.open(
      { profile: { customerType: 'prospect', ...profile }, ...(ownerId ? { ownerId } : {}) },
      context,
    );
    res.setHeader('Location', `/accounts/${result.account.customerId}`);
    return accepted(res, result);
  }

  @Get(':id')
  async get(@Param() { id }: AccountIdParams, @Res({ passthrough: true }) res: Response) {
    const account = await this.queries.byId(id);
    res.setHeader('ETag', etagFor(account.revision));
    return account;
  }

  @Patch(':id')
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
  @HttpCode(201)
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
