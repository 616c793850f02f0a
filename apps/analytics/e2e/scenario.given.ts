import { randomBytes } from 'node:crypto';
import { accountOf, callService, waitFor, type CrossService } from '@crm/test-support';
import type { RunTopics } from './platform.given';

/**
 * The commands the analytics end-to-end spec drives through the real services, each waiting only
 * for what the next command needs (an opportunity opened by a conversion, a step sent, a survey
 * link), never for analytics.
 */

const SLOW = 90_000;
const ok = (r: { status: number; body: unknown }, status: number, what: string) => {
  if (r.status !== status) throw new Error(`${what}: ${r.status} ${JSON.stringify(r.body)}`);
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the answer as the API gives it
  return r.body as any;
};

export interface Person {
  name: string;
  email: string;
  company: string;
  channel: string;
}

export const person = (first: string, channel: string): Person => {
  const run = randomBytes(3).toString('hex');
  return {
    name: `${first} Analytics${run}`,
    email: `${first.toLowerCase()}.${run}@analytics.example`,
    company: `${first} Works ${run}`,
    channel,
  };
};

/** A lead captured (prospect, 400 employees) and met once; its ids. */
export async function capturedLead(services: CrossService, p: Person) {
  const captured = ok(
    await callService(services.leads, 'POST', '/leads', {
      personName: p.name,
      companyName: p.company,
      email: p.email,
      channel: p.channel,
      companySize: 400,
      interests: ['erp'],
    }),
    201,
    'capture',
  );
  ok(
    await callService(services.leads, 'POST', `/leads/${captured.id}/engagements`, {
      kind: 'meeting',
      channel: 'event',
    }),
    201,
    'engagement',
  );
  return { leadId: captured.id as string, customerId: captured.customerId as string };
}

/** Qualifies and converts the lead; answers the opportunity pipeline opened for it. */
export async function convert(services: CrossService, lead: { leadId: string; customerId: string }) {
  ok(await callService(services.leads, 'POST', `/leads/${lead.leadId}/qualify`), 200, 'qualify');
  ok(await callService(services.leads, 'POST', `/leads/${lead.leadId}/convert`), 200, 'convert');
  const account = await accountOf(services.pipeline, lead.customerId, (a) => a.opportunities.length > 0);
  return account.opportunities[0].opportunityId as string;
}

export async function setAmount(services: CrossService, opportunityId: string, amount: number) {
  ok(
    await callService(services.pipeline, 'PATCH', `/opportunities/${opportunityId}`, { amount }),
    200,
    'amount',
  );
}

export async function moveStage(services: CrossService, opportunityId: string, stage: string) {
  ok(
    await callService(services.pipeline, 'POST', `/opportunities/${opportunityId}/stage`, { stage }),
    200,
    'stage',
  );
}

export async function win(services: CrossService, opportunityId: string) {
  ok(await callService(services.pipeline, 'POST', `/opportunities/${opportunityId}/win`, {}), 200, 'win');
}

export async function openCase(services: CrossService, customerId: string, p: Person, priority: string) {
  const opened = await callService(services.serviceDesks[0], 'POST', '/cases', {
    customerId,
    requester: { name: p.name, email: p.email },
    channel: 'email',
    caseType: 'service_request',
    priority,
    subject: 'Invoice question',
  });
  return ok(opened, 201, 'case').id as string;
}

export async function answer(services: CrossService, caseId: string) {
  const reply = {
    authorKind: 'agent',
    channel: 'email',
    visibility: 'public',
    body: 'Here is your invoice.',
  };
  ok(await callService(services.serviceDesks[0], 'POST', `/cases/${caseId}/replies`, reply), 201, 'reply');
}

/** Solves the case; the customer rates it through the survey link (CSAT and NPS). */
export async function solveAndRate(services: CrossService, caseId: string, score: number, recommend: number) {
  const solved = ok(
    await callService(services.serviceDesks[0], 'POST', `/cases/${caseId}/solve`),
    200,
    'solve',
  );
  ok(
    await callService(
      services.serviceDesks[0],
      'POST',
      solved.surveyLink,
      { score, recommend },
      { authorization: '' },
    ),
    200,
    'rating',
  );
}

export async function grantOffersByEmail(services: CrossService, customerId: string) {
  const granted = ok(
    await callService(services.marketings[0], 'POST', `/customers/${customerId}/consents`, {
      purpose: 'offers',
      channel: 'email',
      lawfulBasis: 'legitimate_interest',
      source: 'web_form',
    }),
    201,
    'consent',
  );
  if (granted.outcome !== 'granted') throw new Error(`consent: ${JSON.stringify(granted)}`);
}

/** A cross-sell campaign drafted (planned cost 1000 EUR) to `customerIds`. */
export async function draftCampaign(services: CrossService, customerIds: string[]) {
  const drafted = await callService(services.marketings[0], 'POST', '/campaigns', {
    name: `Cross-sell ${randomBytes(3).toString('hex')}`,
    objective: 'cross_sell',
    purpose: 'offers',
    channel: 'email',
    audience: { kind: 'customers', customerIds },
    steps: [
      {
        subject: 'New modules for {{name}}',
        body: 'Hello {{name}},\n\nsee our new modules: https://shop.example/modules.\n',
        waitDays: 0,
        onlyNonResponders: false,
      },
    ],
    budget: 2000,
    cost: 1000,
    currency: 'EUR',
  });
  return ok(drafted, 201, 'campaign').campaignId as string;
}

