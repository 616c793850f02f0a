import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import {
  ERASED,
  assertValidEvent,
  commandTime,
  deterministicUuid,
  type CampaignProspectRespondedV1,
  type CommandContext,
} from '@crm/contracts';
import { CommandHandler, DomainError, ruleBroken, type CommandHandlerConfig } from '@crm/decider';
import type { EventStore } from '@crm/event-store';
import {
  EVENT_STORE,
  assertInScope,
  defaultOwner,
  recordScope,
  withinScope,
  type Principal,
} from '@crm/service-kit';
import { LeadsConfig } from '../leads.config';
import { ownerForTicket, takeTicket } from '../assignment/round-robin';
import { EmailClaims } from '../duplicates/email-claims';
import {
  leadDecider,
  type Lead,
  type LeadAssignment,
  type LeadCommand,
  type LeadState,
} from './lead.decider';
import { LEAD_STREAM_SCHEMA_VERSIONS, leadStreamId, type LeadEvent } from './lead.events';
import type { AssignLeadDto, CaptureLeadDto, DisqualifyLeadDto, RecordEngagementDto } from './lead.dto';
import { normaliseEmail, normaliseName, normalisePhone } from './lead.normalise';

export interface LeadCommandResult {
  lead: Lead;
  revision: number;
}

/**
 * The leads application service: turns requests into commands on the lead and its helpers. The
 * caller (the verified principal, none for reactions) may change only the leads in their scope
 * (record-scope.ts of the service kit): a rep their own, a manager their team's.
 */
