import { DomainError, conflict, notFound, ruleBroken, type Decider } from '@crm/decider';
import {
  LOSS_REASONS,
  type LossReason,
  type OpportunityDetailsChangedV1,
  type OpportunityOpenedV1,
} from '@crm/contracts';
import type { OpportunityEvent } from './opportunity.events';
import { evolveOpportunity, type Opportunity, type OpportunityState } from './opportunity.state';
import { findStage, firstOpenStage, type PipelineStage } from './pipeline-stages';

export * from './opportunity.state';

export type OpportunityDetails = OpportunityDetailsChangedV1['changes'];

/** What the win needs to know about the quote it is won with (read from the quote's state). */
export interface WinningQuote {
  quoteId: string;
  total: number;
  currency: string;
  status: string;
  opportunityId: string;
}

export type OpportunityCommand =
  | {
      type: 'OpenOpportunity';
      data: Omit<OpportunityOpenedV1, 'stage' | 'probability' | 'forecastCategory' | 'openedAt'> & {
        stage?: string;
        stages: PipelineStage[];
        at: string;
      };
    }
  | { type: 'MoveOpportunityStage'; data: { stage: string; stages: PipelineStage[]; at: string } }
  | { type: 'ChangeOpportunityDetails'; data: OpportunityDetails & { at: string } }
  | { type: 'WinOpportunity'; data: { quote?: WinningQuote; at: string } }
  | { type: 'LoseOpportunity'; data: { reason: LossReason; notes?: string; at: string } };

function existing(state: OpportunityState): Opportunity {
  if (!state) throw notFound('OPPORTUNITY_NOT_FOUND', 'no opportunity with this id');
  return state;
}

function open(state: OpportunityState): Opportunity {
  const opportunity = existing(state);
  if (opportunity.status !== 'open') {
    throw ruleBroken(
      'OPPORTUNITY_CLOSED',
      `the opportunity is ${opportunity.status} and can no longer change`,
      {
        status: opportunity.status,
      },
    );
  }
  return opportunity;
}

function knownStage(stages: readonly PipelineStage[], name: string): PipelineStage {
  const stage = findStage(stages, name);
  if (!stage) {
    throw new DomainError('validation', 'UNKNOWN_STAGE', `"${name}" is not a stage of the pipeline`, {
      stage: name,
      stages: stages.map((s) => s.name),
    });
  }
  return stage;
}

const DETAIL_FIELDS = [
  'name',
  'amount',
  'currency',
  'expectedCloseDate',
  'forecastCategory',
  'ownerId',
] as const;

