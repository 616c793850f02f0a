import { bearer, callService, waitFor } from '@crm/test-support';
import { diffGenerations } from '../src/consumption/generation-diff';
import {
  AnalyticsWorld,
  anErasure,
  expectedCounts,
  someEvents,
  type RunningAnalytics,
} from './analytics.given';
import { EventCountProjector } from './event-count.projector';

jest.setTimeout(240_000);

/** Bound of the waits on consumers joining their groups (a restart waits for the old members to leave). */
const JOIN_MS = 90_000;

/**
 * The generations on the real PostgreSQL and Kafka (private topics and groups): generation 1 at
 * start from the beginning of the four topics, unknown event types counted and acknowledged, a
 * rebuild into generation 2 from offset 0 while generation 1 serves, its progress to the total,
 * the switch-over, and the rebuilt tables identical to the live ones.
 */
describe('analytics generations and their rebuild', () => {
  let world: AnalyticsWorld;
  let service: RunningAnalytics;
  const projector = new EventCountProjector();

  beforeAll(async () => {
    world = await AnalyticsWorld.create();
    // Published before the service starts: generation 1 reads them from the beginning.
    await world.publish([...someEvents(5, 2), anErasure()]);
    service = await world.start([projector]);
  });

  afterAll(async () => {
    projector.release();
    await service?.stop();
    await world?.close();
  });

  const metrics = async () => (await fetch(`${service.url}/metrics`)).text();

  it('starts generation 1, current, in group analytics-g1 from the beginning of every topic', async () => {
    await world.countsBecome(expectedCounts(5, 1));
    expect(await world.rows('select n, state from analytics.generation')).toEqual([
      { n: 1, state: 'current' },
    ]);
    expect(service.consumption.running().map((r) => [r.n, r.groupId, r.topics])).toEqual([
      [
        1,
        `it-${world.suffix}-analytics-g1`,
        ['leads', 'pipeline', 'service', 'marketing'].map((c) => world.topic(c as never)),
      ],
    ]);
    const current = await callService(service, 'GET', '/admin/rebuilds/current');
    expect(current).toMatchObject({ status: 200, body: { generation: 1, state: 'current' } });
  });

  it('counts the records of unknown types, acknowledges them and writes nothing for them', async () => {
    const text = await metrics();
    expect(text).toContain('analytics_unknown_events_total{type="crm.leads.LeadTeleported.v1"} 2');
    expect(text).toMatch(
      /analytics_consumer_lag_messages\{generation="1",state="current",topic="[^"]+crm\.leads\.events"\} 0/,
    );
    expect(text).toContain('crm_relay_leader'); // the platform's metrics are still there
    expect(await world.counts()).toEqual(expectedCounts(5, 1));
  });

  it('is ready once caught up', async () => {
    const ready = await waitFor('readiness', async () => {
      const response = await fetch(`${service.url}/health/ready`);
      return response.status === 200
        ? ((await response.json()) as { info: Record<string, unknown> })
        : undefined;
    });
    expect(ready.info.consumption).toMatchObject({ status: 'up', generation: 1 });
  });

  it('refuses a rebuild to anyone but an admin', async () => {
    const response = await callService(service, 'POST', '/admin/rebuilds', undefined, {
      authorization: await bearer('analyst'),
    });
    expect(response.status).toBe(403);
  });

  it('rebuilds generation 2 from offset 0 while generation 1 serves, then switches over', async () => {
    projector.hold('analytics_g2');
    const started = await callService(service, 'POST', '/admin/rebuilds');
    expect(started).toMatchObject({ status: 202, body: { generation: 2, state: 'building', started: true } });
    const again = await callService(service, 'POST', '/admin/rebuilds');
    expect(again).toMatchObject({ status: 202, body: { generation: 2, state: 'building', started: false } });

    // Generation 2 is held at its first event: generation 1 serves, and takes new events.
    await world.publish(someEvents(3));
    await world.countsBecome(expectedCounts(8, 1));
    const building = await waitFor(
      'the rebuild to be sampled',
      async () => {
        const { body } = await callService(service, 'GET', '/admin/rebuilds/current');
        return body.generation === 2 && body.total === 35 ? body : undefined;
      },
      JOIN_MS,
    );
    expect(building).toMatchObject({ generation: 2, state: 'building', done: 0, total: 35 });
    expect(await world.rows(`select n, state from analytics.generation order by n`)).toEqual([
      { n: 1, state: 'current' },
      { n: 2, state: 'building' },
    ]);

    projector.release();
    const switched = await waitFor(
      'the switch-over',
      async () => {
        const { body } = await callService(service, 'GET', '/admin/rebuilds/current');
        return body.generation === 2 && body.state === 'current' ? body : undefined;
      },
      JOIN_MS,
    );
    expect(switched).toMatchObject({ generation: 2, state: 'current', done: 35, total: 35, etaSeconds: 0 });
    expect(await world.rows(`select n, state from analytics.generation order by n`)).toEqual([
      { n: 1, state: 'retired' },
      { n: 2, state: 'current' },
    ]);
    const [view] = await world.rows<{ definition: string }>(
      `select definition from pg_views where schemaname = 'analytics' and viewname = 'event_count'`,
    );
    expect(view.definition).toContain('analytics_g2.event_count');
    // Its tables were analyzed before it switched over: the dashboards are planned on their rows.
    expect(
      await world.rows(
        `select relname from pg_stat_user_tables where schemaname = 'analytics_g2' and last_analyze is null`,
      ),
    ).toEqual([]);
    expect(await world.counts()).toEqual(expectedCounts(8, 1));
    // The retired generation's consumer has stopped; the new one goes on.
    await waitFor('one runner left', () => service.consumption.running().length === 1);
    expect(service.consumption.running().map((r) => r.n)).toEqual([2]);
  });

  it('rebuilt every table identical, row for row, to the generation that served', async () => {
    expect(await diffGenerations(world.pool, 'analytics_g1', 'analytics_g2')).toEqual([]);
  });

  it('keeps consuming into the new generation', async () => {
    await world.publish(someEvents(1));
    await world.countsBecome(expectedCounts(9, 1));
  });
});
