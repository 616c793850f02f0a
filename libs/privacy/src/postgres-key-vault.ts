import { escapeIdentifier, type Pool } from 'pg';
import { newDataKey, unwrapDataKey, wrapDataKey, type KeyRing } from './envelope';
import type { CustomerKey, Erasure, KeyVault } from './key-vault';

export interface PostgresKeyVaultOptions {
  pool: Pool;
  keys: KeyRing;
  /** Default `key_vault`. */
  schema?: string;
  /**
   * How long an open data key stays in this process's memory (default 30 s). An erasure made by
   * another process is seen here within this bound; this process's own erasures at once.
   */
  cacheMs?: number;
  now?: () => number;
}

interface KeyRow {
  wrapped_key: string | null;
  erased_at: Date | null;
}

/**
 * Data keys in PostgreSQL, each wrapped by the current key-encryption key of the ring: a copy of
 * the table (a backup, a dump) holds nothing readable without the KEK, which never enters the
 * database. Erasure overwrites the wrapped key with NULL and keeps the row as a tombstone, so that
 * no later event makes a new key for an erased customer.
 */
export class PostgresKeyVault implements KeyVault {
  private readonly table: string;
  private readonly schema: string;
  private readonly cache = new Map<string, { key: CustomerKey; until: number }>();
  private readonly cacheMs: number;
  private readonly now: () => number;

  constructor(private readonly options: PostgresKeyVaultOptions) {
    this.schema = options.schema ?? 'key_vault';
    this.table = `${escapeIdentifier(this.schema)}.customer_keys`;
    this.cacheMs = options.cacheMs ?? 30_000;
    this.now = options.now ?? Date.now;
  }

  async migrate(): Promise<void> {
    const client = await this.options.pool.connect();
    try {
      await client.query('begin');
      // Replicas and services start together: one creates, the others wait and find it there.
      await client.query('select pg_advisory_xact_lock(hashtext($1))', [`${this.schema}:migrate`]);
      await client.query(`create schema if not exists ${escapeIdentifier(this.schema)}`);
      await client.query(`create table if not exists ${this.table} (
        customer_id text primary key,
        wrapped_key text,
        created_at timestamptz not null default now(),
        erased_at timestamptz,
        constraint erased_or_keyed check ((wrapped_key is null) = (erased_at is not null))
      )`);
      await client.query('commit');
    } catch (error) {
      await client.query('rollback').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  async sealingKey(customerId: string): Promise<Exclude<CustomerKey, { status: 'none' }>> {
    const cached = this.cache.get(customerId);
    if (cached && (cached.key.status === 'erased' || cached.until > this.now()))
      return cached.key as Exclude<CustomerKey, { status: 'none' }>;
    // A new customer (the common case: a capture) costs one statement: the key is made and stored.
    const dataKey = newDataKey();
    const { rows } = await this.options.pool.query<KeyRow>(
      `insert into ${this.table} (customer_id, wrapped_key) values ($1, $2)
       on conflict (customer_id) do nothing returning wrapped_key, erased_at`,
      [customerId, wrapDataKey(this.options.keys.current, dataKey, customerId)],
    );
    if (rows.length === 1) {
      const key = { status: 'active' as const, dataKey };
      this.cache.set(customerId, { key, until: this.now() + this.cacheMs });
      return key;
    }
    // Known already (or made by a concurrent writer): every writer seals with the stored key.
    const known = await this.openingKey(customerId);
    if (known.status === 'none') throw new Error(`no data key for customer ${customerId} after making one`);
    return known;
  }

  async openingKey(customerId: string): Promise<CustomerKey> {
    const cached = this.cached(customerId);
    if (cached) return cached;
    const { rows } = await this.options.pool.query<KeyRow>(
      `select wrapped_key, erased_at from ${this.table} where customer_id = $1`,
      [customerId],
    );
    return this.remember(customerId, this.toKey(rows[0], customerId));
  }

  /** {@link openingKey} of each customer; those not cached are read with one statement. */
  async openingKeys(customerIds: readonly string[]): Promise<Map<string, CustomerKey>> {
    const keys = new Map<string, CustomerKey>();
    const missing: string[] = [];
    for (const customerId of new Set(customerIds)) {
      const cached = this.cached(customerId);
      if (cached) keys.set(customerId, cached);
      else missing.push(customerId);
    }
    if (missing.length === 0) return keys;
    const { rows } = await this.options.pool.query<KeyRow & { customer_id: string }>(
      `select customer_id, wrapped_key, erased_at from ${this.table} where customer_id = any($1::text[])`,
      [missing],
    );
    const found = new Map(rows.map((row) => [row.customer_id, row]));
    for (const customerId of missing)
      keys.set(customerId, this.remember(customerId, this.toKey(found.get(customerId), customerId)));
    return keys;
  }

  private cached(customerId: string): CustomerKey | undefined {
    const cached = this.cache.get(customerId);
    if (cached && (cached.key.status === 'erased' || cached.until > this.now())) return cached.key;
    return undefined;
  }

  private remember(customerId: string, key: CustomerKey): CustomerKey {
    if (key.status === 'none') this.cache.delete(customerId);
    else this.cache.set(customerId, { key, until: this.now() + this.cacheMs });
    return key;
  }

  async erase(customerId: string): Promise<Erasure> {
    const { rows } = await this.options.pool.query<{ erased_at: Date; already: boolean }>(
      `insert into ${this.table} as k (customer_id, wrapped_key, erased_at) values ($1, null, now())
       on conflict (customer_id) do update set wrapped_key = null, erased_at = coalesce(k.erased_at, now())
       returning erased_at, erased_at <> now() as already`,
      [customerId],
    );
    const { erased_at: erasedAt, already } = rows[0];
    this.cache.set(customerId, { key: { status: 'erased', erasedAt }, until: Infinity });
    return { customerId, erasedAt, alreadyErased: already };
  }

  private toKey(row: KeyRow | undefined, customerId: string): CustomerKey {
    if (!row) return { status: 'none' };
    if (row.erased_at || row.wrapped_key === null)
      return { status: 'erased', erasedAt: row.erased_at ?? new Date(0) };
    return { status: 'active', dataKey: unwrapDataKey(this.options.keys, row.wrapped_key, customerId) };
  }
}