function decide(command: OpportunityCommand, state: OpportunityState): OpportunityEvent[] {
  switch (command.type) {
    case 'OpenOpportunity': {
      const { stage: stageName, stages, at, ...opened } = command.data;
      if (state) {
        // Opened again from the same lead or campaign response (a redelivery): already done.
        if (opened.fromLeadId !== undefined && state.opened.fromLeadId === opened.fromLeadId) return [];
        if (opened.fromCampaignId !== undefined && state.opened.fromCampaignId === opened.fromCampaignId)
          return [];
        throw conflict('OPPORTUNITY_ALREADY_EXISTS', 'an opportunity with this id already exists');
      }
      const stage = stageName === undefined ? firstOpenStage(stages) : knownStage(stages, stageName);
      if (stage.closed) {
        throw new DomainError(
          'validation',
          'STAGE_IS_CLOSED',
          `an opportunity cannot be opened in the closed stage "${stage.name}"`,
          {
            stage: stage.name,
          },
        );
      }
      const data: OpportunityOpenedV1 = {
        opportunityId: opened.opportunityId,
        accountId: opened.accountId,
        customerId: opened.customerId,
        name: opened.name,
        ownerId: opened.ownerId,
        stage: stage.name,
        probability: stage.probability,
        forecastCategory: stage.forecastCategory,
        ...(opened.amount !== undefined ? { amount: opened.amount } : {}),
        currency: opened.currency,
        ...(opened.expectedCloseDate !== undefined ? { expectedCloseDate: opened.expectedCloseDate } : {}),
        ...(opened.fromLeadId !== undefined ? { fromLeadId: opened.fromLeadId } : {}),
        ...(opened.fromCampaignId !== undefined ? { fromCampaignId: opened.fromCampaignId } : {}),
        openedAt: at,
      };
      return [{ type: 'OpportunityOpened', data }];
    }
    case 'MoveOpportunityStage': {
      const opportunity = open(state);
      const { stages, at } = command.data;
      const stage = knownStage(stages, command.data.stage);
      if (stage.name === opportunity.stage) return [];
      if (stage.closed) {
        throw ruleBroken(
          'USE_WIN_OR_LOSE',
          `"${stage.name}" is a closed stage: win or lose the opportunity instead`,
          {
            stage: stage.name,
            closed: stage.closed,
          },
        );
      }
      return [
        {
          type: 'OpportunityStageChanged',
          data: {
            opportunityId: opportunity.opened.opportunityId,
            from: opportunity.stage,
            to: stage.name,
            probability: stage.probability,
            forecastCategory: stage.forecastCategory,
            changedAt: at,
          },
        },
      ];
    }
    case 'ChangeOpportunityDetails': {
      const opportunity = open(state);
      const changes: Record<string, unknown> = {};
      for (const field of DETAIL_FIELDS) {
        const value = command.data[field];
        if (value !== undefined && value !== opportunity[field]) changes[field] = value;
      }
      if (Object.keys(changes).length === 0) return [];
      return [
        {
          type: 'OpportunityDetailsChanged',
          data: {
            opportunityId: opportunity.opened.opportunityId,
            changes: changes as OpportunityDetails,
            changedAt: command.data.at,
          },
        },
      ];
    }
    case 'WinOpportunity': {
      const opportunity = existing(state);
      if (opportunity.status === 'won') return [];
      open(state);
      const { quote, at } = command.data;
      const id = opportunity.opened.opportunityId;
      let amount = opportunity.amount;
      let currency = opportunity.currency;
      if (quote) {
        if (quote.opportunityId !== id) {
          throw ruleBroken('QUOTE_OF_ANOTHER_OPPORTUNITY', 'the quote belongs to another opportunity', {
            quoteId: quote.quoteId,
            quoteOpportunityId: quote.opportunityId,
          });
        }
        if (quote.status !== 'accepted') {
          throw ruleBroken('QUOTE_NOT_ACCEPTED', 'only an accepted quote can win the opportunity', {
            quoteId: quote.quoteId,
            status: quote.status,
          });
        }
        amount = quote.total;
        currency = quote.currency;
      } else if (amount === undefined || !(amount > 0)) {
        throw ruleBroken(
          'WIN_NEEDS_QUOTE_OR_AMOUNT',
          'win the opportunity with an accepted quote or give it an amount first',
        );
      }
      const o = opportunity.opened;
      return [
        {
          type: 'OpportunityWon',
          data: {
            opportunityId: id,
            accountId: o.accountId,
            customerId: o.customerId,
            ownerId: opportunity.ownerId,
            amount: amount as number,
            currency,
            ...(quote ? { quoteId: quote.quoteId } : {}),
            previousStage: opportunity.stage,
            openedAt: o.openedAt,
            wonAt: at,
          },
        },
      ];
    }
    case 'LoseOpportunity': {
      const opportunity = existing(state);
      if (opportunity.status === 'lost') return [];
      open(state);
      const { reason, notes, at } = command.data;
      if (!reason)
        throw new DomainError('validation', 'LOSS_REASON_REQUIRED', 'say why the opportunity was lost', {
          field: 'reason',
        });
      if (!LOSS_REASONS.includes(reason)) {
        throw new DomainError('validation', 'UNKNOWN_LOSS_REASON', `"${reason}" is not a loss reason`, {
          reasons: LOSS_REASONS,
        });
      }
      const o = opportunity.opened;
      return [
        {
          type: 'OpportunityLost',
          data: {
            opportunityId: o.opportunityId,
            accountId: o.accountId,
            customerId: o.customerId,
            ownerId: opportunity.ownerId,
            reason,
            ...(notes ? { notes } : {}),
            previousStage: opportunity.stage,
            openedAt: o.openedAt,
            lostAt: at,
          },
        },
      ];
    }
  }
}

export const opportunityDecider: Decider<OpportunityCommand, OpportunityState, OpportunityEvent> = {
  initialState: () => undefined,
  decide,
  evolve: evolveOpportunity,
};
