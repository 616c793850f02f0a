import { deciderSpec } from '@crm/decider/testing';
import { accountDecider } from './account.decider';
import type { AccountEvent } from './account.events';

const at = '2026-11-23T10:00:00.000Z';
const customerId = '33333333-3333-4333-8333-333333333333';
const profile = {
  name: 'Acme SA',
  kind: 'company' as const,
  customerType: 'prospect' as const,
  email: 'info@acme.example',
};
const opened: AccountEvent = {
  type: 'AccountOpened',
  data: { accountId: customerId, customerId, profile, fromLeadId: 'lead-1', openedAt: at },
};
const contact: AccountEvent = {
  type: 'ContactAdded',
  data: {
    accountId: customerId,
    contactId: 'c1',
    name: 'Ana',
    email: 'ana@acme.example',
    role: 'decision_maker',
    addedAt: at,
  },
};
const win = (opportunityId: string, amount = 1000) => ({
  type: 'RecordWin' as const,
  data: { opportunityId, amount, currency: 'EUR', at },
});
const winRecorded = (opportunityId: string): AccountEvent => ({
  type: 'AccountWinRecorded',
  data: { accountId: customerId, opportunityId, amount: 1000, currency: 'EUR', wonAt: at },
});
const stage = (
  s: 'acquisition' | 'expansion',
  previous: 'interest' | 'acquisition' | 'expansion',
  opportunityId: string,
): AccountEvent => ({
  type: 'CustomerLifecycleStageReached',
  data: {
    customerId,
    stage: s,
    previousStage: previous,
    reason: { aggregateType: 'opportunity', aggregateId: opportunityId },
    reachedAt: at,
  },
});
const spec = deciderSpec(accountDecider);

describe('account decider', () => {
  it('opens an account for a customer', () =>
    spec
      .given([])
      .when({ type: 'OpenAccount', data: { customerId, profile, fromLeadId: 'lead-1', at } })
      .then([opened]));
  it('ignores a redelivered conversion of the same lead', () =>
    spec
      .given([opened])
      .when({ type: 'OpenAccount', data: { customerId, profile, fromLeadId: 'lead-1', at } })
      .thenNothingHappens());
  it('refuses a second account for the customer otherwise', () =>
    spec
      .given([opened])
      .when({ type: 'OpenAccount', data: { customerId, profile, at } })
      .thenThrows('ACCOUNT_ALREADY_EXISTS'));
  it('records only the profile fields that changed', () =>
    spec
      .given([opened])
      .when({ type: 'UpdateAccountProfile', data: { changes: { name: 'Acme SA', industry: 'retail' }, at } })
      .then([
        {
          type: 'AccountProfileUpdated',
          data: { accountId: customerId, changes: { industry: 'retail' }, updatedAt: at },
        },
      ]));
  it('refuses a contact whose e-mail another contact has', () =>
    spec
      .given([opened, contact])
      .when({
        type: 'AddContact',
        data: { contactId: 'c2', name: 'Other', email: 'ana@acme.example', role: 'user', at },
      })
      .thenThrows('CONTACT_EMAIL_TAKEN'));
  it('adding the same contact twice changes nothing', () =>
    spec
      .given([opened, contact])
      .when({ type: 'AddContact', data: { contactId: 'c1', name: 'Ana', role: 'decision_maker', at } })
      .thenNothingHappens());
  it('reports an unknown contact', () =>
    spec
      .given([opened])
      .when({ type: 'UpdateContact', data: { contactId: 'nope', changes: { name: 'x' }, at } })
      .thenThrows('CONTACT_NOT_FOUND'));
  it('makes the first win the acquisition of the customer', () =>
    spec
      .given([opened])
      .when(win('o1'))
      .then([winRecorded('o1'), stage('acquisition', 'interest', 'o1')]));
  it('makes later wins expansion', () =>
    spec
      .given([opened, winRecorded('o1'), stage('acquisition', 'interest', 'o1')])
      .when(win('o2'))
      .then([winRecorded('o2'), stage('expansion', 'acquisition', 'o2')]));
  it('records each win once, however often it is reported', () =>
    spec
      .given([opened, winRecorded('o1'), stage('acquisition', 'interest', 'o1')])
      .when(win('o1'))
      .thenNothingHappens());
  it('needs the account to exist', () => spec.given([]).when(win('o1')).thenThrows('ACCOUNT_NOT_FOUND'));
});
