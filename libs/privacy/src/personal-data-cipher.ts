import { ERASED, mapPersonalData, personalDataSchema } from '@crm/contracts';
import { isSealed, open, seal } from './envelope';
import type { CustomerKey, KeyVault } from './key-vault';

type PersonalSchema = NonNullable<ReturnType<typeof personalDataSchema>>;

/** The personal-data schema of the event when its data holds at least one sealed value. */
function sealedSchema(event: EventIdentity, data: unknown): PersonalSchema | undefined {
  const schema = personalDataSchema(event.type, event.schemaVersion);
  if (!schema) return undefined;
  let sealed = false;
  mapPersonalData(schema, data, (value) => {
    sealed ||= isSealed(value);
    return value;
  });
  return sealed ? schema : undefined;
}

/** `data` with its sealed values opened with the key, `[erased]` when it was destroyed. */
function openWith(schema: PersonalSchema, data: unknown, customerId: string, key: CustomerKey): unknown {
  return mapPersonalData(schema, data, (value) => {
    if (!isSealed(value)) return value;
    return key.status === 'active' ? open(key.dataKey, value, customerId) : ERASED;
  });
}

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
    const schema = sealedSchema(event, data);
    if (!schema) return data;
    return openWith(schema, data, event.customerId, await this.vault.openingKey(event.customerId));
  }

  /**
   * {@link reveal} of many events at once (e.g. a consumer's batch): the keys of the customers
   * whose events hold sealed values are fetched together (one vault round trip when the vault
   * offers `openingKeys`), then every value is opened. Answers the data in the order given.
   */
  async revealAll(events: readonly { event: EventIdentity; data: unknown }[]): Promise<unknown[]> {
    const schemas = events.map(({ event, data }) => sealedSchema(event, data));
    const customers = [...new Set(events.filter((_, i) => schemas[i]).map(({ event }) => event.customerId))];
    if (customers.length === 0) return events.map(({ data }) => data);
    const keys =
      (await this.vault.openingKeys?.(customers)) ??
      new Map(await Promise.all(customers.map(async (c) => [c, await this.vault.openingKey(c)] as const)));
    return events.map(({ event, data }, i) => {
      const schema = schemas[i];
      return schema ? openWith(schema, data, event.customerId, keys.get(event.customerId)!) : data;
    });
  }
}
