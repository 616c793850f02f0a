import { deciderSpec } from '@crm/decider/testing';
import { opportunityDecider, type OpportunityCommand } from './opportunity.decider';
import type { OpportunityEvent } from './opportunity.events';
import {
  at,
  later,
  opportunityId,
  ids,
  opened,
  withAmount,
  toProposal,
  won,
  lost,
} from './opportunity.fixtures';
import { DEFAULT_PIPELINE, type PipelineStage } from './pipeline-stages';

const stages = DEFAULT_PIPELINE;

const openCmd = (
  data: Partial<Extract<OpportunityCommand, { type: 'OpenOpportunity' }>['data']> = {},
): OpportunityCommand => ({
  type: 'OpenOpportunity',
  data: {
    ...ids,
    name: 'ERP rollout',
    ownerId: 'rep-1',
    currency: 'EUR',
    fromLeadId: 'lead-1',
    stages,
    at,
    ...data,
  },
});
const move = (stage: string, pipeline: PipelineStage[] = stages): OpportunityCommand => ({
  type: 'MoveOpportunityStage',
  data: { stage, stages: pipeline, at },
});
const change = (
  data: Omit<Extract<OpportunityCommand, { type: 'ChangeOpportunityDetails' }>['data'], 'at'>,
): OpportunityCommand => ({
  type: 'ChangeOpportunityDetails',
  data: { ...data, at: later },
});
const spec = deciderSpec(opportunityDecider);

