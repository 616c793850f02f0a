import { randomUUID } from 'node:crypto';
import { customer360Events } from './customer-360.given';
import { dashboardEvents } from './dashboards.given';
import { AnalyticsProjection, SCHEMA, fact, type Fact } from './projection.given';

jest.setTimeout(60_000);

/**
 * The projectors apply a batch set-based (per type, erasures last), yet how the events are cut
 * into batches changes nothing: the same events, in the same order, one per batch, in batches of a
 * few, or all in one batch, give identical tables (every table of the generation, row for row).
 */
describe('batched projection', () => {
  let p: AnalyticsProjection;

  beforeAll(async () => {
    p = await AnalyticsProjection.start();
  });

  afterAll(() => p?.close());

  /** Erasures with personal values before and after them, and a customer erased twice. */
  function erasures(): Fact[] {
    const customerId = randomUUID();
    const other = randomUUID();
    const lead = (id: string, name: string, at: string) =>
      fact('LeadCaptured', {
        leadId: randomUUID(),
        customerId: id,
        personName: name,
        email: `${name.toLowerCase()}@example.com`,
        channel: 'web_form',
        source: {},
        customerType: 'prospect',
        interests: [],
        capturedAt: at,
      });
    const erased = (id: string, at: string) =>
      fact('CustomerErased', { customerId: id, reason: 'request', erasedAt: at });
    return [
      lead(customerId, 'Before', '2026-01-01T00:00:00.000Z'),
      erased(customerId, '2026-01-02T00:00:00.000Z'),
      lead(customerId, 'After', '2026-01-03T00:00:00.000Z'),
      erased(other, '2026-01-05T00:00:00.000Z'),
      lead(other, 'Later', '2026-01-06T00:00:00.000Z'),
      erased(other, '2026-01-04T00:00:00.000Z'),
    ];
  }

  async function tables(): Promise<Record<string, unknown[]>> {
    const names: { t: string }[] = await p.rows(
      `select tablename as t from pg_tables where schemaname = $1 order by 1`,
      [SCHEMA],
    );
    const all: Record<string, unknown[]> = {};
    for (const { t } of names) all[t] = await p.table(t);
    return all;
  }

  it('gives identical tables one event per batch, in batches of 7 and all in one batch', async () => {
    const events = [...customer360Events(), ...dashboardEvents(), ...erasures()];

    await p.givenInBatchesOf(1, ...events);
    const onePerBatch = await tables();
    await p.reset();
    await p.givenInBatchesOf(7, ...events);
    const bySeven = await tables();
    await p.reset();
    await p.given(...events);
    const oneBatch = await tables();

    expect(Object.values(onePerBatch).every((rows) => rows.length > 0)).toBe(true);
    expect(bySeven).toEqual(onePerBatch);
    expect(oneBatch).toEqual(onePerBatch);
  });
});
