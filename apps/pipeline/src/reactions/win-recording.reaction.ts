import { Injectable } from '@nestjs/common';
import { parseCloudEventType, type CloudEvent, type OpportunityWonV1 } from '@crm/contracts';
import { reactionContext } from '@crm/service-kit';
import { AccountService } from '../account/account.service';

/**
 * A won opportunity is recorded on the customer's account, which decides whether it was the
 * customer's acquisition (the first win) or an expansion (any later one) and emits that
 * lifecycle stage. Idempotent per opportunity, so redeliveries change nothing.
 */
@Injectable()
export class WinRecordingReaction {
  constructor(private readonly accounts: AccountService) {}

  async handle(event: CloudEvent): Promise<void> {
    const type = parseCloudEventType(event.type);
    if (type?.context !== 'pipeline' || type.eventType !== 'OpportunityWon' || type.schemaVersion !== 1)
      return;
    const won = event.data as OpportunityWonV1;
    await this.accounts.recordWin(
      won.customerId,
      { opportunityId: won.opportunityId, amount: won.amount, currency: won.currency, at: won.wonAt },
      reactionContext(event, 'pipeline:win-recording'),
    );
  }
}
