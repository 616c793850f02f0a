import type { DomainEvent } from '@crm/decider';
import {
  LIFECYCLE_EVENT_VERSIONS,
  PIPELINE_EVENT_VERSIONS,
  type AccountOpenedV1,
  type AccountProfileUpdatedV1,
  type AccountWinRecordedV1,
  type ContactAddedV1,
  type ContactUpdatedV1,
  type CustomerLifecycleStageReachedV1,
} from '@crm/contracts';

export type AccountEvent =
  | DomainEvent<'AccountOpened', AccountOpenedV1>
  | DomainEvent<'AccountProfileUpdated', AccountProfileUpdatedV1>
  | DomainEvent<'ContactAdded', ContactAddedV1>
  | DomainEvent<'ContactUpdated', ContactUpdatedV1>
  | DomainEvent<'AccountWinRecorded', AccountWinRecordedV1>
  | DomainEvent<'CustomerLifecycleStageReached', CustomerLifecycleStageReachedV1>;

export const ACCOUNT_SCHEMA_VERSIONS: Record<AccountEvent['type'], number> = {
  AccountOpened: PIPELINE_EVENT_VERSIONS.AccountOpened,
  AccountProfileUpdated: PIPELINE_EVENT_VERSIONS.AccountProfileUpdated,
  ContactAdded: PIPELINE_EVENT_VERSIONS.ContactAdded,
  ContactUpdated: PIPELINE_EVENT_VERSIONS.ContactUpdated,
  AccountWinRecorded: PIPELINE_EVENT_VERSIONS.AccountWinRecorded,
  CustomerLifecycleStageReached: LIFECYCLE_EVENT_VERSIONS.CustomerLifecycleStageReached,
};

/** One account per customer: the account id is the customer id. */
export const accountStreamId = (customerId: string) => `account-${customerId}`;
