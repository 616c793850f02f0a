import { Controller } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import type { EventData } from '@crm/contracts';
import { CrmEventContext } from '@crm/messaging';
import { reactionContext } from '@crm/service-kit';
import { AccountService } from '../account/account.service';

/**
 * A won opportunity is recorded on the customer's account, which decides whether it was the
 * customer's acquisition (the first win) or an expansion (any later one) and emits that
 * lifecycle stage. Idempotent per opportunity, so redeliveries change nothing.
 */
@Controller()
export class WinRecordingReaction {
  constructor(private readonly accounts: AccountService) {}

  /**
   * Reacts to `OpportunityWon` (consumer `win-recording`), read through its contract: data that
   * breaks it never gets here (it is parked as `contract-violation`), so the account is not changed.
   */
  @EventPattern('crm.pipeline.OpportunityWon', { consumer: 'win-recording' })
  async opportunityWon(@Payload() won: EventData<'OpportunityWon'>, @Ctx() ctx: CrmEventContext) {
    await this.accounts.recordWin(
      won.customerId,
      { opportunityId: won.opportunityId, amount: won.amount, currency: won.currency, at: won.wonAt },
      reactionContext(ctx.getCloudEvent(), 'pipeline:win-recording'),
    );
  }
}
