import { Controller } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import type { EventData } from '@crm/contracts';
import type { CrmEventContext, CrmEventExtras } from '@crm/messaging';
import { returned } from '../profile/profile.queries';
import { consentRowOf, withoutEvidence } from './consent-read-model';
import type { ConsentEvent } from './consent.events';

const CONSENTS: CrmEventExtras = { consumer: 'marketing-consents' };

/**
 * The consent read model from crm.marketing.events (consumer `marketing-consents`, in the
 * consumer's transaction). Per customer, `marketing.consent_ledger` keeps the last revision of
 * `consent-<customerId>` taken (an event delivered again or late changes nothing) and the entries
 * without evidence; each grant, withdrawal or double opt-in entry writes the row of its purpose and
 * channel in `marketing.consent` as `consentRowOf` reads the entries; each `ContactSuppressed` is a
 * row of `marketing.suppression`. Erasure (`crm.leads.CustomerErased`): the customer's rows are
 * deleted and later entries of theirs are not projected.
 */
@Controller()
export class ConsentProjection {
  @EventPattern('crm.marketing.ConsentGranted', CONSENTS)
  granted(@Payload() data: EventData<'ConsentGranted'>, @Ctx() ctx: CrmEventContext) {
    return this.entry(ctx, { type: 'ConsentGranted', data });
  }

  @EventPattern('crm.marketing.ConsentWithdrawn', CONSENTS)
  withdrawn(@Payload() data: EventData<'ConsentWithdrawn'>, @Ctx() ctx: CrmEventContext) {
    return this.entry(ctx, { type: 'ConsentWithdrawn', data });
  }

  @EventPattern('crm.marketing.DoubleOptInRequested', CONSENTS)
  requested(@Payload() data: EventData<'DoubleOptInRequested'>, @Ctx() ctx: CrmEventContext) {
    return this.entry(ctx, { type: 'DoubleOptInRequested', data });
  }

  @EventPattern('crm.marketing.DoubleOptInConfirmed', CONSENTS)
  confirmed(@Payload() data: EventData<'DoubleOptInConfirmed'>, @Ctx() ctx: CrmEventContext) {
    return this.entry(ctx, { type: 'DoubleOptInConfirmed', data });
  }

  @EventPattern('crm.marketing.ContactSuppressed', CONSENTS)
  async suppressed(@Payload() data: EventData<'ContactSuppressed'>, @Ctx() ctx: CrmEventContext) {
    if (!(await this.entry(ctx, { type: 'ContactSuppressed', data }))) return;
    await ctx.getManager().query(
      `INSERT INTO marketing.suppression (customer_id, revision, channel, reason, note, effective_at, recorded_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING`,
      [
        data.customerId,
        ctx.getRevision(),
        data.channel ?? null,
        data.reason,
        data.note ?? null,
        new Date(data.effectiveAt),
        new Date(data.recordedAt),
      ],
    );
  }

  @EventPattern('crm.leads.CustomerErased', CONSENTS)
  async erased(@Payload() d: EventData<'CustomerErased'>, @Ctx() ctx: CrmEventContext) {
    const m = ctx.getManager();
    await m.query(
      `INSERT INTO marketing.consent_ledger (customer_id, revision, erased_at) VALUES ($1, -1, $2)
       ON CONFLICT (customer_id) DO UPDATE
         SET entries = '[]', erased_at = COALESCE(consent_ledger.erased_at, EXCLUDED.erased_at), updated_at = now()`,
      [d.customerId, new Date(d.erasedAt)],
    );
    await m.query('DELETE FROM marketing.consent WHERE customer_id = $1', [d.customerId]);
    await m.query('DELETE FROM marketing.suppression WHERE customer_id = $1', [d.customerId]);
  }

  /**
   * Takes an entry of the customer's ledger once, in order: false when it was taken already or
   * the customer is erased. A grant, withdrawal or double opt-in entry rewrites its row.
   */
  private async entry(ctx: CrmEventContext, event: ConsentEvent): Promise<boolean> {
    const m = ctx.getManager();
    const { customerId } = event.data;
    const [ledger] = returned<{ entries: ConsentEvent[]; erased_at: Date | null }>(
      await m.query(
        `INSERT INTO marketing.consent_ledger (customer_id, revision) VALUES ($1, $2)
         ON CONFLICT (customer_id) DO UPDATE SET revision = EXCLUDED.revision, updated_at = now()
           WHERE consent_ledger.revision < EXCLUDED.revision
         RETURNING entries, erased_at`,
        [customerId, ctx.getRevision()],
      ),
    );
    if (!ledger || ledger.erased_at) return false;
    const entries = [...ledger.entries, withoutEvidence(event)];
    await m.query('UPDATE marketing.consent_ledger SET entries = $2 WHERE customer_id = $1', [
      customerId,
      JSON.stringify(entries),
    ]);
    if (event.type === 'ContactSuppressed') return true;
    const row = consentRowOf(entries, event.data.purpose, event.data.channel, event.data.recordedAt);
    await m.query(
      `INSERT INTO marketing.consent
         (customer_id, purpose, channel, status, lawful_basis, source, effective_at, recorded_at, expires_at, as_of)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
       ON CONFLICT (customer_id, purpose, channel) DO UPDATE
         SET status = EXCLUDED.status, lawful_basis = EXCLUDED.lawful_basis, source = EXCLUDED.source,
             effective_at = EXCLUDED.effective_at, recorded_at = EXCLUDED.recorded_at,
             expires_at = EXCLUDED.expires_at, as_of = EXCLUDED.as_of`,
      [
        customerId,
        row.purpose,
        row.channel,
        row.status,
        row.lawfulBasis,
        row.source,
        row.effectiveAt,
        row.recordedAt,
        row.expiresAt,
        row.asOf,
      ],
    );
    return true;
  }
}
