import { deciderSpec } from '@crm/decider/testing';
import { customerErasureDecider } from './customer-erasure.decider';

const spec = deciderSpec(customerErasureDecider);
const customerId = '3f0c2a8e-5b7d-4e1f-9a6c-2d8b4e0f1a3c';
const erase = (requestedAt: string) => ({
  type: 'EraseCustomer' as const,
  data: { customerId, reason: 'GDPR art. 17 request 118', requestedAt },
});

describe('customer erasure', () => {
  it('erases a customer once, with the reason and time of the request', () => {
    spec
      .given([])
      .when(erase('2026-11-29T09:00:00.000Z'))
      .then([
        {
          type: 'CustomerErased',
          data: { customerId, reason: 'GDPR art. 17 request 118', erasedAt: '2026-11-29T09:00:00.000Z' },
        },
      ]);
  });

  it('decides nothing when asked again: erasure is final and keeps its first time', () => {
    const first = customerErasureDecider.decide(erase('2026-11-29T09:00:00.000Z'), { status: 'active' });
    spec.given(first).when(erase('2026-11-30T09:00:00.000Z')).thenNothingHappens();
    expect(first.reduce(customerErasureDecider.evolve, customerErasureDecider.initialState())).toEqual({
      status: 'erased',
      erasedAt: '2026-11-29T09:00:00.000Z',
    });
  });
});
