import { createHmac, timingSafeEqual } from 'node:crypto';
import { CONSENT_PURPOSES, type ConsentPurpose } from '@crm/contracts';

/**
 * One-click unsubscribe links (RFC 8058) of campaign e-mail: `<customerId>.<purpose>.<signature>`,
 * an HMAC-SHA256 of the customer and purpose, bound to unsubscribing (a double opt-in link signed
 * with the same secret never passes). They do not expire: an unsubscribe link must keep working.
 */
const PURPOSE = 'crm.marketing.unsubscribe';
const sign = (secret: string, body: string) =>
  createHmac('sha256', secret).update(`${PURPOSE}\n${body}`).digest('base64url');
const UUID = /^[0-9a-fA-F-]{36}$/;

export function signUnsubscribe(secret: string, customerId: string, purpose: ConsentPurpose): string {
  const body = `${customerId}.${purpose}`;
  return `${body}.${sign(secret, body)}`;
}

export function verifyUnsubscribe(
  secret: string,
  token: string,
): { customerId: string; purpose: ConsentPurpose } | undefined {
  const [customerId, purpose, signature, ...rest] = token.split('.');
  if (rest.length > 0 || !UUID.test(customerId ?? '') || !signature) return undefined;
  if (!(CONSENT_PURPOSES as readonly string[]).includes(purpose)) return undefined;
  const expected = Buffer.from(sign(secret, `${customerId}.${purpose}`));
  const given = Buffer.from(signature);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
  return { customerId, purpose: purpose as ConsentPurpose };
}
