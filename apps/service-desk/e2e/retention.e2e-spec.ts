import { randomUUID } from 'node:crypto';
import {
  PublishedEventsReader,
  callService,
  kafkaBrokers,
  startCrossService,
  waitFor,
  wonCustomer,
  type CrossService,
} from '@crm/test-support';

/**
 * The service desk on the real processes and broker, beside leads and pipeline: a customer won in
 * the pipeline, then served and satisfied, reaches retention; a case nobody answers breaches its
 * SLA with no request touching it, once, also across a restart and with two service desk
 * processes. A short test policy (seconds, on an always-open calendar) stands for hours.
 */
jest.setTimeout(240_000);

const ALWAYS_OPEN = JSON.stringify({
  timeZone: 'UTC',
  weekly: Object.fromEntries([1, 2, 3, 4, 5, 6, 7].map((d) => [d, [{ start: '00:00', end: '24:00' }]])),
  holidays: [],
});
/** Normal cases: first response in 6 s, warned at 3 s; others as configured. */
const TEST_POLICIES = JSON.stringify({
  normal: { firstResponseMinutes: 0.1, nextResponseMinutes: 60, resolutionMinutes: 600, warningShare: 0.5 },
  low: { firstResponseMinutes: 600, nextResponseMinutes: 600, resolutionMinutes: 6000, warningShare: 0.8 },
});

let services: CrossService;
let service: PublishedEventsReader;
beforeAll(async () => {
  services = await startCrossService(
    {},
    { serviceDesk: { SLA_CALENDAR: ALWAYS_OPEN, SLA_POLICIES: TEST_POLICIES, SLA_POLL_INTERVAL_MS: '100' } },
  );
  service = await PublishedEventsReader.follow(kafkaBrokers(), services.serviceTopic);
});
afterAll(async () => {
  await service?.stop();
  expect(await services?.stop()).toEqual(
    services.serviceDesks.map(() => 'graceful').concat(['graceful', 'graceful']),
  );
});

const desk = (i = 0) => services.serviceDesks[i];
const caseEvents = (caseId: string, type: string) =>
  service.events.filter((e) => e.event.subject === caseId && e.event.type === `crm.service.${type}.v1`);

async function openCase(priority: 'low' | 'normal', customerId?: string) {
  const opened = await callService(desk(), 'POST', '/cases', {
    ...(customerId ? { customerId } : {}),
    requester: { name: 'Olga Ruiz', email: `olga.${randomUUID().slice(0, 6)}@acme.example` },
    channel: 'email',
    caseType: 'service_request',
    priority,
    subject: 'Invoice question',
  });
  expect(opened.status).toBe(201);
  return opened.body.id as string;
}

describe('service desk, end to end', () => {
  it('publishes retention for a customer won in the pipeline whose solved case they rate 5', async () => {
    const { customerId } = await wonCustomer(services);
    const caseId = await openCase('low', customerId);
    const agent = {
      authorKind: 'agent',
      channel: 'email',
      visibility: 'public',
      body: 'Here is your invoice.',
    };
    expect((await callService(desk(), 'POST', `/cases/${caseId}/replies`, agent)).status).toBe(201);
    const solved = await callService(desk(), 'POST', `/cases/${caseId}/solve`);
    expect(solved.body).toMatchObject({
      status: 'solved',
      surveyLink: expect.stringMatching(/^\/satisfaction\//),
    });

    // The customer follows the link: no token of theirs; the link is the credential, once.
    const rate = (score: number) =>
      callService(desk(), 'POST', solved.body.surveyLink, { score }, { authorization: '' });
    expect((await rate(5)).status).toBe(200);
    expect((await rate(1)).body.code).toBe('CASE_ALREADY_RATED');

    const retention = await waitFor('retention on crm.service.events', () =>
      service
        .ofType('crm.service.CustomerLifecycleStageReached.v1')
        .find(
          (e) =>
            e.event.customerid === customerId && (e.event.data as { stage: string }).stage === 'retention',
        ),
    );
    expect(retention.event.data).toMatchObject({ reason: { aggregateType: 'case', aggregateId: caseId } });
  });

  it('breaches an unanswered case with no request touching it, once, across a restart and with two processes', async () => {
    const first = await openCase('normal');
    await waitFor(
      'the warning of the first',
      () => caseEvents(first, 'SlaWarningReached').length === 1,
      20_000,
    );
    await services.restartServiceDesk(0);
    await waitFor('the breach of the first', () => caseEvents(first, 'SlaBreached').length === 1, 30_000);

    await services.startServiceDesk();
    const second = await openCase('normal');
    await waitFor('the breach of the second', () => caseEvents(second, 'SlaBreached').length === 1, 30_000);
    // Both processes poll: a second breach would show within a few polls.
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    for (const caseId of [first, second]) {
      expect(caseEvents(caseId, 'SlaBreached').map((e) => (e.event.data as { clock: string }).clock)).toEqual(
        ['first_response'],
      );
      expect(caseEvents(caseId, 'SlaWarningReached')).toHaveLength(1);
    }
    const state = await callService(desk(1), 'GET', `/cases/${second}`);
    expect(state.body.clocks).toContainEqual(
      expect.objectContaining({ clock: 'first_response', state: 'breached' }),
    );
  });
});
