import type { InProcessService } from '@crm/test-support';
import { aCase, startServiceDesk, type CaseReadModel } from './service-desk.given';

jest.setTimeout(60_000);

/**
 * The service-read-model projection: given these events of a case (appended to its stream and
 * published on crm.service.events), then these rows in `service.case`, `service.case_sla_clock`
 * and `service.case_assignment`, in the service's migrated tables. Business hours: Monday to
 * Friday 09:00-17:00 UTC; 2026-06-05 is a Friday, 2026-06-08 a Monday.
 */
let desk: InProcessService;
let readModel: CaseReadModel;
beforeAll(async () => ({ desk, readModel } = await startServiceDesk()));
afterAll(async () => {
  await readModel?.close();
  await desk?.stop();
});

const caseRow = (caseId: string) =>
  readModel.rows(
    `select status, case_type, priority, channel, queue, assignee_id, subject, requester_name,
            requester_email, requester_phone, known_customer, policy_id, policy_version, opened_at,
            first_response_at, solved_at, closed_at, breached, csat, rated_at, nps, nps_category, revision
       from service.case where case_id = $1`,
    [caseId],
  );

/** The clocks of a case as analysts read them (numbers as numbers, instants as ISO strings). */
const clocks = async (caseId: string) =>
  (
    await readModel.rows(
      `select clock, state, target_minutes::float8 as target, elapsed_business_minutes::float8 as elapsed,
              paused_spans, started_at, stopped_at, due_at, warned_at, breached_at, policy_id, policy_version
         from service.case_sla_clock where case_id = $1 order by clock`,
      [caseId],
    )
  ).map((r) => ({
    ...r,
    ...Object.fromEntries(
      ['started_at', 'stopped_at', 'due_at', 'warned_at', 'breached_at'].map((k) => [
        k,
        r[k] === null ? null : (r[k] as Date).toISOString(),
      ]),
    ),
  }));

const clock = async (caseId: string, name: string) => (await clocks(caseId)).find((k) => k.clock === name);

describe('a case and its SLA clocks in business time', () => {
  const c = aCase('2026-06-05T16:00:00.000Z', {
    requester: { name: 'Olga Ruiz', email: 'olga@acme.example', phone: '+34 600 000 000' },
    policy: { firstResponseMinutes: 240 },
  });
  const history: Awaited<ReturnType<CaseReadModel['given']>> = [];

  it('given a case opened Friday 16:00 and answered Monday 10:00, then the first response met in 120 business minutes', async () => {
    history.push(...(await readModel.given(c, c.opened(), ...c.answered('2026-06-08T10:00:00.000Z'))));
    expect(await caseRow(c.caseId)).toEqual([
      {
        status: 'open',
        case_type: 'service_request',
        priority: 'normal',
        channel: 'email',
        queue: 'billing',
        assignee_id: null,
        subject: 'Invoice question',
        requester_name: 'Olga Ruiz',
        requester_email: 'olga@acme.example',
        requester_phone: '+34 600 000 000',
        known_customer: false,
        policy_id: 'priority-normal',
        policy_version: 3,
        opened_at: new Date('2026-06-05T16:00:00.000Z'),
        first_response_at: new Date('2026-06-08T10:00:00.000Z'),
        solved_at: null,
        closed_at: null,
        breached: false,
        csat: null,
        rated_at: null,
        nps: null,
        nps_category: null,
        revision: 2,
      },
    ]);
    const policy = { policy_id: 'priority-normal', policy_version: 3 };
    expect(await clocks(c.caseId)).toEqual([
      {
        clock: 'first_response',
        state: 'met',
        target: 240,
        elapsed: 120, // Friday 16:00-17:00 and Monday 09:00-10:00
        paused_spans: 0,
        started_at: '2026-06-05T16:00:00.000Z',
        stopped_at: '2026-06-08T10:00:00.000Z',
        due_at: null, // met before it ran out
        warned_at: null,
        breached_at: null,
        ...policy,
      },
      {
        clock: 'resolution',
        state: 'running',
        target: 960,
        elapsed: 120,
        paused_spans: 0,
        started_at: '2026-06-05T16:00:00.000Z',
        stopped_at: null,
        due_at: '2026-06-09T16:00:00.000Z', // 60 on Friday, 480 on Monday, 420 on Tuesday
        warned_at: null,
        breached_at: null,
        ...policy,
      },
    ]);
  });

  it('given it waits on the customer from Monday 11:00, then the resolution clock is paused at 180', async () => {
    history.push(...(await readModel.given(c, c.status('open', 'pending', '2026-06-08T11:00:00.000Z'))));
    expect(await clock(c.caseId, 'resolution')).toMatchObject({
      state: 'paused',
      elapsed: 180,
      paused_spans: 1,
      due_at: null,
    });
    expect((await caseRow(c.caseId))[0]).toMatchObject({ status: 'pending', revision: 3 });
  });

  it('given the customer replies at 14:00, then resolution runs on and a next response clock starts', async () => {
    const at = '2026-06-08T14:00:00.000Z';
    history.push(...(await readModel.given(c, c.status('pending', 'open', at), c.customerReply(at))));
    expect(await clock(c.caseId, 'resolution')).toMatchObject({
      state: 'running',
      elapsed: 180,
      paused_spans: 1,
      due_at: '2026-06-10T11:00:00.000Z', // 780 left: 180 Monday, 480 Tuesday, 120 Wednesday
    });
    expect(await clock(c.caseId, 'next_response')).toMatchObject({
      state: 'running',
      target: 120,
      elapsed: 0,
      started_at: at,
      due_at: '2026-06-08T16:00:00.000Z',
    });
  });

  it('given the next response is warned and breached, then answered, solved, closed and rated', async () => {
    history.push(
      ...(await readModel.given(
        c,
        c.warned('next_response', '2026-06-08T15:36:00.000Z', '2026-06-08T16:00:00.000Z'),
        c.breached('next_response', '2026-06-08T16:00:00.000Z'),
        c.agentReply('2026-06-09T09:30:00.000Z'),
        c.status('open', 'solved', '2026-06-09T10:00:00.000Z'),
        c.status('solved', 'closed', '2026-06-09T12:00:00.000Z'),
        c.rated(4, '2026-06-09T12:30:00.000Z'),
        c.nps(9, '2026-06-09T12:30:00.000Z'),
      )),
    );
    expect((await caseRow(c.caseId))[0]).toMatchObject({
      status: 'closed',
      first_response_at: new Date('2026-06-08T10:00:00.000Z'),
      solved_at: new Date('2026-06-09T10:00:00.000Z'),
      closed_at: new Date('2026-06-09T12:00:00.000Z'),
      breached: true,
      csat: 4,
      rated_at: new Date('2026-06-09T12:30:00.000Z'),
      nps: 9,
      nps_category: 'promoter',
      revision: 12,
    });
    expect(await clock(c.caseId, 'next_response')).toMatchObject({
      state: 'breached',
      elapsed: 210, // Monday 14:00-17:00, Tuesday 09:00-09:30
      stopped_at: '2026-06-09T09:30:00.000Z',
      warned_at: '2026-06-08T15:36:00.000Z',
      breached_at: '2026-06-08T16:00:00.000Z',
    });
    expect(await clock(c.caseId, 'resolution')).toMatchObject({
      state: 'met',
      elapsed: 420, // 180 before the pause, Monday 14:00-17:00, Tuesday 09:00-10:00
      stopped_at: '2026-06-09T10:00:00.000Z',
    });
    expect(await clock(c.caseId, 'first_response')).toMatchObject({ state: 'met', elapsed: 120 });
  });

  it('changes nothing when the whole history is delivered again, or an old status change late', async () => {
    const before = { row: await caseRow(c.caseId), clocks: await clocks(c.caseId) };
    await readModel.deliver(...history);
    await readModel.deliver(history[3]); // open → pending, again
    expect({ row: await caseRow(c.caseId), clocks: await clocks(c.caseId) }).toEqual(before);
  });
});

