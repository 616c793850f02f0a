import { createCipheriv, createDecipheriv, createSecretKey, randomBytes, type KeyObject } from 'node:crypto';

/**
 * Envelope encryption, the one crypto helper of the platform. Each customer has a data key
 * (AES-256-GCM) that seals their personal values; data keys are stored only wrapped (sealed in
 * turn) by a key-encryption key from configuration or a KMS. Destroying a customer's wrapped data
 * key makes every value sealed with it unreadable, wherever copies of it went (crypto-shredding).
 *
 * Node's `crypto` (OpenSSL) does the cryptography; this file only fixes the formats.
 */

const ALGORITHM = 'aes-256-gcm';
const IV_BYTES = 12;
const TAG_BYTES = 16;
export const KEY_BYTES = 32;

/** How a sealed personal value starts: `pii:v1:<base64url(iv | tag | ciphertext)>`. */
export const SEALED_PREFIX = 'pii:v1:';

/** A key-encryption key: wraps data keys. `id` is stored with each wrapped key, for rotation. */
export interface KeyEncryptionKey {
  id: string;
  key: Buffer;
}

export function isSealed(value: unknown): value is string {
  return typeof value === 'string' && value.startsWith(SEALED_PREFIX);
}

export function newDataKey(): Buffer {
  return randomBytes(KEY_BYTES);
}

/**
 * One OpenSSL key object per key buffer, made on its first use: handing Node a Buffer builds a key
 * object on every call, which was a large share of opening a batch of values (the vault's cache
 * hands out the same Buffer for a customer, so their values share one key object).
 */
const keyObjects = new WeakMap<Buffer, KeyObject>();

function keyObjectOf(key: Buffer): KeyObject {
  let object = keyObjects.get(key);
  if (!object) keyObjects.set(key, (object = createSecretKey(key)));
  return object;
}

function encrypt(key: Buffer, plaintext: Buffer, aad: string): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv(ALGORITHM, keyObjectOf(key), iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(Buffer.from(aad, 'utf8'));
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url');
}

function decrypt(key: Buffer, encoded: string, aad: string): Buffer {
  const raw = Buffer.from(encoded, 'base64url');
  if (raw.length < IV_BYTES + TAG_BYTES) throw new SealBrokenError('too short');
  const decipher = createDecipheriv(ALGORITHM, keyObjectOf(key), raw.subarray(0, IV_BYTES), {
    authTagLength: TAG_BYTES,
  });
  decipher.setAAD(Buffer.from(aad, 'utf8'));
  decipher.setAuthTag(raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
  try {
    return Buffer.concat([decipher.update(raw.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]);
  } catch (error) {
    throw new SealBrokenError('it does not authenticate (another key, another customer, or altered)', error);
  }
}

/** Seals `plaintext` with a customer's data key; `customerId` is bound to it (AAD). */
export function seal(dataKey: Buffer, plaintext: string, customerId: string): string {
  return SEALED_PREFIX + encrypt(dataKey, Buffer.from(plaintext, 'utf8'), customerId);
}

/** Opens a value {@link seal} made for `customerId`; throws {@link SealBrokenError} otherwise. */
export function open(dataKey: Buffer, sealed: string, customerId: string): string {
  if (!isSealed(sealed)) throw new SealBrokenError(`not a sealed value (${SEALED_PREFIX}…)`);
  return decrypt(dataKey, sealed.slice(SEALED_PREFIX.length), customerId).toString('utf8');
}

const wrapAad = (customerId: string) => `crm-data-key:${customerId}`;

/** `<kek id>:<sealed data key>`: what the key vault stores for a customer. */
export function wrapDataKey(kek: KeyEncryptionKey, dataKey: Buffer, customerId: string): string {
  return `${kek.id}:${encrypt(kek.key, dataKey, wrapAad(customerId))}`;
}

/** The data key {@link wrapDataKey} wrapped, with whichever KEK of `keks` its id names. */
export function unwrapDataKey(keks: KeyRing, wrapped: string, customerId: string): Buffer {
  const at = wrapped.indexOf(':');
  const kek = keks.byId(wrapped.slice(0, at));
  if (at < 0 || !kek) throw new SealBrokenError(`no key-encryption key "${wrapped.slice(0, at)}" configured`);
  return decrypt(kek.key, wrapped.slice(at + 1), wrapAad(customerId));
}

/**
 * The key-encryption keys a service knows: the first wraps new data keys, the others still
 * unwrap the data keys they wrapped before a rotation.
 */
export class KeyRing {
  constructor(readonly keys: readonly KeyEncryptionKey[]) {
    if (keys.length === 0) throw new Error('a key ring needs at least one key-encryption key');
    for (const { id, key } of keys) {
      if (!/^[A-Za-z0-9_-]+$/.test(id))
        throw new Error(`key-encryption key id "${id}": letters, digits, _ and - only`);
      if (key.length !== KEY_BYTES) throw new Error(`key-encryption key "${id}" must be ${KEY_BYTES} bytes`);
    }
  }

  get current(): KeyEncryptionKey {
    return this.keys[0];
  }

  byId(id: string): KeyEncryptionKey | undefined {
    return this.keys.find((k) => k.id === id);
  }

  /** `id:base64[,id:base64…]`, newest first (the `PRIVACY_KEKS` setting). */
  static parse(setting: string): KeyRing {
    return new KeyRing(
      setting
        .split(',')
        .map((entry) => entry.trim())
        .filter(Boolean)
        .map((entry) => {
          const at = entry.indexOf(':');
          if (at <= 0) throw new Error('each key-encryption key is "<id>:<base64 of 32 bytes>"');
          return { id: entry.slice(0, at), key: Buffer.from(entry.slice(at + 1), 'base64') };
        }),
    );
  }
}

/** A sealed value or wrapped key that cannot be opened with the key given. */
export class SealBrokenError extends Error {
  constructor(reason: string, cause?: unknown) {
    super(`sealed value cannot be opened: ${reason}`, { cause });
    this.name = 'SealBrokenError';
  }
}