describe('opportunity decider', () => {
  describe('opening', () => {
    it('opens in the first open stage with its probability and forecast category', () =>
      spec.given([]).when(openCmd()).then([opened]));
    it('opens in the stage it is given, keeping amount and expected close date', () =>
      spec
        .given([])
        .when(
          openCmd({
            stage: 'negotiation',
            amount: 500,
            expectedCloseDate: '2027-01-31',
            fromLeadId: undefined,
          }),
        )
        .then([
          {
            type: 'OpportunityOpened',
            data: {
              ...ids,
              name: 'ERP rollout',
              ownerId: 'rep-1',
              stage: 'negotiation',
              probability: 75,
              forecastCategory: 'commit',
              amount: 500,
              currency: 'EUR',
              expectedCloseDate: '2027-01-31',
              openedAt: at,
            },
          },
        ]));
    it('uses the configured pipeline', () =>
      spec
        .given([])
        .when(
          openCmd({
            stages: [{ name: 'discovery', probability: 5, forecastCategory: 'omitted' }, ...stages.slice(4)],
          }),
        )
        .thenMatches(([event]) =>
          expect(event.data).toMatchObject({
            stage: 'discovery',
            probability: 5,
            forecastCategory: 'omitted',
          }),
        ));
    it('refuses an unknown stage', () =>
      spec
        .given([])
        .when(openCmd({ stage: 'dreaming' }))
        .thenThrows('UNKNOWN_STAGE'));
    it('refuses a closed stage', () =>
      spec
        .given([])
        .when(openCmd({ stage: 'closed_won' }))
        .thenThrows('STAGE_IS_CLOSED'));
    it('does nothing when the same lead opens it again (redelivered reaction)', () =>
      spec.given([opened]).when(openCmd()).thenNothingHappens());
    it('refuses a second opening from another lead', () =>
      spec
        .given([opened])
        .when(openCmd({ fromLeadId: 'lead-2' }))
        .thenThrows('OPPORTUNITY_ALREADY_EXISTS'));
    it('refuses a second opening without a lead', () =>
      spec
        .given([{ ...opened, data: { ...opened.data, fromLeadId: undefined } } as OpportunityEvent])
        .when(openCmd({ fromLeadId: undefined }))
        .thenThrows('OPPORTUNITY_ALREADY_EXISTS'));

    describe('from a campaign response', () => {
      const campaignId = 'campaign-1';
      const fromCampaign = openCmd({ fromLeadId: undefined, fromCampaignId: campaignId });
      const openedFromCampaign = {
        ...opened,
        data: { ...opened.data, fromLeadId: undefined, fromCampaignId: campaignId },
      } as OpportunityEvent;
      it('records the campaign as its source', () => {
        const { fromLeadId: _lead, ...data } = opened.data as Extract<
          OpportunityEvent,
          { type: 'OpportunityOpened' }
        >['data'];
        spec
          .given([])
          .when(fromCampaign)
          .then([{ type: 'OpportunityOpened', data: { ...data, fromCampaignId: campaignId } }]);
      });
      it('does nothing when the same campaign response opens it again (redelivered reaction)', () =>
        spec.given([openedFromCampaign]).when(fromCampaign).thenNothingHappens());
      it('refuses a second opening from another campaign, or from a lead', () => {
        spec
          .given([openedFromCampaign])
          .when(openCmd({ fromLeadId: undefined, fromCampaignId: 'campaign-2' }))
          .thenThrows('OPPORTUNITY_ALREADY_EXISTS');
        spec.given([openedFromCampaign]).when(openCmd()).thenThrows('OPPORTUNITY_ALREADY_EXISTS');
      });
    });
  });

  describe('moving through stages', () => {
    it('moves with the default probability and forecast category of the new stage', () =>
      spec.given([opened]).when(move('proposal')).then([toProposal]));
    it('moves backwards too', () =>
      spec
        .given([opened, toProposal])
        .when(move('qualification'))
        .then([
          {
            type: 'OpportunityStageChanged',
            data: {
              opportunityId,
              from: 'proposal',
              to: 'qualification',
              probability: 20,
              forecastCategory: 'pipeline',
              changedAt: at,
            },
          },
        ]));
    it('takes probabilities from the configured pipeline', () =>
      spec
        .given([opened])
        .when(
          move(
            'proposal',
            stages.map((s) =>
              s.name === 'proposal' ? { ...s, probability: 35, forecastCategory: 'commit' as const } : s,
            ),
          ),
        )
        .then([
          {
            ...toProposal,
            data: { ...toProposal.data, probability: 35, forecastCategory: 'commit' },
          } as OpportunityEvent,
        ]));
    it('does nothing when the stage does not change', () =>
      spec.given([opened, toProposal]).when(move('proposal')).thenNothingHappens());
    it('refuses an unknown stage', () =>
      spec.given([opened]).when(move('dreaming')).thenThrows('UNKNOWN_STAGE'));
    it('cannot reach the won stage by moving', () =>
      spec.given([opened]).when(move('closed_won')).thenThrows('USE_WIN_OR_LOSE'));
    it('cannot reach the lost stage by moving', () =>
      spec.given([opened]).when(move('closed_lost')).thenThrows('USE_WIN_OR_LOSE'));
    it('refuses to move a closed opportunity', () =>
      spec.given([opened, lost]).when(move('proposal')).thenThrows('OPPORTUNITY_CLOSED'));
    it('refuses an unknown opportunity', () =>
      spec.given([]).when(move('proposal')).thenThrows('OPPORTUNITY_NOT_FOUND'));
  });

  describe('changing details', () => {
    it('records only the fields that differ', () =>
      spec
        .given([withAmount])
        .when(
          change({
            name: 'ERP rollout',
            amount: 15000,
            currency: 'EUR',
            ownerId: 'rep-2',
            forecastCategory: 'commit',
          }),
        )
        .then([
          {
            type: 'OpportunityDetailsChanged',
            data: {
              opportunityId,
              changes: { amount: 15000, forecastCategory: 'commit', ownerId: 'rep-2' },
              changedAt: later,
            },
          },
        ]));
    it('compares with the latest details, not the opening ones', () =>
      spec
        .given([
          opened,
          {
            type: 'OpportunityDetailsChanged',
            data: { opportunityId, changes: { expectedCloseDate: '2027-03-01' }, changedAt: at },
          },
        ])
        .when(change({ expectedCloseDate: '2027-03-01' }))
        .thenNothingHappens());
    it('compares the forecast category with the one the current stage set', () =>
      spec
        .given([opened, toProposal])
        .when(change({ forecastCategory: 'best_case' }))
        .thenNothingHappens());
    it('does nothing when nothing differs', () =>
      spec
        .given([opened])
        .when(change({ name: 'ERP rollout', currency: 'EUR' }))
        .thenNothingHappens());
    it('refuses changes to a won opportunity', () =>
      spec
        .given([withAmount, won])
        .when(change({ amount: 1 }))
        .thenThrows('OPPORTUNITY_CLOSED'));
    it('refuses an unknown opportunity', () =>
      spec
        .given([])
        .when(change({ amount: 1 }))
        .thenThrows('OPPORTUNITY_NOT_FOUND'));
  });
});
