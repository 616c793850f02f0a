import type { CommandContext } from '@crm/contracts';
import { CommandHandler, DomainError, StreamRevisionConflictError } from '@crm/decider';
import type { EventStore } from '@crm/event-store';
import { leadStreamId } from '../lead/lead.events';
import {
  emailClaimDecider,
  emailClaimStreamId,
  type ClaimState,
  type EmailClaimCommand,
  type EmailClaimEvent,
} from './email-claim.decider';

export interface EmailClaimsOptions {
  /**
   * How old a claim whose lead stream is still empty must be before it counts as orphaned. A
   * capture appends its lead milliseconds after its claim; only a crash in between leaves a claim
   * older than this with no lead.
   */
  orphanAfterMs: number;
  now?: () => number;
}

/** Claims e-mails for captures, taking over claims orphaned by a crash between claim and lead. */
export class EmailClaims {
  private readonly claims: CommandHandler<EmailClaimCommand, ClaimState, EmailClaimEvent>;
  private readonly now: () => number;

  constructor(
    private readonly store: EventStore,
    private readonly options: EmailClaimsOptions,
  ) {
    this.now = options.now ?? Date.now;
    this.claims = new CommandHandler({
      store,
      decider: emailClaimDecider,
      schemaVersions: { LeadEmailClaimed: 1, LeadEmailReleased: 1 },
      customerIdOf: (_state, command) => command.data.customerId,
    });
  }

  async claim(email: string, lead: { leadId: string; customerId: string }, context: CommandContext) {
    const streamId = emailClaimStreamId(email);
    const claimEmail = () => this.claims.handle(streamId, { type: 'ClaimEmail', data: lead }, context);
    try {
      await claimEmail();
    } catch (error) {
      if (!(error instanceof DomainError) || error.code !== 'LEAD_EMAIL_TAKEN') throw error;
      const { state, revision } = await this.claims.load(streamId);
      // Not (or no longer) an orphan: refused again, naming whoever holds the claim now.
      if (state.status !== 'claimed' || !(await this.isOrphaned(streamId, state.leadId))) {
        await claimEmail();
        return;
      }
      await this.claims
        .handle(
          streamId,
          { type: 'ReclaimOrphanedEmail', data: { ...lead, orphanedLeadId: state.leadId } },
          context,
          // Pinned: of two captures taking over the same orphan, only one writes.
          { expectedRevision: revision },
        )
        .catch(async (raced: unknown) => {
          if (!(raced instanceof StreamRevisionConflictError)) throw raced;
          await claimEmail(); // another capture took it over first: refused with its lead id
        });
    }
  }

  /** Frees the e-mail of an erased customer's lead, if that lead still holds it. */
  async release(email: string, lead: { leadId: string; customerId: string }, context: CommandContext) {
    await this.claims.handle(emailClaimStreamId(email), { type: 'ReleaseErasedEmail', data: lead }, context);
  }

  /** A claim is orphaned when its lead was never written and the claim is older than the window. */
  private async isOrphaned(streamId: string, holder: string): Promise<boolean> {
    const [lead] = await this.store.readStream(leadStreamId(holder), { maxCount: 1 });
    if (lead !== undefined) return false;
    const [last] = await this.store.readStream(streamId, { direction: 'backwards', maxCount: 1 });
    return last !== undefined && this.now() - last.recordedAt.getTime() >= this.options.orphanAfterMs;
  }
}