describe('assignment and escalation', () => {
  it('given a case assigned, breached, escalated to tier 2 and reassigned, then its queue, priority and assignment history', async () => {
    const c = aCase('2026-06-08T09:00:00.000Z', {
      priority: 'high',
      queue: 'billing',
      policy: { policyId: 'priority-high', version: 2, firstResponseMinutes: 60, escalateToQueue: 'tier-2' },
    });
    const history = await readModel.given(
      c,
      c.opened(),
      c.assigned('sam', '2026-06-08T09:05:00.000Z', 'round_robin'),
      c.warned('first_response', '2026-06-08T09:48:00.000Z', '2026-06-08T10:00:00.000Z'),
      c.breached('first_response', '2026-06-08T10:00:00.000Z'),
      c.escalated('billing', 'tier-2', 'urgent', '2026-06-08T10:00:00.000Z'),
      c.assigned('sue', '2026-06-08T10:30:00.000Z'),
    );
    await readModel.deliver(...history); // a redelivery: no assignment twice
    expect((await caseRow(c.caseId))[0]).toMatchObject({
      status: 'new',
      queue: 'tier-2',
      priority: 'urgent',
      assignee_id: 'sue',
      breached: true,
      policy_id: 'priority-high',
      policy_version: 2,
      revision: 5,
    });
    expect(
      await readModel.rows(
        `select agent_id, queue, method, assigned_at from service.case_assignment
          where case_id = $1 order by revision`,
        [c.caseId],
      ),
    ).toEqual([
      {
        agent_id: 'sam',
        queue: 'billing',
        method: 'round_robin',
        assigned_at: new Date('2026-06-08T09:05:00.000Z'),
      },
      {
        agent_id: 'sue',
        queue: 'tier-2',
        method: 'manual',
        assigned_at: new Date('2026-06-08T10:30:00.000Z'),
      },
    ]);
    expect(await clock(c.caseId, 'first_response')).toMatchObject({
      state: 'breached',
      elapsed: 90, // at the last event, 10:30
      due_at: '2026-06-08T10:00:00.000Z',
      warned_at: '2026-06-08T09:48:00.000Z',
      breached_at: '2026-06-08T10:00:00.000Z',
      policy_id: 'priority-high',
      policy_version: 2,
    });
  });

  it('starts a new next-response run on each customer reply: the warning of the last run is not its', async () => {
    const c = aCase('2026-06-08T09:00:00.000Z');
    await readModel.given(
      c,
      c.opened(),
      ...c.answered('2026-06-08T09:10:00.000Z'),
      c.customerReply('2026-06-08T10:00:00.000Z'),
      c.warned('next_response', '2026-06-08T11:36:00.000Z', '2026-06-08T12:00:00.000Z'),
      c.agentReply('2026-06-08T11:50:00.000Z'),
    );
    expect(await clock(c.caseId, 'next_response')).toMatchObject({
      state: 'met',
      elapsed: 110,
      warned_at: '2026-06-08T11:36:00.000Z',
    });
    await readModel.given(c, c.customerReply('2026-06-08T14:00:00.000Z'));
    expect(await clock(c.caseId, 'next_response')).toMatchObject({
      state: 'running',
      elapsed: 0,
      started_at: '2026-06-08T14:00:00.000Z',
      stopped_at: null,
      warned_at: null,
      breached_at: null,
    });
  });
});
