import { randomUUID } from 'node:crypto';
import { Module } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { ContractViolationError, toCloudEvent } from '@crm/contracts';
import { bindCrmEventHandlers, type BoundEventHandlers } from '@crm/messaging';
import { LeadSummaryProjection } from './lead.projection';

/**
 * A manager that records what the projection asks of it (query builder calls, in order) and
 * writes nothing: which row it would change, and how.
 */
function recordingManager() {
  const calls: { method: string; args: unknown[] }[] = [];
  const builder: object = new Proxy(
    {},
    {
      get: (_target, property) =>
        property === 'then'
          ? undefined
          : (...args: unknown[]) => {
              calls.push({ method: String(property), args });
              return property === 'execute' ? Promise.resolve({ raw: [] }) : builder;
            },
    },
  );
  /** Each UPDATE of the summary: what it sets and the lead it is for. */
  const updates = () =>
    calls.flatMap((c, i) =>
      c.method === 'set' ? [{ set: c.args[0], where: calls[i + 1]?.args[1] as { leadId: string } }] : [],
    );
  return { manager: builder as EntityManager, calls, updates };
}

const leadEvent = (type: string, data: unknown, leadId: string, schemaVersion = 1) =>
  toCloudEvent(
    'leads',
    {
      id: randomUUID(),
      type,
      streamId: `lead-${leadId}`,
      revision: 3,
      data,
      metadata: {
        customerId: randomUUID(),
        correlationId: randomUUID(),
        causationId: randomUUID(),
        schemaVersion,
        occurredAt: new Date().toISOString(),
      },
    },
    leadId,
  );

@Module({ controllers: [LeadSummaryProjection] })
class Projection {}

describe('lead-summary projection', () => {
  let handlers: BoundEventHandlers;
  beforeAll(async () => (handlers = await bindCrmEventHandlers(Projection)));
  afterAll(() => handlers.close());
  const deliver = (event: ReturnType<typeof leadEvent>, manager: EntityManager) =>
    handlers.deliver('lead-summary', event, manager);

  it('shows a lead whose work started as working, at the revision of that event (its ETag)', async () => {
    const leadId = randomUUID();
    const { manager, updates } = recordingManager();
    await deliver(
      leadEvent('LeadWorkStarted', { leadId, startedAt: new Date().toISOString() }, leadId),
      manager,
    );
    expect(updates()[0]).toEqual({
      set: { status: 'working', revision: 3, updatedAt: expect.any(Date) },
      where: { leadId, revision: 3 },
    });
  });

  it("moves only the lead's revision for events the summary does not show, so the ETag stays current", async () => {
    const leadId = randomUUID();
    const stage = {
      customerId: randomUUID(),
      stage: 'interest',
      reason: { aggregateType: 'lead', aggregateId: leadId },
      reachedAt: new Date().toISOString(),
    };
    for (const event of [
      leadEvent('CustomerLifecycleStageReached', stage, leadId),
      leadEvent('LeadNurtured', { leadId }, leadId), // a type newer than these contracts
    ]) {
      const { manager, updates } = recordingManager();
      await deliver(event, manager);
      expect(updates()).toEqual([
        { set: { revision: 3, updatedAt: expect.any(Date) }, where: { leadId, revision: 3 } },
      ]);
    }
  });

  it('never sees the poison LeadConverted {"leadId":"not-a-uuid"}, nor a schema version it cannot read', async () => {
    const leadId = randomUUID();
    const { manager, calls } = recordingManager();
    const poison = deliver(leadEvent('LeadConverted', { leadId: 'not-a-uuid' }, leadId), manager);
    await expect(poison).rejects.toThrow(ContractViolationError);
    await expect(poison).rejects.toMatchObject({
      errors: expect.arrayContaining([{ path: '/leadId', message: 'must match format "uuid"' }]),
    });
    const started = { leadId, startedAt: new Date().toISOString() };
    await expect(deliver(leadEvent('LeadWorkStarted', started, leadId, 2), manager)).rejects.toThrow(
      'LeadWorkStarted has no schema version 2',
    );
    expect(calls).toEqual([]);
  });
});
