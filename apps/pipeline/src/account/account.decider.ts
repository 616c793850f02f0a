import { DomainError, conflict, notFound, type Decider } from '@crm/decider';
import type { AccountProfile, ContactAddedV1, ContactRole, LifecycleStage } from '@crm/contracts';
import type { AccountEvent } from './account.events';

export interface ContactDetails {
  name: string;
  email?: string;
  phone?: string;
  role: ContactRole;
  title?: string;
}

export type AccountCommand =
  | {
      type: 'OpenAccount';
      data: {
        customerId: string;
        profile: AccountProfile;
        ownerId?: string;
        fromLeadId?: string;
        at: string;
      };
    }
  | { type: 'UpdateAccountProfile'; data: { changes: Partial<AccountProfile>; at: string } }
  | { type: 'AddContact'; data: ContactDetails & { contactId: string; at: string } }
  | { type: 'UpdateContact'; data: { contactId: string; changes: Partial<ContactDetails>; at: string } }
  | { type: 'RecordWin'; data: { opportunityId: string; amount: number; currency: string; at: string } };

export interface Account {
  customerId: string;
  profile: AccountProfile;
  ownerId?: string;
  fromLeadId?: string;
  contacts: Record<string, ContactAddedV1>;
  winsByOpportunity: Record<string, number>;
  stage: LifecycleStage;
}

export type AccountState = Account | undefined;

function existing(state: AccountState): Account {
  if (!state) throw notFound('ACCOUNT_NOT_FOUND', 'no account with this id');
  return state;
}

/** The fields of `changes` whose values differ from `current` (deep, by JSON value). */
export function diff<T extends object>(current: T, changes: Partial<T>): Partial<T> {
  const out: Partial<T> = {};
  for (const key of Object.keys(changes) as (keyof T)[]) {
    if (changes[key] !== undefined && JSON.stringify(changes[key]) !== JSON.stringify(current[key]))
      out[key] = changes[key];
  }
  return out;
}

function decide(command: AccountCommand, state: AccountState): AccountEvent[] {
  switch (command.type) {
    case 'OpenAccount': {
      const { customerId, profile, ownerId, fromLeadId, at } = command.data;
      if (state) {
        // A conversion redelivered, or a second lead of the same customer: link, don't duplicate.
        if (fromLeadId !== undefined && state.fromLeadId === fromLeadId) return [];
        throw conflict('ACCOUNT_ALREADY_EXISTS', 'this customer already has an account', {
          accountId: customerId,
        });
      }
      return [
        {
          type: 'AccountOpened',
          data: {
            accountId: customerId,
            customerId,
            profile,
            ...(ownerId ? { ownerId } : {}),
            ...(fromLeadId ? { fromLeadId } : {}),
            openedAt: at,
          },
        },
      ];
    }
    case 'UpdateAccountProfile': {
      const account = existing(state);
      const changes = diff(account.profile, command.data.changes);
      if (Object.keys(changes).length === 0) return [];
      return [
        {
          type: 'AccountProfileUpdated',
          data: { accountId: account.customerId, changes, updatedAt: command.data.at },
        },
      ];
    }
    case 'AddContact': {
      const account = existing(state);
      const { contactId, at, ...details } = command.data;
      if (account.contacts[contactId]) return [];
      if (details.email && Object.values(account.contacts).some((c) => c.email === details.email)) {
        throw conflict('CONTACT_EMAIL_TAKEN', 'another contact of this account has this e-mail', {
          email: details.email,
        });
      }
      return [
        { type: 'ContactAdded', data: { accountId: account.customerId, contactId, ...details, addedAt: at } },
      ];
    }
    case 'UpdateContact': {
      const account = existing(state);
      const { contactId, changes, at } = command.data;
      const contact = account.contacts[contactId];
      if (!contact)
        throw notFound('CONTACT_NOT_FOUND', 'no contact with this id in the account', { contactId });
      const changed = diff(contact as ContactDetails, changes);
      if (Object.keys(changed).length === 0) return [];
      return [
        {
          type: 'ContactUpdated',
          data: { accountId: account.customerId, contactId, changes: changed, updatedAt: at },
        },
      ];
    }
    case 'RecordWin': {
      const account = existing(state);
      const { opportunityId, amount, currency, at } = command.data;
      if (opportunityId in account.winsByOpportunity) return [];
      if (amount <= 0)
        throw new DomainError('validation', 'WIN_AMOUNT_REQUIRED', 'a win needs a positive amount');
      const first = Object.keys(account.winsByOpportunity).length === 0;
      return [
        {
          type: 'AccountWinRecorded',
          data: { accountId: account.customerId, opportunityId, amount, currency, wonAt: at },
        },
        {
          type: 'CustomerLifecycleStageReached',
          data: {
            customerId: account.customerId,
            stage: first ? 'acquisition' : 'expansion',
            previousStage: account.stage,
            reason: { aggregateType: 'opportunity', aggregateId: opportunityId },
            reachedAt: at,
          },
        },
      ];
    }
  }
}

function evolve(state: AccountState, event: AccountEvent): AccountState {
  if (event.type === 'AccountOpened') {
    const d = event.data;
    return {
      customerId: d.customerId,
      profile: d.profile,
      ownerId: d.ownerId,
      fromLeadId: d.fromLeadId,
      contacts: {},
      winsByOpportunity: {},
      stage: 'interest',
    };
  }
  if (!state) return state;
  switch (event.type) {
    case 'AccountProfileUpdated':
      return { ...state, profile: { ...state.profile, ...event.data.changes } };
    case 'ContactAdded':
      return { ...state, contacts: { ...state.contacts, [event.data.contactId]: event.data } };
    case 'ContactUpdated': {
      const contact = state.contacts[event.data.contactId];
      return {
        ...state,
        contacts: { ...state.contacts, [event.data.contactId]: { ...contact, ...event.data.changes } },
      };
    }
    case 'AccountWinRecorded':
      return {
        ...state,
        winsByOpportunity: { ...state.winsByOpportunity, [event.data.opportunityId]: event.data.amount },
      };
    case 'CustomerLifecycleStageReached':
      return { ...state, stage: event.data.stage };
  }
}

export const accountDecider: Decider<AccountCommand, AccountState, AccountEvent> = {
  initialState: () => undefined,
  decide,
  evolve,
};
