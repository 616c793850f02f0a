import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import {
  KeyRing,
  SEALED_PREFIX,
  SealBrokenError,
  newDataKey,
  open,
  seal,
  unwrapDataKey,
  wrapDataKey,
} from './envelope';

const customer = '7d8a3c1e-2f4b-4a6d-9e0f-1a2b3c4d5e6f';
const other = '0b1c2d3e-4f5a-4b6c-8d7e-9f0a1b2c3d4e';
const kek = (id: string) => ({ id, key: randomBytes(32) });

describe('envelope encryption', () => {
  it('opens what it sealed, for any text, and never shows the text (8+ characters: no chance match) in the sealed value', () => {
    const key = newDataKey();
    fc.assert(
      fc.property(fc.string({ minLength: 8, unit: 'grapheme' }), (text) => {
        const sealed = seal(key, text, customer);
        expect(sealed.startsWith(SEALED_PREFIX)).toBe(true);
        expect(sealed).not.toContain(text);
        expect(open(key, sealed, customer)).toBe(text);
      }),
    );
  });

  it('seals the same text differently each time (no equality leaks between records)', () => {
    const key = newDataKey();
    expect(seal(key, 'jane@example.com', customer)).not.toBe(seal(key, 'jane@example.com', customer));
  });

  it('refuses another key, another customer, and any altered byte', () => {
    const key = newDataKey();
    const sealed = seal(key, 'Jane Doe', customer);
    expect(() => open(newDataKey(), sealed, customer)).toThrow(SealBrokenError);
    expect(() => open(key, sealed, other)).toThrow(SealBrokenError);
    const body = Buffer.from(sealed.slice(SEALED_PREFIX.length), 'base64url');
    body[body.length - 1] ^= 1;
    expect(() => open(key, SEALED_PREFIX + body.toString('base64url'), customer)).toThrow(SealBrokenError);
    expect(() => open(key, 'Jane Doe', customer)).toThrow(SealBrokenError);
  });

  it('wraps data keys with the current KEK and unwraps them after a rotation', () => {
    const [old, current] = [kek('2025'), kek('2026')];
    const dataKey = newDataKey();
    const wrapped = wrapDataKey(old, dataKey, customer);
    expect(wrapped.startsWith('2025:')).toBe(true);
    const rotated = new KeyRing([current, old]);
    expect(rotated.current.id).toBe('2026');
    expect(unwrapDataKey(rotated, wrapped, customer).equals(dataKey)).toBe(true);
    expect(() => unwrapDataKey(new KeyRing([current]), wrapped, customer)).toThrow(
      /no key-encryption key "2025"/,
    );
    expect(() => unwrapDataKey(rotated, wrapped, other)).toThrow(SealBrokenError);
  });

  it('reads the PRIVACY_KEKS setting and refuses keys of the wrong size or odd ids', () => {
    const a = randomBytes(32).toString('base64');
    const b = randomBytes(32).toString('base64');
    const ring = KeyRing.parse(` k2:${b}, k1:${a} `);
    expect(ring.keys.map((k) => k.id)).toEqual(['k2', 'k1']);
    expect(() => KeyRing.parse(`k1:${randomBytes(16).toString('base64')}`)).toThrow(/32 bytes/);
    expect(() => KeyRing.parse(`bad id:${a}`)).toThrow(/letters, digits/);
    expect(() => KeyRing.parse('')).toThrow(/at least one/);
    expect(() => KeyRing.parse(a)).toThrow(/<id>:<base64/);
  });
});
