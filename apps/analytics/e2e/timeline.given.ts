import type { RunTopics } from './platform.given';

/* eslint-disable @typescript-eslint/no-explicit-any -- the answers as the API gives them */

/** Every endpoint's answer at one moment (analytics.e2e-spec.ts). */
export interface Answers {
  a360: any;
  b360: any;
  c360: any;
  aTimeline: any;
  aService: any;
  aEmail: any;
  funnel: any;
  funnelByChannel: any;
  pipeline: any;
  service: any;
  marketing: any;
  customerValue: any;
}

/** Ana's interactions by the middle: `context kind channel`, written out from what the test drove. */
const MIDDLE = [
  'leads lead_captured other', // channel referral
  'leads stage_reached other', // interest
  'leads lead_assigned other',
  'leads engagement in_person', // a meeting
  'leads lead_qualified other',
  'leads lead_converted other',
  'pipeline account_opened other',
  'pipeline opportunity_opened other',
  'pipeline opportunity_stage other', // prospecting → proposal
  'pipeline opportunity_stage other', // proposal → negotiation
  'pipeline opportunity_won other',
  'pipeline stage_reached other', // acquisition
  'marketing consent_granted email',
  'service case_opened email',
  'service case_reply email',
  'service case_solved other',
  'service survey web', // CSAT 5
  'service survey web', // NPS 10
  'service stage_reached other', // retention
];
/** And after it: the campaign's message and her click, the opportunity it opened, won. */
const AFTER = [
  'marketing campaign_sent email',
  'marketing campaign_click email',
  'pipeline opportunity_opened other',
  'pipeline opportunity_won other',
  'pipeline stage_reached other', // expansion
];

const line = (i: any) => `${i.context} ${i.kind} ${i.channel}`;

/**
 * Checks Ana's timeline pages against the interactions driven: every one of them, from every
 * context, newest first, each an event of hers on her context's topic; the
 * context and channel filters answer exactly the matching entries, in the same order.
 */
export function timelineOf(
  topics: RunTopics,
  answers: Answers,
  customerId: string,
  moment: 'middle' | 'end',
) {
  const expected = moment === 'middle' ? MIDDLE : [...MIDDLE, ...AFTER];
  const items: any[] = answers.aTimeline.items;
  expect(items.map(line).sort()).toEqual([...expected].sort());
  expect(answers.aTimeline.next).toBeUndefined();
  // Newest first (entries at the same instant, e.g. a capture and its stage, by event id in the
  // database's collation).
  const times = items.map((i) => i.occurredAt as string);
  expect(times).toEqual([...times].sort().reverse());
  for (const item of items) {
    const published = topics.of(item.context).find((e) => e.event.id === item.eventId);
    expect({ item: item.kind, customer: published?.event.customerid }).toEqual({
      item: item.kind,
      customer: customerId,
    });
  }
  expect(answers.aService.items).toEqual(items.filter((i) => i.context === 'service'));
  expect(answers.aEmail.items).toEqual(items.filter((i) => i.channel === 'email'));
  expect(answers.aEmail.items.length).toBeGreaterThan(0);
}
