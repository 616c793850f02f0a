import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { assertValidEvent, commandTime, type AccountProfile, type CommandContext } from '@crm/contracts';
import { CommandHandler } from '@crm/decider';
import type { EventStore } from '@crm/event-store';
import { EVENT_STORE } from '@crm/service-kit';
import {
  accountDecider,
  type Account,
  type AccountCommand,
  type AccountState,
  type ContactDetails,
} from './account.decider';
import { ACCOUNT_SCHEMA_VERSIONS, accountStreamId, type AccountEvent } from './account.events';

export interface AccountResult {
  account: Account;
  revision: number;
}

/** Commands on the customer's account (the account id is the customer id). */
@Injectable()
export class AccountService {
  private readonly handler: CommandHandler<AccountCommand, AccountState, AccountEvent>;

  constructor(@Inject(EVENT_STORE) store: EventStore) {
    this.handler = new CommandHandler({
      store,
      decider: accountDecider,
      schemaVersions: ACCOUNT_SCHEMA_VERSIONS,
      // Checked against its published contract before it is stored.
      validateEvent: assertValidEvent,
      customerIdOf: (state) => state!.customerId,
    });
  }

  load(customerId: string) {
    return this.handler.load(accountStreamId(customerId));
  }

  open(
    input: { customerId?: string; profile: AccountProfile; ownerId?: string; fromLeadId?: string },
    context: CommandContext,
  ): Promise<AccountResult> {
    const customerId = input.customerId ?? randomUUID();
    return this.run(
      customerId,
      { type: 'OpenAccount', data: { ...input, customerId, at: commandTime(context) } },
      context,
    );
  }

  updateProfile(
    customerId: string,
    changes: Partial<AccountProfile>,
    context: CommandContext,
    expected?: number,
  ) {
    return this.run(
      customerId,
      { type: 'UpdateAccountProfile', data: { changes, at: commandTime(context) } },
      context,
      expected,
    );
  }

  addContact(
    customerId: string,
    contact: ContactDetails & { contactId?: string },
    context: CommandContext,
    expected?: number,
  ) {
    const data = { ...contact, contactId: contact.contactId ?? randomUUID(), at: commandTime(context) };
    return this.run(customerId, { type: 'AddContact', data }, context, expected);
  }

  updateContact(
    customerId: string,
    contactId: string,
    changes: Partial<ContactDetails>,
    context: CommandContext,
    expected?: number,
  ) {
    return this.run(
      customerId,
      { type: 'UpdateContact', data: { contactId, changes, at: commandTime(context) } },
      context,
      expected,
    );
  }

  recordWin(
    customerId: string,
    win: { opportunityId: string; amount: number; currency: string; at: string },
    context: CommandContext,
  ) {
    return this.run(customerId, { type: 'RecordWin', data: win }, context);
  }

  private async run(
    customerId: string,
    command: AccountCommand,
    context: CommandContext,
    expectedRevision?: number,
  ): Promise<AccountResult> {
    const result = await this.handler.handle(accountStreamId(customerId), command, context, {
      expectedRevision,
    });
    return { account: result.state!, revision: result.revision };
  }
}
