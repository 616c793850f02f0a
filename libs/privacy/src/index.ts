export {
  KeyRing,
  SealBrokenError,
  SEALED_PREFIX,
  isSealed,
  newDataKey,
  open,
  seal,
  unwrapDataKey,
  wrapDataKey,
  type KeyEncryptionKey,
} from './envelope';
export type { CustomerKey, Erasure, KeyVault } from './key-vault';
export { PostgresKeyVault, type PostgresKeyVaultOptions } from './postgres-key-vault';
export { PersonalDataCipher, type EventIdentity } from './personal-data-cipher';
export { ProtectedEventStore } from './protected-event-store';
