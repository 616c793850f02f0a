import type { Decider, DomainEvent } from '@crm/decider';
import type { CustomerErasedV1 } from '@crm/contracts';

/**
 * The right to erasure of one customer (stream `customer-<customerId>`). Erasure is final and
 * idempotent: the first request decides `CustomerErased`, any later one decides nothing and is
 * answered with the first one's time.
 */
export type CustomerErased = DomainEvent<'CustomerErased', CustomerErasedV1>;

export type EraseCustomer = {
  type: 'EraseCustomer';
  data: { customerId: string; reason: string; requestedAt: string };
};

export type CustomerPrivacyState = { status: 'active' } | { status: 'erased'; erasedAt: string };

export const customerStreamId = (customerId: string) => `customer-${customerId}`;

export const customerErasureDecider: Decider<EraseCustomer, CustomerPrivacyState, CustomerErased> = {
  initialState: () => ({ status: 'active' }),
  decide: (command, state) => {
    if (state.status === 'erased') return [];
    const { customerId, reason, requestedAt } = command.data;
    return [{ type: 'CustomerErased', data: { customerId, reason, erasedAt: requestedAt } }];
  },
  evolve: (_state, event) => ({ status: 'erased', erasedAt: event.data.erasedAt }),
};
