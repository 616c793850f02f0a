import { Inject, Injectable } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { notFound } from '@crm/decider';
import { READ_MODEL_DB, inScope, recordScope, type Principal } from '@crm/service-kit';
import { AccountRow, ContactRow } from './account.read-model';
import { OpportunityRow } from './opportunity.read-model';

@Injectable()
export class AccountQueries {
  constructor(@Inject(READ_MODEL_DB) private readonly db: DataSource) {}

  /** The customer's account with its contacts and the opportunities the caller may read. */
  async byId(accountId: string, caller?: Principal) {
    const account = await this.db.getRepository(AccountRow).findOneBy({ accountId });
    if (!account) throw notFound('ACCOUNT_NOT_FOUND', 'no account with this id', { accountId });
    const [contacts, opportunities] = await Promise.all([
      this.db.getRepository(ContactRow).find({ where: { accountId }, order: { name: 'ASC' } }),
      this.db.getRepository(OpportunityRow).find({ where: { accountId }, order: { openedAt: 'ASC' } }),
    ]);
    const scope = recordScope(caller, 'read');
    return { ...account, contacts, opportunities: opportunities.filter((o) => inScope(scope, o.ownerId)) };
  }
}
