import { callService, waitFor } from '@crm/test-support';
import { diffGenerations } from '../src/consumption/generation-diff';
import { AnalyticsWorld, expectedCounts, someEvents, type RunningAnalytics } from './analytics.given';
import { EventCountProjector } from './event-count.projector';

jest.setTimeout(240_000);

/** Bound of the waits on consumers joining their groups (a restart waits for the old members to leave). */
const JOIN_MS = 90_000;

/**
 * A rebuild interrupted by a restart of the service resumes where its group's committed offsets
 * and dedupe rows left it, and completes: every event applied exactly once.
 */
describe('a rebuild interrupted by a restart', () => {
  let world: AnalyticsWorld;
  let service: RunningAnalytics | undefined;

  beforeAll(async () => {
    world = await AnalyticsWorld.create();
    await world.publish(someEvents(20, 3));
  });

  afterAll(async () => {
    await service?.stop();
    await world?.close();
  });

  it('resumes after the restart and switches over with every event applied once', async () => {
    const stalling = new EventCountProjector();
    service = await world.start([stalling]);
    await world.countsBecome(expectedCounts(20));

    // Generation 2 commits one batch, then its transactions fail (transiently) until the restart.
    stalling.stallAfterFirstCommit('analytics_g2', world.pool);
    expect((await callService(service, 'POST', '/admin/rebuilds')).status).toBe(202);
    const g2Applied = async () =>
      Number(
        (
          await world.rows<{ n: string }>(
            'select coalesce(sum(events), 0) as n from analytics_g2.event_count',
          )
        )[0].n,
      );
    const part = await waitFor(
      'part of the rebuild committed',
      async () => {
        const { body } = await callService(service!, 'GET', '/admin/rebuilds/current');
        return body.state === 'building' && body.done > 0 && body.total === 83 && (await g2Applied()) > 0
          ? body
          : undefined;
      },
      JOIN_MS,
    );
    expect(part.done).toBeLessThan(part.total);
    await service.stop();
    service = undefined;
    const appliedBefore = await g2Applied();

    const resumed = await world.start([new EventCountProjector()]);
    service = resumed;
    const switched = await waitFor(
      'the switch-over after the restart',
      async () => {
        const { body } = await callService(resumed, 'GET', '/admin/rebuilds/current');
        return body.generation === 2 && body.state === 'current' ? body : undefined;
      },
      JOIN_MS,
    );
    expect(switched).toMatchObject({ done: 83, total: 83 });
    // Resumed, not started again: this run applied exactly the events the first one had not committed.
    const applied = resumed.consumption
      .running()
      .find((r) => r.n === 2)!
      .consumer.stats().processed;
    expect(appliedBefore).toBeGreaterThan(0);
    expect(applied).toBe(80 - appliedBefore);
    expect(await world.counts()).toEqual(expectedCounts(20));
    expect(await diffGenerations(world.pool, 'analytics_g1', 'analytics_g2')).toEqual([]);
  });
});