@Injectable()
export class LeadService {
  private readonly handler: CommandHandlerConfig<LeadCommand, LeadState, LeadEvent>;
  private readonly claims: EmailClaims;

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly config: LeadsConfig,
  ) {
    this.handler = {
      store,
      decider: leadDecider,
      schemaVersions: LEAD_STREAM_SCHEMA_VERSIONS,
      // Checked against its published contract before it is stored.
      validateEvent: assertValidEvent,
      customerIdOf: (state) => state!.profile.customerId,
    };
    this.claims = new EmailClaims(store, { orphanAfterMs: config.LEAD_EMAIL_ORPHAN_AFTER_SECONDS * 1000 });
  }

  /** The lead decider, refusing a lead of an owner outside the caller's scope (NOT_RECORD_OWNER). */
  private decider(caller: Principal | undefined) {
    const scope = recordScope(caller, 'write');
    return withinScope(
      leadDecider,
      (lead) => lead?.ownerId,
      (lead) => lead !== undefined,
      scope,
      'lead',
    );
  }

  async capture(
    dto: CaptureLeadDto,
    context: CommandContext,
    caller?: Principal,
  ): Promise<LeadCommandResult> {
    // A rep's or a manager's lead is theirs unless they name an owner of their scope.
    const scope = recordScope(caller, 'write');
    if (dto.ownerId) assertInScope(scope, dto.ownerId, 'lead');
    const ownerId = dto.ownerId ?? defaultOwner(caller, scope);
    const leadId = randomUUID();
    const customerId = randomUUID();
    const email = dto.email ? normaliseEmail(dto.email) : undefined;
    const phone = dto.phone ? normalisePhone(dto.phone) : undefined;
    // Checks first, writes after: a refused capture must leave no trace in any stream.
    if (email) {
      await this.claims.claim(email, { leadId, customerId }, context);
    }
    const owner: LeadAssignment | undefined = ownerId
      ? { ownerId, method: 'manual' }
      : await this.nextOwner(leadId, customerId, context);
    const personName = normaliseName(dto.personName);
    const companyName = normaliseName(dto.companyName);
    return this.run(
      leadId,
      {
        type: 'CaptureLead',
        data: {
          leadId,
          customerId,
          ...(personName ? { personName } : {}),
          ...(companyName ? { companyName } : {}),
          ...(email ? { email } : {}),
          ...(phone ? { phone } : {}),
          channel: dto.channel,
          source: { ...(dto.source ?? {}) },
          customerType: dto.customerType ?? 'prospect',
          ...(dto.companySize !== undefined ? { companySize: dto.companySize } : {}),
          interests: dto.interests ?? [],
          ...(dto.notes ? { notes: dto.notes } : {}),
          ...(owner ? { owner } : {}),
          at: commandTime(context),
        },
      },
      context,
    );
  }

  async assign(
    leadId: string,
    dto: AssignLeadDto,
    context: CommandContext,
    expectedRevision?: number,
    caller?: Principal,
  ) {
    if (dto.ownerId) assertInScope(recordScope(caller, 'write'), dto.ownerId, 'lead');
    let owner: LeadAssignment | undefined = dto.ownerId
      ? { ownerId: dto.ownerId, method: 'manual' }
      : undefined;
    if (!owner) {
      // Check the lead exists, is open and the caller's before taking a turn: a refusal leaves no trace.
      const { state } = await new CommandHandler(this.handler).load(leadStreamId(leadId));
      this.decider(caller).decide(
        { type: 'AssignLead', data: { ownerId: '', method: 'round_robin' } },
        state,
      );
      owner = await this.nextOwner(leadId, state!.profile.customerId, context, true);
    }
    return this.run(leadId, { type: 'AssignLead', data: owner! }, context, expectedRevision, caller);
  }

  recordEngagement(
    leadId: string,
    dto: RecordEngagementDto,
    context: CommandContext,
    expectedRevision?: number,
    caller?: Principal,
  ) {
    const at = commandTime(context);
    return this.run(
      leadId,
      {
        type: 'RecordEngagement',
        data: {
          engagementId: randomUUID(),
          kind: dto.kind,
          channel: dto.channel,
          occurredAt: dto.occurredAt ? new Date(dto.occurredAt).toISOString() : at,
          ...(dto.summary ? { summary: dto.summary } : {}),
          at,
        },
      },
      context,
      expectedRevision,
      caller,
    );
  }

  qualify(leadId: string, context: CommandContext, expectedRevision?: number, caller?: Principal) {
    return this.run(
      leadId,
      { type: 'QualifyLead', data: { rules: this.config.scoringRules, at: commandTime(context) } },
      context,
      expectedRevision,
      caller,
    );
  }

  disqualify(
    leadId: string,
    dto: DisqualifyLeadDto,
    context: CommandContext,
    expectedRevision?: number,
    caller?: Principal,
  ) {
    return this.run(
      leadId,
      {
        type: 'DisqualifyLead',
        data: { reason: dto.reason, ...(dto.notes ? { notes: dto.notes } : {}), at: commandTime(context) },
      },
      context,
      expectedRevision,
      caller,
    );
  }

  convert(leadId: string, context: CommandContext, expectedRevision?: number, caller?: Principal) {
    return this.run(
      leadId,
      { type: 'ConvertLead', data: { at: commandTime(context) } },
      context,
      expectedRevision,
      caller,
    );
  }

  /**
   * The lead of a campaign response from someone who is not a customer yet (marketing's
   * `CampaignProspectResponded`): captured for the same customer, channel `campaign`, source
   * `{campaignId}`, owner by round robin. Its id derives from (campaign, customer), so a response
   * delivered again finds it and captures nothing. Not captured: no e-mail (or erased), or the
   * e-mail already belongs to another lead (`existingLeadId`).
   */
  async captureFromCampaign(
    response: CampaignProspectRespondedV1,
    context: CommandContext,
  ): Promise<{ leadId: string; captured: boolean; existingLeadId?: string }> {
    const { campaignId, customerId } = response;
    const leadId = deterministicUuid('lead-from-campaign-response', campaignId, customerId);
    const { state } = await new CommandHandler(this.handler).load(leadStreamId(leadId));
    if (state || !response.email || response.email === ERASED) return { leadId, captured: false };
    const email = normaliseEmail(response.email);
    try {
      await this.claims.claim(email, { leadId, customerId }, context);
    } catch (error) {
      if (!(error instanceof DomainError) || error.code !== 'LEAD_EMAIL_TAKEN') throw error;
      return { leadId, captured: false, existingLeadId: String(error.details?.existingLeadId) };
    }
    const owner = await this.nextOwner(leadId, customerId, context);
    const name = response.personName === ERASED ? undefined : normaliseName(response.personName);
    await this.run(
      leadId,
      {
        type: 'CaptureLead',
        data: {
          leadId,
          customerId,
          personName: name ?? email,
          email,
          channel: 'campaign',
          source: { campaignId },
          customerType: 'prospect',
          interests: response.interests,
          ...(owner ? { owner } : {}),
          at: commandTime(context),
        },
      },
      context,
    );
    return { leadId, captured: true };
  }

  private async run(
    leadId: string,
    command: LeadCommand,
    context: CommandContext,
    expectedRevision?: number,
    caller?: Principal,
  ) {
    const leads = new CommandHandler({ ...this.handler, decider: this.decider(caller) });
    // A capture's lead id was just generated: there is no stream to read yet.
    const newStream = command.type === 'CaptureLead';
    const result = await leads.handle(leadStreamId(leadId), command, context, {
      expectedRevision,
      newStream,
    });
    return { lead: result.state!, revision: result.revision };
  }

  private async nextOwner(leadId: string, customerId: string, context: CommandContext, required = false) {
    const owners = this.config.owners;
    if (owners.length === 0 && !required) return undefined;
    if (owners.length === 0)
      throw ruleBroken('NO_OWNERS_CONFIGURED', 'no lead owners are configured for round robin');
    const ticket = await takeTicket(this.store, { leadId, customerId }, context);
    return { ownerId: ownerForTicket(ticket, owners), method: 'round_robin' as const };
  }
}
