import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Signed tracking links of campaign e-mail: the open pixel `/t/o/<token>` and click redirects
 * `/t/c/<token>`. A token is `<campaignId>.<step>.<customerId>[.<url, base64url>].<signature>`,
 * an HMAC-SHA256 of its fields bound to its kind (an open token never passes as a click, nor an
 * unsubscribe or double opt-in link signed with the same secret). A click redirects only to the
 * URL signed into its token: changing the URL breaks the signature (no open redirect).
 */
export type TrackingKind = 'open' | 'click';
export interface TrackingTarget {
  campaignId: string;
  step: number;
  customerId: string;
  /** The link a click goes to (clicks only). */
  url?: string;
}

const PURPOSE = { open: 'crm.marketing.track.open', click: 'crm.marketing.track.click' } as const;
const UUID = /^[0-9a-fA-F-]{36}$/;
const STEP = /^(0|[1-9][0-9]{0,3})$/;
const sign = (secret: string, kind: TrackingKind, body: string) =>
  createHmac('sha256', secret).update(`${PURPOSE[kind]}\n${body}`).digest('base64url');

export function signTracking(secret: string, kind: TrackingKind, target: TrackingTarget): string {
  if ((kind === 'click') !== (target.url !== undefined))
    throw new Error('a click token carries its URL, an open token none');
  const fields = [target.campaignId, String(target.step), target.customerId];
  if (target.url !== undefined) fields.push(Buffer.from(target.url).toString('base64url'));
  const body = fields.join('.');
  return `${body}.${sign(secret, kind, body)}`;
}

/** The token's target, or undefined when it is forged, altered or of another kind. */
export function verifyTracking(
  secret: string,
  kind: TrackingKind,
  token: string,
): TrackingTarget | undefined {
  const parts = token.split('.');
  if (parts.length !== (kind === 'click' ? 5 : 4)) return undefined;
  const signature = parts.pop()!;
  const [campaignId, step, customerId, url] = parts;
  if (!UUID.test(campaignId) || !STEP.test(step) || !UUID.test(customerId)) return undefined;
  const expected = Buffer.from(sign(secret, kind, parts.join('.')));
  const given = Buffer.from(signature);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
  const target: TrackingTarget = { campaignId, step: Number(step), customerId };
  if (url !== undefined) target.url = Buffer.from(url, 'base64url').toString();
  return target;
}

/** http(s) URLs in a text body: each becomes a click-tracked link. */
const LINK = /\bhttps?:\/\/[^\s<>"')\]]*[^\s<>"')\].,;:!?]/g;

/** The body with every http(s) URL replaced by its click-tracked link (`wrap(url)`). */
export function wrapLinks(body: string, wrap: (url: string) => string): string {
  return body.replace(LINK, (url) => wrap(url));
}
