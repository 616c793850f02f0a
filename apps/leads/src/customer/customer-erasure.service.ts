import { Inject, Injectable } from '@nestjs/common';
import { ERASED, assertValidEvent, commandTime, type CommandContext } from '@crm/contracts';
import { CommandHandler, notFound } from '@crm/decider';
import type { EventStore } from '@crm/event-store';
import {
  CustomerExportUnsupportedError,
  EVENT_STORE,
  PLATFORM_RUNTIME,
  exportCustomer,
  type PlatformRuntime,
} from '@crm/service-kit';
import { EmailClaims } from '../duplicates/email-claims';
import { LeadsConfig } from '../leads.config';
import {
  customerErasureDecider,
  customerStreamId,
  type CustomerErased,
  type CustomerPrivacyState,
  type EraseCustomer,
} from './customer-erasure.decider';

export interface ErasureResult {
  customerId: string;
  erasedAt: string;
  /** The customer had been erased before this request (nothing new happened). */
  alreadyErased: boolean;
}

/**
 * Erases a customer everywhere: frees their leads' e-mail claims (while the e-mails can still be
 * read), decides `CustomerErased` (published on crm.leads.events: every service masks its read
 * models), and destroys the customer's data key in the shared vault, which makes every personal
 * value sealed with it unreadable in every store and topic. Each step is idempotent: a request
 * that failed half-way is simply repeated. Every service also destroys the key when it hears the
 * event, so a crash after the event was stored still ends with the key gone.
 */
@Injectable()
export class CustomerErasureService {
  private readonly handler: CommandHandler<EraseCustomer, CustomerPrivacyState, CustomerErased>;
  private readonly claims: EmailClaims;

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(PLATFORM_RUNTIME) private readonly runtime: PlatformRuntime,
    config: LeadsConfig,
  ) {
    this.handler = new CommandHandler({
      store,
      decider: customerErasureDecider,
      schemaVersions: { CustomerErased: 1 },
      validateEvent: assertValidEvent,
      customerIdOf: (_state, command) => command.data.customerId,
    });
    this.claims = new EmailClaims(store, { orphanAfterMs: config.LEAD_EMAIL_ORPHAN_AFTER_SECONDS * 1000 });
  }

  async erase(customerId: string, reason: string, context: CommandContext): Promise<ErasureResult> {
    const stream = customerStreamId(customerId);
    const { state } = await this.handler.load(stream);
    // Every personal value of a customer, in any service, is sealed with their key: no key, no
    // personal data anywhere (or an id mistyped). Nothing to erase.
    if (state.status === 'active' && (await this.runtime.vault.openingKey(customerId)).status === 'none')
      throw notFound('CUSTOMER_NOT_FOUND', 'no personal data is held about this customer', { customerId });
    if (state.status === 'active') await this.releaseEmails(customerId, context);
    const result = await this.handler.handle(
      stream,
      {
        type: 'EraseCustomer',
        data: { customerId, reason, requestedAt: commandTime(context) },
      },
      context,
    );
    await this.runtime.vault.erase(customerId);
    if (result.state.status !== 'erased')
      throw new Error(`customer ${customerId} is not erased after erasure`);
    return { customerId, erasedAt: result.state.erasedAt, alreadyErased: state.status === 'erased' };
  }

  private async releaseEmails(customerId: string, context: CommandContext): Promise<void> {
    const held = await exportCustomer(this.store, 'leads', customerId).catch((error: unknown) => {
      // EventStoreDB cannot list a customer's events: their e-mails stay claimed.
      if (error instanceof CustomerExportUnsupportedError) return { events: [] };
      throw error;
    });
    for (const event of held.events) {
      if (event.type !== 'LeadCaptured') continue;
      const { leadId, email } = event.data as { leadId: string; email?: string };
      if (email !== undefined && email !== ERASED)
        await this.claims.release(email, { leadId, customerId }, context);
    }
  }
}
