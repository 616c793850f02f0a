import { randomBytes } from 'node:crypto';
import { escapeIdentifier, Pool } from 'pg';
import { DurableTimers, type DueTimer } from '@crm/timers';
import { testDatabaseUrl, waitFor } from '@crm/test-support';

jest.setTimeout(60_000);

/**
 * Durable timers on the real PostgreSQL: they fire when due with nobody asking, survive the process
 * that scheduled them, fire once with two processes polling, and come back after a failure.
 */
const pool = new Pool({ connectionString: testDatabaseUrl(), max: 12 });
const schema = `timers_test_${randomBytes(5).toString('hex')}`;
const timers = (options: Partial<ConstructorParameters<typeof DurableTimers>[0]> = {}) =>
  new DurableTimers({ pool, schema, pollIntervalMs: 20, retryBackoffMs: 50, ...options });

beforeAll(() => Promise.all([timers().migrate(), timers().migrate()]));
afterAll(async () => {
  await pool.query(`drop schema if exists ${escapeIdentifier(schema)} cascade`);
  await pool.end();
});

describe('durable timers', () => {
  it('fires a timer when it is due, not before, with nothing else happening', async () => {
    const fired: string[] = [];
    const t = timers();
    await t.schedule(pool, 'sla', 'case-soon', new Date(Date.now() + 300));
    await t.schedule(pool, 'sla', 'case-later', new Date(Date.now() + 3_600_000));
    t.start(async (timer) => void fired.push(timer.key));
    await waitFor('the due timer fired', () => fired.includes('case-soon'));
    await t.stop();
    expect(fired).toEqual(['case-soon']);
    expect((await t.pending('sla')).map((p) => p.key)).toEqual(['case-later']);
    await t.cancel(pool, 'sla', 'case-later');
  });

  it('survives the process that scheduled it: another instance fires it', async () => {
    await timers().schedule(pool, 'restart', 'case-1', new Date(Date.now() - 1000), { clock: 'resolution' });
    const fired: DueTimer[] = [];
    const later = timers();
    later.start(async (timer) => void fired.push(timer));
    await waitFor('fired by the new instance', () => fired.length === 1);
    await later.stop();
    expect(fired[0]).toMatchObject({ kind: 'restart', key: 'case-1', payload: { clock: 'resolution' } });
  });

  it('fires each of 400 due timers exactly once with two processes polling', async () => {
    const due = new Date(Date.now() - 1000);
    for (let i = 0; i < 400; i++) await timers().schedule(pool, 'race', `case-${i}`, due);
    const counts = new Map<string, number>();
    const count = async (timer: DueTimer) => void counts.set(timer.key, (counts.get(timer.key) ?? 0) + 1);
    const [a, b] = [timers({ batchSize: 7 }), timers({ batchSize: 7 })];
    a.start(count);
    b.start(count);
    await waitFor('all 400 fired', async () => (await a.pending('race')).length === 0 && counts.size === 400);
    await Promise.all([a.stop(), b.stop()]);
    expect([...counts.values()].every((n) => n === 1)).toBe(true);
  });

  it('keeps a timer whose handler failed, without its writes, and fires it again later', async () => {
    await pool.query(`create table ${escapeIdentifier(schema)}.effects (key text)`);
    await timers().schedule(pool, 'flaky', 'case-9', new Date(Date.now() - 1000));
    let attempts = 0;
    const t = timers();
    t.start(async (timer, db) => {
      attempts++;
      await db.query(`insert into ${escapeIdentifier(schema)}.effects values ($1)`, [
        `${timer.key}-${attempts}`,
      ]);
      if (attempts === 1) throw new Error('broker unavailable');
    });
    await waitFor('fired on the second attempt', () => attempts === 2);
    await waitFor('gone', async () => (await t.pending('flaky')).length === 0);
    await t.stop();
    expect(attempts).toBe(2);
    const { rows } = await pool.query(`select key from ${escapeIdentifier(schema)}.effects`);
    expect(rows).toEqual([{ key: 'case-9-2' }]);
  });

  it('moves a timer its handler schedules again, instead of removing it', async () => {
    await timers().schedule(pool, 'again', 'case-5', new Date(Date.now() - 1000));
    const t = timers();
    let fired = 0;
    t.start(async (timer, db) => {
      fired++;
      await t.schedule(db, timer.kind, timer.key, new Date('2032-01-01T00:00:00Z'), { next: 'warning' });
    });
    await waitFor(
      'fired once and moved',
      async () => fired === 1 && (await t.pending('again'))[0]?.dueAt.getUTCFullYear() === 2032,
    );
    await t.stop();
    expect(fired).toBe(1);
  });

  it('brings the later timers of one kind forward to now, and leaves other kinds alone', async () => {
    const t = timers();
    const hour = () => new Date(Date.now() + 3_600_000);
    await t.schedule(pool, 'recheck', 'case-a', hour());
    await t.schedule(pool, 'recheck', 'case-b', hour());
    await t.schedule(pool, 'other', 'case-c', hour());
    await t.bringForward(pool, 'recheck');
    const fired: string[] = [];
    t.start(async (timer) => void fired.push(timer.key));
    await waitFor('both rechecked', () => fired.length === 2);
    await t.stop();
    expect(fired.sort()).toEqual(['case-a', 'case-b']);
    expect((await t.pending('other')).map((p) => p.key)).toEqual(['case-c']);
    await t.cancel(pool, 'other', 'case-c');
  });

  it('lets pollers of different kinds share a table, each firing its own kinds only', async () => {
    const past = new Date(Date.now() - 1000);
    await timers().schedule(pool, 'campaign-step', 'c-1', past);
    await timers().schedule(pool, 'segment-time', 's-1', past);
    const fired: Record<string, string[]> = { campaigns: [], segments: [] };
    const campaigns = timers({ kinds: ['campaign-step'] });
    const segments = timers({ kinds: ['segment-time'] });
    campaigns.start(async (timer) => void fired.campaigns.push(`${timer.kind}:${timer.key}`));
    segments.start(async (timer) => void fired.segments.push(`${timer.kind}:${timer.key}`));
    await waitFor('both fired', () => fired.campaigns.length + fired.segments.length === 2);
    await Promise.all([campaigns.stop(), segments.stop()]);
    expect(fired).toEqual({ campaigns: ['campaign-step:c-1'], segments: ['segment-time:s-1'] });
  });

  it('moves a timer scheduled again for the same key', async () => {
    const t = timers();
    await t.schedule(pool, 'move', 'case-3', new Date('2030-01-01T00:00:00Z'));
    await t.schedule(pool, 'move', 'case-3', new Date('2031-01-01T00:00:00Z'), { n: 2 });
    expect(await t.pending('move')).toEqual([
      {
        kind: 'move',
        key: 'case-3',
        dueAt: new Date('2031-01-01T00:00:00Z'),
        payload: { n: 2 },
        attempts: 0,
      },
    ]);
  });
});
