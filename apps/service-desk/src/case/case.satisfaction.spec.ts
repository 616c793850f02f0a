import { hoursOf } from '../sla/business-time';
import { nextSlaCheck } from './case.decider';
import type { CaseEvent } from './case.events';
import { ALWAYS, caseId, customerId, opened, spec, stateAfter, status, t } from './case.fixtures';

describe('satisfaction and escalation', () => {
  const solved = [opened(), status('new', 'solved', t('10:00'))];
  it('takes one rating of a solved case, 1 to 5, and refuses one before it is solved', () => {
    spec
      .given(solved)
      .when({ type: 'RateCase', data: { score: 5, at: t('11:00') } })
      .then([{ type: 'CaseRated', data: { caseId, customerId, score: 5, ratedAt: t('11:00') } }]);
    spec
      .given([...solved, { type: 'CaseRated', data: { caseId, customerId, score: 5, ratedAt: t('11:00') } }])
      .when({ type: 'RateCase', data: { score: 1, at: t('12:00') } })
      .thenThrows('CASE_ALREADY_RATED');
    spec
      .given([opened()])
      .when({ type: 'RateCase', data: { score: 4, at: t('11:00') } })
      .thenThrows('CASE_NOT_SOLVED');
  });

  it('records the NPS answer given with the rating: 9-10 promoter, 7-8 passive, 0-6 detractor', () => {
    const npsOf = (recommend: number) =>
      spec
        .given(solved)
        .when({ type: 'RateCase', data: { score: 4, recommend, at: t('11:00') } })
        .then([
          { type: 'CaseRated', data: { caseId, customerId, score: 4, ratedAt: t('11:00') } },
          {
            type: 'NetPromoterScoreGiven',
            data: {
              caseId,
              customerId,
              score: recommend,
              category: expected[recommend],
              givenAt: t('11:00'),
            },
          },
        ]);
    const expected: Record<number, 'promoter' | 'passive' | 'detractor'> = {
      10: 'promoter',
      9: 'promoter',
      8: 'passive',
      7: 'passive',
      6: 'detractor',
      0: 'detractor',
    };
    for (const score of Object.keys(expected)) npsOf(Number(score));
  });

  it('assigns an agent once; an escalated case can go to the same agent again in its new queue', () => {
    const assigned = (at: string): CaseEvent => ({
      type: 'CaseAssigned',
      data: { caseId, agentId: 'ana', method: 'round_robin', assignedAt: at },
    });
    const escalated: CaseEvent = {
      type: 'CaseEscalated',
      data: {
        caseId,
        fromQueue: 'complaints',
        toQueue: 'tier-2',
        priority: 'urgent',
        reason: 'manual',
        escalatedAt: t('09:20'),
      },
    };
    const assign = {
      type: 'AssignCase' as const,
      data: { agentId: 'ana', method: 'round_robin' as const, at: t('09:30') },
    };
    spec
      .given([opened()])
      .when(assign)
      .then([assigned(t('09:30'))]);
    spec
      .given([opened(), assigned(t('09:10'))])
      .when(assign)
      .then([]);
    spec
      .given([opened(), assigned(t('09:10')), escalated])
      .when(assign)
      .then([assigned(t('09:30'))]);
    spec
      .given([opened(), status('new', 'solved', t('09:05')), status('solved', 'closed', t('09:06'))])
      .when(assign)
      .thenThrows('CASE_CLOSED');
  });

  it('links a knowledge article once per version', () => {
    const linked: CaseEvent = {
      type: 'CaseArticleLinked',
      data: { caseId, articleId: customerId, articleVersion: 2, linkedAt: t('09:10') },
    };
    spec
      .given([opened()])
      .when({ type: 'LinkArticle', data: { articleId: customerId, articleVersion: 2, at: t('09:10') } })
      .then([linked]);
    spec
      .given([opened(), linked])
      .when({ type: 'LinkArticle', data: { articleId: customerId, articleVersion: 2, at: t('09:20') } })
      .then([]);
  });

  it('escalates by hand to a higher tier queue and raises the priority', () => {
    spec
      .given([opened()])
      .when({ type: 'EscalateCase', data: { toQueue: 'tier-2', at: t('09:30') } })
      .then([
        {
          type: 'CaseEscalated',
          data: {
            caseId,
            fromQueue: 'complaints',
            toQueue: 'tier-2',
            priority: 'urgent',
            reason: 'manual',
            escalatedAt: t('09:30'),
          },
        },
      ]);
  });

  it('stops every clock when solved', () => {
    expect(nextSlaCheck(hoursOf(ALWAYS), stateAfter(solved))).toBeUndefined();
  });
});