/** Schedules the campaign now and waits for its step to be sent. */
export async function sendCampaign(services: CrossService, campaignId: string) {
  ok(
    await callService(services.marketings[0], 'POST', `/campaigns/${campaignId}/schedule`, {
      startAt: new Date().toISOString(),
    }),
    200,
    'schedule',
  );
  return waitFor(
    'the campaign step sent',
    async () => {
      const r = await callService(services.marketings[0], 'GET', `/campaigns/${campaignId}`);
      return r.body.stepsSent?.length === 1 ? r.body : undefined;
    },
    SLOW,
  );
}

/** The customer clicks the tracked link of the message they received (as a mail client follows it). */
export async function click(services: CrossService, email: string) {
  const messages = await services.mail!.mailbox.list();
  const message = messages.find((m) => m.envelope.rcptTo[0] === email);
  const link = /<a href="(http:\/\/127\.0\.0\.1:\d+\/t\/c\/[\w.-]+)">/.exec(message?.html ?? '')?.[1];
  if (!link) throw new Error(`no tracked link in the message to ${email}`);
  const response = await fetch(link, { redirect: 'manual' });
  if (response.status !== 302) throw new Error(`click: ${response.status}`);
}

export async function recordCost(services: CrossService, campaignId: string, amount: number) {
  const r = await callService(services.marketings[0], 'POST', `/campaigns/${campaignId}/costs`, {
    amount,
    currency: 'EUR',
    item: 'design',
  });
  if (r.status !== 200 && r.status !== 201) ok(r, 200, 'cost');
}

/** The opportunity pipeline opened for the customer's response to the cross-sell campaign. */
export async function campaignOpportunity(topics: RunTopics, customerId: string, campaignId: string) {
  const opened = await topics.one(
    'OpportunityOpened',
    (d) => d.fromCampaignId === campaignId && d.customerId === customerId,
  );
  return opened.opportunityId as string;
}

export interface People {
  ana: Person;
  ben: Person;
  cleo: Person;
}

/** Everything driven before the middle (analytics.e2e-spec.ts tells the story); the ids. */
export async function beforeTheMiddle(services: CrossService, topics: RunTopics, { ana, ben, cleo }: People) {
  const leadA = await capturedLead(services, ana);
  const leadB = await capturedLead(services, ben);
  const leadC = await capturedLead(services, cleo);
  const [a, b, c] = [leadA.customerId, leadB.customerId, leadC.customerId];
  const oppA1 = await convert(services, leadA);
  await setAmount(services, oppA1, 1000);
  await moveStage(services, oppA1, 'proposal');
  await moveStage(services, oppA1, 'negotiation');
  await win(services, oppA1);
  const oppB = await convert(services, leadB);
  await setAmount(services, oppB, 2000);
  await win(services, oppB);
  const oppC = await convert(services, leadC);
  await setAmount(services, oppC, 800);
  await grantOffersByEmail(services, a);
  await grantOffersByEmail(services, b);
  const campaignId = await draftCampaign(services, [a, b, c]);
  const stage = (customerId: string, s: string) =>
    topics.one('CustomerLifecycleStageReached', (d) => d.customerId === customerId && d.stage === s);
  // The service desk hears of Ana's acquisition before she rates her case (retention needs it).
  await stage(a, 'acquisition');
  const caseA = await openCase(services, a, ana, 'low');
  await answer(services, caseA);
  await solveAndRate(services, caseA, 5, 10);
  // Everything driven is on the topics.
  await stage(a, 'retention');
  await stage(b, 'acquisition');
  await topics.one('NetPromoterScoreGiven', (d) => d.caseId === caseA);
  await topics.one('OpportunityDetailsChanged', (d) => d.opportunityId === oppC);
  await topics.one('CampaignDrafted', (d) => d.campaignId === campaignId);
  await topics.one('ConsentGranted', (_, e) => e.event.customerid === b);
  return { a, b, c, leadA, leadB, leadC, oppA1, oppB, oppC, campaignId, caseA };
}

export type Driven = Awaited<ReturnType<typeof beforeTheMiddle>>;

/** Everything driven after the middle; the new ids. */
export async function afterTheMiddle(
  services: CrossService,
  topics: RunTopics,
  { ana, ben }: People,
  x: Driven,
) {
  const caseB = await openCase(services, x.b, ben, 'normal');
  await topics.one('SlaBreached', (d) => d.caseId === caseB, 60_000);
  await answer(services, caseB);
  await solveAndRate(services, caseB, 2, 3);
  await moveStage(services, x.oppC, 'qualification');
  const sent = await sendCampaign(services, x.campaignId);
  expect(sent.deliveries).toEqual([expect.objectContaining({ step: 0, pending: 0, sent: 2, suppressed: 1 })]);
  await click(services, ana.email);
  const oppA2 = await campaignOpportunity(topics, x.a, x.campaignId);
  await setAmount(services, oppA2, 500);
  await win(services, oppA2);
  await recordCost(services, x.campaignId, 200);
  const stage = (customerId: string, s: string) =>
    topics.one('CustomerLifecycleStageReached', (d) => d.customerId === customerId && d.stage === s);
  await stage(x.a, 'expansion');
  await stage(x.b, 'at_risk');
  await topics.one('CampaignCostRecorded', (d) => d.campaignId === x.campaignId);
  await topics.one('OpportunityStageChanged', (d) => d.opportunityId === x.oppC);
  return { caseB, oppA2 };
}
