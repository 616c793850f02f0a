import { randomUUID } from 'node:crypto';
import { Module } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { ContractViolationError, toCloudEvent } from '@crm/contracts';
import { bindCrmEventHandlers, type BoundEventHandlers } from '@crm/messaging';
import { PipelineReadModelProjection } from './pipeline.projection';

const event = (context: string, type: string, data: unknown) =>
  toCloudEvent(
    context,
    {
      id: randomUUID(),
      type,
      streamId: 'account-x',
      revision: 0,
      data,
      metadata: {
        customerId: randomUUID(),
        correlationId: randomUUID(),
        causationId: randomUUID(),
        schemaVersion: 1,
        occurredAt: new Date().toISOString(),
      },
    },
    randomUUID(),
  );

@Module({ controllers: [PipelineReadModelProjection] })
class Projection {}

describe('pipeline read-model projection', () => {
  const used: string[] = [];
  // Any use of the manager is a write of the projection: record it and stop there.
  const manager = new Proxy(
    {},
    {
      get: (_target, property) => {
        used.push(String(property));
        throw new Error(`the projection wrote (${String(property)})`);
      },
    },
  ) as EntityManager;
  let handlers: BoundEventHandlers;
  beforeAll(async () => (handlers = await bindCrmEventHandlers(Projection)));
  afterAll(() => handlers.close());
  beforeEach(() => used.splice(0));
  const deliver = (e: ReturnType<typeof event>) => handlers.deliver('pipeline-read-model', e, manager);

  it('never sees an AccountOpened without a name (the event that froze the read model)', async () => {
    const id = randomUUID();
    const nameless = { accountId: id, customerId: id, profile: {}, openedAt: new Date().toISOString() };
    const refused = deliver(event('pipeline', 'AccountOpened', nameless));
    await expect(refused).rejects.toThrow(ContractViolationError);
    await expect(refused).rejects.toMatchObject({
      errors: expect.arrayContaining([expect.objectContaining({ path: '/profile/name' })]),
    });
    expect(used).toEqual([]);
  });

  it('writes a valid AccountOpened (the guard does see writes)', async () => {
    const id = randomUUID();
    const profile = { name: 'Acme', kind: 'company', customerType: 'prospect' };
    const valid = { accountId: id, customerId: id, profile, openedAt: new Date().toISOString() };
    await expect(deliver(event('pipeline', 'AccountOpened', valid))).rejects.toThrow('the projection wrote');
    expect(used.length).toBeGreaterThan(0);
  });

  it('leaves the events of other contexts alone, even a lifecycle stage leads decided', async () => {
    const customerId = randomUUID();
    const interest = {
      customerId,
      stage: 'interest',
      reason: { aggregateType: 'lead', aggregateId: randomUUID() },
      reachedAt: new Date().toISOString(),
    };
    await expect(deliver(event('leads', 'CustomerLifecycleStageReached', interest))).resolves.toBeUndefined();
    const acquisition = { ...interest, stage: 'acquisition' };
    await expect(deliver(event('pipeline', 'CustomerLifecycleStageReached', acquisition))).rejects.toThrow(
      'the projection wrote',
    );
  });
});
