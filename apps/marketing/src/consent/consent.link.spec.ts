import { linkExpiry, signLink, verifyLink } from './consent.link';

const customerId = '3f1e2d3c-4b5a-4c6d-8e7f-0a1b2c3d4e5f';
const requestId = '7a6b5c4d-3e2f-4a1b-9c8d-7e6f5a4b3c2d';
const now = new Date('2026-03-01T10:00:00Z');
const expiresAt = new Date('2026-03-03T10:00:00Z');

describe('double opt-in confirmation links', () => {
  it('name their customer and request until they expire', () => {
    const token = signLink('secret', { customerId, requestId, expiresAt });
    expect(verifyLink('secret', token, now)).toEqual({ valid: true, customerId, requestId, expiresAt });
    expect(verifyLink('secret', token, new Date('2026-03-03T09:59:59Z')).valid).toBe(true);
    expect(verifyLink('secret', token, expiresAt)).toEqual({ valid: false, reason: 'expired' });
  });

  it('are refused when signed with another key or when the customer, request or expiry is altered', () => {
    const token = signLink('secret', { customerId, requestId, expiresAt });
    const [, , expiry, signature] = token.split('.');
    const other = '9e8d7c6b-5a4f-4e3d-8c2b-1a0f9e8d7c6b';
    expect(verifyLink('another secret', token, now)).toEqual({ valid: false, reason: 'forged' });
    expect(verifyLink('secret', `${other}.${requestId}.${expiry}.${signature}`, now).valid).toBe(false);
    expect(verifyLink('secret', `${customerId}.${other}.${expiry}.${signature}`, now).valid).toBe(false);
    expect(
      verifyLink('secret', `${customerId}.${requestId}.${Number(expiry) + 86_400}.${signature}`, now),
    ).toEqual({
      valid: false,
      reason: 'forged',
    });
  });

  it('refuses what is not a link at all', () => {
    for (const junk of ['', 'abc', 'a.b.c.d', `${customerId}.${requestId}.soon.sig`, '../../etc/passwd'])
      expect(verifyLink('secret', junk, now)).toEqual({ valid: false, reason: 'malformed' });
  });

  it('carry whole seconds: the expiry recorded is the one the link enforces', () => {
    const ragged = new Date('2026-03-03T10:00:00.750Z');
    const token = signLink('secret', { customerId, requestId, expiresAt: ragged });
    expect(verifyLink('secret', token, now)).toMatchObject({ expiresAt: linkExpiry(ragged) });
    expect(linkExpiry(ragged).toISOString()).toBe('2026-03-03T10:00:00.000Z');
  });
});
