/**
 * The key vault port: where each customer's data key lives, wrapped. The PostgreSQL adapter is the
 * default; a KMS or HashiCorp Vault (transit) adapter fits the same port. It is shared by every
 * service, like the broker: a customer's personal data travels between contexts sealed with one
 * key, and erasing that key is what erases the person everywhere at once.
 */

/** A customer's data key as the vault knows it. */
export type CustomerKey =
  | { status: 'active'; dataKey: Buffer }
  /** Erasure is final: no key is ever made for this customer again. */
  | { status: 'erased'; erasedAt: Date }
  /** Nothing was ever sealed for this customer. */
  | { status: 'none' };

export interface Erasure {
  customerId: string;
  erasedAt: Date;
  /** The key had been erased before this call (erasure is idempotent). */
  alreadyErased: boolean;
}

export interface KeyVault {
  /** The key to seal with: the customer's, made on first use; `erased` once they were erased. */
  sealingKey(customerId: string): Promise<Exclude<CustomerKey, { status: 'none' }>>;
  /** The key to open with; never makes one. */
  openingKey(customerId: string): Promise<CustomerKey>;
  /**
   * The keys to open with of several customers at once (one round trip for those not cached),
   * each as {@link openingKey} answers it; never makes one. Optional: without it, callers ask
   * {@link openingKey} for each customer.
   */
  openingKeys?(customerIds: readonly string[]): Promise<Map<string, CustomerKey>>;
  /** Destroys the customer's data key, for good; safe to repeat. */
  erase(customerId: string): Promise<Erasure>;
  /** Creates the vault's schema; safe to run on every start and concurrently. */
  migrate(): Promise<void>;
}
