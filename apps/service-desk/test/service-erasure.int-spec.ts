import { randomUUID } from 'node:crypto';
import { publishedEvents, type InProcessService, type ProjectionSpec } from '@crm/test-support';
import { ServiceErasureProjection } from '../src/read-model/service-erasure.projection';
import { aCase, startServiceDesk, type CaseReadModel } from './service-desk.given';

jest.setTimeout(60_000);

/**
 * The service-erasure projection: given a customer's cases in the service read model, when
 * CustomerErased arrives on crm.leads.events, then the requester's name, e-mail and phone and the
 * subject of each of their cases read `[erased]` (an empty one stays empty) and every status,
 * rating and clock stays; other customers' cases are untouched.
 */
let desk: InProcessService;
let readModel: CaseReadModel;
let erasure: ProjectionSpec;
beforeAll(async () => {
  ({ desk, readModel } = await startServiceDesk());
  erasure = await desk.projection('service-erasure', [ServiceErasureProjection]);
});
afterAll(async () => {
  await readModel?.close();
  await desk?.stop();
});

async function solvedAndRated(
  customerId: string,
  requester: { name?: string; email?: string; phone?: string },
) {
  const c = aCase('2026-06-08T09:00:00.000Z', {
    customerId,
    requester,
    subject: `Refund for ${requester.name}`,
  });
  await readModel.given(
    c,
    c.opened(),
    c.assigned('sam', '2026-06-08T09:05:00.000Z'),
    ...c.answered('2026-06-08T09:30:00.000Z'),
    c.status('open', 'solved', '2026-06-08T11:00:00.000Z'),
    c.rated(5, '2026-06-08T12:00:00.000Z'),
  );
  return c;
}

const casesOf = (customerId: string) =>
  readModel.rows(
    `select subject, requester_name, requester_email, requester_phone, status, assignee_id, csat, first_response_at,
            (select count(*)::int from service.case_sla_clock k where k.case_id = c.case_id) as clocks
       from service.case c where customer_id = $1 order by requester_phone nulls last`,
    [customerId],
  );

describe('service-erasure projection', () => {
  it('given CustomerErased, then their cases read [erased] where personal, every figure unchanged', async () => {
    const customerId = randomUUID();
    await solvedAndRated(customerId, {
      name: 'Lea Marchetti',
      email: 'lea@home.example',
      phone: '+39 333 0000',
    });
    await solvedAndRated(customerId, { name: 'Lea Marchetti', email: 'lea@home.example' });
    const otherId = randomUUID();
    await solvedAndRated(otherId, { name: 'Joan Miro', email: 'joan@home.example' });
    const before = await casesOf(otherId);

    const erased = { customerId, reason: 'request 11', erasedAt: '2026-11-29T09:00:00.000Z' };
    const events = publishedEvents('leads', customerId, [{ type: 'CustomerErased', data: erased }]);
    await erasure.given(...events);
    await erasure.given(...events); // delivered again: still masked, nothing else changes

    const figures = {
      status: 'solved',
      assignee_id: 'sam',
      csat: 5,
      first_response_at: new Date('2026-06-08T09:30:00.000Z'),
      clocks: 2,
    };
    expect(await casesOf(customerId)).toEqual([
      {
        subject: '[erased]',
        requester_name: '[erased]',
        requester_email: '[erased]',
        requester_phone: '[erased]',
        ...figures,
      },
      {
        subject: '[erased]',
        requester_name: '[erased]',
        requester_email: '[erased]',
        requester_phone: null,
        ...figures,
      },
    ]);
    expect(await casesOf(otherId)).toEqual(before);
    expect(before[0]).toMatchObject({ requester_name: 'Joan Miro', subject: 'Refund for Joan Miro' });
  });
});
