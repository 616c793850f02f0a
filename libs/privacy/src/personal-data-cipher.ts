import { ERASED, mapPersonalData, personalDataSchema } from '@crm/contracts';
import { isSealed, open, seal } from './envelope';
import type { KeyVault } from './key-vault';

/** What an event says about itself: which contract (type, version) and whose data it is. */
export interface EventIdentity {
  type: string;
  schemaVersion: number;
  customerId: string;
}

/**
 * Seals and opens the personal values of events, where their contracts mark them
 * (`Personal(...)`), with the customer's data key from the vault. Values of an erased customer
 * read as `[erased]`; an event whose contract holds no personal data never touches the vault.
 */
export class PersonalDataCipher {
  constructor(private readonly vault: KeyVault) {}

  /** `data` with its personal values sealed; `[erased]` for a customer already erased. */
  async protect(event: EventIdentity, data: unknown): Promise<unknown> {
    const schema = personalDataSchema(event.type, event.schemaVersion);
    if (!schema) return data;
    const key = await this.vault.sealingKey(event.customerId);
    return mapPersonalData(schema, data, (value) => {
      if (key.status === 'erased') return ERASED;
      return isSealed(value) ? value : seal(key.dataKey, value, event.customerId);
    });
  }

  /**
   * `data` with its sealed values opened; `[erased]` where the customer's key was destroyed. A
   * value that is not sealed (written before sealing existed) is kept. A sealed value that does
   * not open with the customer's key (altered, or moved from another customer) throws.
   */
  async reveal(event: EventIdentity, data: unknown): Promise<unknown> {
    const schema = personalDataSchema(event.type, event.schemaVersion);
    if (!schema) return data;
    let sealed = false;
    mapPersonalData(schema, data, (value) => {
      sealed ||= isSealed(value);
      return value;
    });
    if (!sealed) return data;
    const key = await this.vault.openingKey(event.customerId);
    return mapPersonalData(schema, data, (value) => {
      if (!isSealed(value)) return value;
      return key.status === 'active' ? open(key.dataKey, value, event.customerId) : ERASED;
    });
  }
}
