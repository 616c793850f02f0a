import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import {
  assertValidEvent,
  CAMPAIGN_EXPANSION_OBJECTIVES,
  commandTime,
  ORGANISATION_CUSTOMER_ID,
  type CampaignExpansionObjective,
  type CampaignObjective,
  type CampaignResponseKind,
  type CommandContext,
} from '@crm/contracts';
import { CommandHandler, DomainError, notFound } from '@crm/decider';
import { PLATFORM_RUNTIME, type PlatformRuntime } from '@crm/service-kit';
import { ATTRIBUTION_MODELS, campaignReturn, type AttributionModel } from '../attribution/attribution';
import { campaignDecider, type CampaignCommand, type CampaignState } from '../campaign/campaign.decider';
import {
  CAMPAIGN_STREAM_SCHEMA_VERSIONS,
  RECIPIENT_STREAM_SCHEMA_VERSIONS,
  campaignStreamId,
  recipientStreamId,
  type CampaignEvent,
} from '../campaign/campaign.events';
import {
  RESPONSE_STREAM_SCHEMA_VERSIONS,
  respondentDecider,
  type Expansion,
  type Prospect,
  type RecipientStreamEvent,
  type RecordResponse,
  type RespondentState,
} from './response.decider';
import type { TrackingTarget } from './tracking.link';

/** Lifecycle stages of a customer: a responder in none of them is a prospect, and becomes a lead. */
export const CUSTOMER_STAGES = ['acquisition', 'retention', 'expansion'];

const isExpansion = (objective: CampaignObjective): objective is CampaignExpansionObjective =>
  (CAMPAIGN_EXPANSION_OBJECTIVES as readonly string[]).includes(objective);

interface ProfileRow {
  lifecycle_stage: string | null;
  name: string | null;
  email: string | null;
  interests: string[] | null;
  erased_at: Date | null;
}

export interface ResponseInput {
  kind: CampaignResponseKind;
  url?: string;
  at?: string;
}

/**
 * Records campaign responses on the recipient's stream (each kind once per step) and keeps
 * `marketing.campaign_response` and `marketing.campaign_lead` (written after the events, from the
 * stream's state: a repeat after a crash between the two writes the missing rows); answers a
 * campaign's return (`marketing.campaign_attribution`, the send ledger, responses, leads).
 */
@Injectable()
export class ResponseService {
  private readonly recipients: CommandHandler<RecordResponse, RespondentState, RecipientStreamEvent>;
  private readonly campaigns: CommandHandler<CampaignCommand, CampaignState, CampaignEvent>;
  private readonly pool: PlatformRuntime['pool'];

  constructor(@Inject(PLATFORM_RUNTIME) runtime: PlatformRuntime) {
    this.pool = runtime.pool;
    this.recipients = new CommandHandler({
      store: runtime.store,
      decider: respondentDecider,
      schemaVersions: { ...RECIPIENT_STREAM_SCHEMA_VERSIONS, ...RESPONSE_STREAM_SCHEMA_VERSIONS },
      validateEvent: assertValidEvent,
      customerIdOf: (_state, command) => command.data.customerId,
    });
    this.campaigns = new CommandHandler({
      store: runtime.store,
      decider: campaignDecider,
      schemaVersions: CAMPAIGN_STREAM_SCHEMA_VERSIONS,
      validateEvent: assertValidEvent,
      customerIdOf: () => ORGANISATION_CUSTOMER_ID,
    });
  }

  /** A response through a tracking link (the pixel, a click): recorded unless already; false when refused. */
  async track(target: TrackingTarget, kind: 'open' | 'click'): Promise<boolean> {
    const context = { commandId: randomUUID(), correlationId: randomUUID(), actor: 'marketing:tracking' };
    try {
      await this.record(target, { kind, ...(target.url ? { url: target.url } : {}) }, context);
      return true;
    } catch (error) {
      // A response to a step the ledger does not show sent (a message resent after a crash): not recorded.
      if (error instanceof DomainError) return false;
      throw error;
    }
  }

  /** A reply or form (or any response) recorded by a marketer or an integration. */
  async recordFor(
    campaignId: string,
    customerId: string,
    step: number,
    input: ResponseInput,
    context: CommandContext,
  ) {
    await this.campaign(campaignId);
    return this.record({ campaignId, step, customerId }, input, context);
  }

