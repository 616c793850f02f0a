import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Double opt-in confirmation links: `<customerId>.<requestId>.<expiry>.<signature>`, the signature
 * an HMAC-SHA256 (with the service's secret) of what the link is for, the customer, the request
 * and the expiry (Unix seconds). A link is valid until it expires and confirms once: the ledger
 * refuses a request confirmed already (409 DOUBLE_OPT_IN_ALREADY_CONFIRMED).
 */
export interface LinkClaims {
  customerId: string;
  requestId: string;
  expiresAt: Date;
}

export type LinkCheck =
  | { valid: true; customerId: string; requestId: string; expiresAt: Date }
  | { valid: false; reason: 'malformed' | 'forged' | 'expired' };

/** Binds the signature to double opt-in links: a link of another kind, same secret, never passes. */
const PURPOSE = 'crm.marketing.double-opt-in';
const sign = (secret: string, body: string) =>
  createHmac('sha256', secret).update(`${PURPOSE}\n${body}`).digest('base64url');
const PART = /^[0-9a-fA-F-]{36}$/;

/** Expiry times of links are whole seconds: `expiresAt` rounded down, as the link carries it. */
export const linkExpiry = (expiresAt: Date): Date => new Date(Math.floor(expiresAt.getTime() / 1000) * 1000);

export function signLink(secret: string, { customerId, requestId, expiresAt }: LinkClaims): string {
  if (!PART.test(customerId) || !PART.test(requestId))
    throw new RangeError('customer and request ids are UUIDs');
  const body = `${customerId}.${requestId}.${Math.floor(expiresAt.getTime() / 1000)}`;
  return `${body}.${sign(secret, body)}`;
}

/** What a link names, when it is ours, unaltered and not expired at `now`; else why not. */
export function verifyLink(secret: string, token: string, now: Date): LinkCheck {
  const parts = token.split('.');
  if (parts.length !== 4) return { valid: false, reason: 'malformed' };
  const [customerId, requestId, expiry, signature] = parts;
  if (!PART.test(customerId) || !PART.test(requestId) || !/^\d{1,12}$/.test(expiry))
    return { valid: false, reason: 'malformed' };
  const expected = Buffer.from(sign(secret, `${customerId}.${requestId}.${expiry}`));
  const given = Buffer.from(signature);
  if (given.length !== expected.length || !timingSafeEqual(given, expected))
    return { valid: false, reason: 'forged' };
  const expiresAt = new Date(Number(expiry) * 1000);
  if (expiresAt.getTime() <= now.getTime()) return { valid: false, reason: 'expired' };
  return { valid: true, customerId, requestId, expiresAt };
}
