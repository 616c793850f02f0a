import { randomUUID } from 'node:crypto';
import { bearer, callService } from '@crm/test-support';
import { PROJECTORS } from '../src/projection/projectors';
import { AnalyticsWorld, type RunningAnalytics } from './analytics.given';
import { C, customer360Events } from './customer-360.given';

jest.setTimeout(120_000);

/**
 * The customer 360 routes on the running service: the events of customer-360.given.ts published on
 * the four topics (each topic in order, the topics in no order), projected by the generation
 * runner, and read back over HTTP with the platform's authentication, validation and error mapping.
 */
describe('GET /customers/:customerId/360 and /timeline', () => {
  let world: AnalyticsWorld;
  let service: RunningAnalytics;
  const events = customer360Events();

  beforeAll(async () => {
    world = await AnalyticsWorld.create();
    service = await world.serve(events, PROJECTORS, {
      [`timeline where customer_id = '${C}'`]: events.filter((e) => e.customerId === C).length,
      sale: 15,
    });
  });

  afterAll(async () => {
    await service?.stop();
    await world?.close();
  });

  const as = async (who: string) => ({ authorization: await bearer(who) });

  it('answers the 360 as of a moment to an analyst', async () => {
    const response = await callService(
      service,
      'GET',
      `/customers/${C}/360?asOf=2026-06-30T00:00:00Z`,
      undefined,
      await as('ada'),
    );

    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({
      customerId: C,
      asOf: '2026-06-30T00:00:00.000Z',
      profile: {
        name: 'Charles Babbage',
        email: 'charles@example.com',
        country: 'FR',
        cohortMonth: '2026-01',
      },
      currentStage: { stage: 'at_risk', validTo: null },
      figures: {
        wonRevenue: 1000,
        orders: 3,
        openCases: 1,
        rfm: { r: 3, f: 3, m: 4, segment: 'Loyal', population: 5 },
        churnRisk: { score: 30, level: 'medium' },
      },
    });
  });

  it('pages the timeline newest first to a sales manager', async () => {
    const first = await callService(
      service,
      'GET',
      `/customers/${C}/timeline?asOf=2026-06-30T00:00:00Z&context=service&limit=5`,
      undefined,
      await as('mia'),
    );
    expect(first.status).toBe(200);
    const body = first.body as { items: { kind: string }[]; next: string };
    expect(body.items.map((i) => i.kind)).toEqual([
      'survey',
      'stage_reached',
      'survey',
      'sla_breached',
      'case_opened',
    ]);
    const second = await callService(
      service,
      'GET',
      `/customers/${C}/timeline?asOf=2026-06-30T00:00:00Z&context=service&limit=5&before=${body.next}`,
      undefined,
      await as('mia'),
    );
    expect((second.body as { items: { kind: string }[] }).items.map((i) => i.kind)).toEqual([
      'case_solved',
      'case_opened',
      'stage_reached',
    ]);
    expect(second.body).not.toHaveProperty('next');
  });

  it('refuses bad parameters with a 400 naming each of them', async () => {
    const response = await callService(
      service,
      'GET',
      `/customers/${C}/timeline?asOf=yesterday&context=billing&channel=fax&limit=0&before=nope&colour=red`,
      undefined,
      await as('ada'),
    );
    expect(response.status).toBe(400);
    const fields = (response.body as { errors: { field: string }[] }).errors.map((e) => e.field).sort();
    expect(fields).toEqual(['asOf', 'before', 'channel', 'colour', 'context', 'limit']);
    const badId = await callService(service, 'GET', '/customers/not-a-uuid/360', undefined, await as('ada'));
    expect(badId.status).toBe(400);
    expect((badId.body as { errors: { field: string }[] }).errors.map((e) => e.field)).toEqual([
      'customerId',
    ]);
  });

  it('answers 404 CUSTOMER_NOT_FOUND for a customer it does not know (as of asOf)', async () => {
    for (const path of [`/customers/${randomUUID()}/360`, `/customers/${C}/timeline?asOf=2025-12-31`]) {
      const response = await callService(service, 'GET', path, undefined, await as('ada'));
      expect(response.status).toBe(404);
      expect(response.body).toMatchObject({ code: 'CUSTOMER_NOT_FOUND' });
    }
  });

  it('lets analysts, managers and admins in; nobody else', async () => {
    const path = `/customers/${C}/360`;
    for (const who of ['ada', 'mia', 'sue', 'root'])
      expect([who, (await callService(service, 'GET', path, undefined, await as(who))).status]).toEqual([
        who,
        200,
      ]);
    for (const who of ['rep-1', 'sam', 'max'])
      expect([who, (await callService(service, 'GET', path, undefined, await as(who))).status]).toEqual([
        who,
        403,
      ]);
    expect((await fetch(`${service.url}${path}`)).status).toBe(401);
  });
});