  async record(target: Omit<TrackingTarget, 'url'>, input: ResponseInput, context: CommandContext) {
    const { campaignId, step, customerId } = target;
    const at = input.at ? new Date(input.at).toISOString() : commandTime(context);
    const profile = await this.profile(customerId);
    const prospect = this.prospect(profile);
    const expansion = prospect ? undefined : await this.expansion(campaignId, profile);
    const { events, state } = await this.recipients.handle(
      recipientStreamId(campaignId, customerId),
      {
        type: 'RecordResponse',
        data: {
          campaignId,
          step,
          customerId,
          kind: input.kind,
          ...(input.url ? { url: input.url } : {}),
          at,
          ...(prospect ? { prospect } : {}),
          ...(expansion ? { expansion } : {}),
        },
      },
      context,
    );
    const first = state.responses[step].find((r) => r.kind === input.kind)!;
    await this.pool.query(
      `insert into marketing.campaign_response (campaign_id, step, customer_id, kind, url, responded_at)
       values ($1, $2, $3, $4, $5, $6) on conflict do nothing`,
      [campaignId, step, customerId, first.kind, first.url ?? null, first.at],
    );
    if (state.prospect)
      await this.pool.query(
        `insert into marketing.campaign_lead (campaign_id, customer_id, step, kind, responded_at)
         values ($1, $2, $3, $4, $5) on conflict do nothing`,
        [campaignId, customerId, state.prospect.step, state.prospect.kind, state.prospect.at],
      );
    return {
      campaignId,
      step,
      customerId,
      kind: input.kind,
      recorded: events.some((e) => e.type === 'CampaignResponseRecorded'),
      respondedAt: first.at,
      becameLead: events.some((e) => e.type === 'CampaignProspectResponded'),
      becameOpportunity: events.some((e) => e.type === 'CampaignExpansionResponded'),
    };
  }

  private async profile(customerId: string): Promise<ProfileRow | undefined> {
    const { rows } = await this.pool.query<ProfileRow>(
      'select lifecycle_stage, name, email, interests, erased_at from marketing.customer_profile where customer_id = $1',
      [customerId],
    );
    return rows[0];
  }

  /**
   * The responder's profile when they are not a customer yet: no profile, or a lifecycle stage
   * that is none of acquisition, retention, expansion (interest, or none). Their name and e-mail
   * travel to the leads context; an erased profile sends none.
   */
  private prospect(profile: ProfileRow | undefined): Prospect | undefined {
    if (profile && CUSTOMER_STAGES.includes(profile.lifecycle_stage ?? '')) return undefined;
    if (!profile || profile.erased_at) return { interests: [] };
    return {
      ...(profile.name ? { personName: profile.name } : {}),
      ...(profile.email ? { email: profile.email } : {}),
      interests: profile.interests ?? [],
    };
  }

  /**
   * What the pipeline context needs when an acquired customer (not erased) responds to a
   * cross-sell or up-sell campaign; nothing for any other campaign objective.
   */
  private async expansion(
    campaignId: string,
    profile: ProfileRow | undefined,
  ): Promise<Expansion | undefined> {
    if (!profile || profile.erased_at) return undefined;
    const { state } = await this.campaigns.load(campaignStreamId(campaignId));
    if (state.status === 'none' || !isExpansion(state.objective)) return undefined;
    return {
      campaignName: state.name,
      objective: state.objective,
      currency: state.currency,
      interests: profile.interests ?? [],
    };
  }

  private async campaign(campaignId: string) {
    const { state } = await this.campaigns.load(campaignStreamId(campaignId));
    if (state.status === 'none') throw notFound('CAMPAIGN_NOT_FOUND', `no campaign ${campaignId}`);
    return state;
  }

  /** The campaign's return: attributed revenue per model, ROI, cost per lead and customer, rates per step. */
  async roi(campaignId: string) {
    const campaign = await this.campaign(campaignId);
    const q = <T>(sql: string) => this.pool.query(sql, [campaignId]).then((r) => r.rows as T[]);
    const [revenues, [acquired], [leads], steps] = await Promise.all([
      q<{ model: AttributionModel; revenue: string }>(
        `select model, sum(revenue) as revenue from marketing.campaign_attribution where campaign_id = $1 group by model`,
      ),
      q<{ n: number }>(
        `select count(distinct customer_id)::int as n from marketing.campaign_attribution where campaign_id = $1`,
      ),
      q<{ n: number }>(`select count(*)::int as n from marketing.campaign_lead where campaign_id = $1`),
      q<{ step: number; sent: number; responders: number; converted: number }>(
        `select d.step,
                count(*)::int as sent,
                count(*) filter (where exists (select 1 from marketing.campaign_response r
                  where r.campaign_id = d.campaign_id and r.step = d.step and r.customer_id = d.customer_id))::int as responders,
                count(*) filter (where exists (select 1 from marketing.campaign_attribution a
                  where a.campaign_id = d.campaign_id and a.customer_id = d.customer_id
                    and a.won_at >= d.attempted_at))::int as converted
           from marketing.campaign_delivery d
          where d.campaign_id = $1 and d.status = 'sent'
          group by d.step order by d.step`,
      ),
    ]);
    const revenue = Object.fromEntries(
      ATTRIBUTION_MODELS.map((model) => [
        model,
        Number(revenues.find((r) => r.model === model)?.revenue ?? 0),
      ]),
    ) as Record<AttributionModel, number>;
    const byStep = new Map(steps.map((s) => [s.step, s]));
    return {
      campaignId,
      currency: campaign.currency,
      ...campaignReturn({
        cost: campaign.cost,
        revenue,
        leads: leads.n,
        acquiredCustomers: acquired.n,
        steps: campaign.steps.map(
          (_s, step) => byStep.get(step) ?? { step, sent: 0, responders: 0, converted: 0 },
        ),
      }),
    };
  }
}
