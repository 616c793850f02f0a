import type { CrossService } from '@crm/test-support';
import { month, type CaseFacts } from './expected.given';
import { analyticsGet, DAY_MS, iso, ms, type RunTopics } from './platform.given';
import type { Person } from './scenario.given';
import type { Answers } from './timeline.given';

/**
 * The analytics end-to-end spec's reading of a run: every endpoint's answer at a moment, and the
 * facts the services recorded for what the test drove (instants, ids), read from the topics, that
 * the expected figures are computed from.
 */

const q = (asOf?: string) => (asOf ? `asOf=${encodeURIComponent(asOf)}` : '');

/** Every endpoint's answer, as of `asOf` (none: now); the pipeline over the day before `window` and it. */
export async function answers(
  services: CrossService,
  ids: { a: string; b: string; c: string },
  window: string,
  asOf?: string,
): Promise<Answers> {
  const get = (path: string, params = '') =>
    analyticsGet(services, `${path}?${[params, q(asOf)].filter(Boolean).join('&')}`);
  const range = `interval=day&from=${encodeURIComponent(iso(ms(window) - DAY_MS))}&to=${encodeURIComponent(window)}`;
  return {
    a360: await get(`/customers/${ids.a}/360`),
    b360: await get(`/customers/${ids.b}/360`),
    c360: await get(`/customers/${ids.c}/360`),
    aTimeline: await get(`/customers/${ids.a}/timeline`),
    aService: await get(`/customers/${ids.a}/timeline`, 'context=service'),
    aEmail: await get(`/customers/${ids.a}/timeline`, 'channel=email'),
    funnel: await get('/dashboards/funnel'),
    funnelByChannel: await get('/dashboards/funnel', 'by=channel'),
    pipeline: await get('/dashboards/pipeline', range),
    service: await get('/dashboards/service'),
    marketing: await get('/dashboards/marketing'),
    customerValue: await get('/dashboards/customer-value'),
  };
}

/** The facts the services recorded for what was driven, from the topics. */
export class RunFacts {
  constructor(
    private readonly topics: RunTopics,
    private readonly owner: string,
  ) {}

  stageOf = (customerId: string, stage: string) =>
    this.topics.data(
      'CustomerLifecycleStageReached',
      (d) => d.customerId === customerId && d.stage === stage,
    )[0];
  wonAt = (opportunityId: string) =>
    this.topics.data('OpportunityWon', (d) => d.opportunityId === opportunityId)[0].wonAt as string;
  /** A stage visit of the 360 history: what the test says, when and after what the service says. */
  visit = (customerId: string, stage: string, context: string, reasonType: string, reasonId: string) => {
    const reached = this.stageOf(customerId, stage);
    return {
      stage,
      at: reached.reachedAt,
      previousStage: reached.previousStage ?? null,
      context,
      reasonType,
      reasonId,
    };
  };
  /** A case as the service desk recorded it (opened, first answer, solved), with the scores given. */
  caseFacts(caseId: string, firstResponse: 'met' | 'breached', csat: number, nps: number): CaseFacts {
    const opened = this.topics.data('CaseOpened', (d) => d.caseId === caseId)[0];
    return {
      policy: opened.sla.policyId,
      priority: opened.priority,
      openedAt: opened.openedAt,
      repliedAt: this.topics.data('CaseReplied', (d) => d.caseId === caseId)[0].repliedAt,
      solvedAt: this.topics.data('CaseStatusChanged', (d) => d.caseId === caseId && d.to === 'solved')[0]
        .changedAt,
      firstResponse,
      csat,
      nps,
    };
  }
  survey = (type: string, caseId: string) => {
    const d = this.topics.data(type, (x) => x.caseId === caseId)[0];
    return { score: d.score, at: d.ratedAt ?? d.givenAt, caseId };
  };
  /**
   * The profile of the 360: personal values the latest of each (the name: the account's, which
   * pipeline names after the company), attributes of the lead.
   */
  profile = (p: Person, customerId: string) => ({
    name: p.company,
    email: p.email,
    company: p.company,
    erased: false,
    customerType: 'prospect',
    channel: p.channel,
    country: null,
    owner: this.owner,
    cohortMonth: month(this.stageOf(customerId, 'interest').reachedAt),
  });
}

export const noRisk = (customerId: string) => ({ customerId, score: 0, level: 'low', reasons: [] });
export const byScore = <T extends { customerId: string; score: number }>(items: T[]) =>
  [...items].sort((x, y) => y.score - x.score || x.customerId.localeCompare(y.customerId));
export const levels = (items: { level: string }[]) =>
  Object.fromEntries(['high', 'medium', 'low'].map((l) => [l, items.filter((i) => i.level === l).length]));
export const top = (
  customerId: string,
  revenue: number,
  orders: number,
  lastOrderAt: string,
  rfm: [number, number, number, string],
) => ({
  customerId,
  revenue,
  orders,
  averageOrderValue: revenue / orders,
  lastOrderAt,
  r: rfm[0],
  f: rfm[1],
  m: rfm[2],
  segment: rfm[3],
  predictedClv: null,
  probabilityAlive: null,
});
