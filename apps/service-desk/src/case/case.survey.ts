import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Satisfaction survey links: `<caseId>.<expiry>.<signature>`, an HMAC-SHA256 of the case and
 * expiry with the service's secret. A link is valid until it expires; it is single-use because a
 * case takes one rating (the decider refuses the second: 409 CASE_ALREADY_RATED).
 */
const sign = (secret: string, body: string) => createHmac('sha256', secret).update(body).digest('base64url');

export function surveyToken(secret: string, caseId: string, expiresAt: Date): string {
  const body = `${caseId}.${Math.floor(expiresAt.getTime() / 1000)}`;
  return `${body}.${sign(secret, body)}`;
}

/** The case id of a valid token; undefined for a forged, altered or expired one. */
export function caseOfSurveyToken(secret: string, token: string, now: Date): string | undefined {
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  const [caseId, expiry, signature] = parts;
  const expected = Buffer.from(sign(secret, `${caseId}.${expiry}`));
  const given = Buffer.from(signature);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
  return Number(expiry) * 1000 > now.getTime() ? caseId : undefined;
}
