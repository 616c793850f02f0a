import { signTracking, verifyTracking, wrapLinks } from './tracking.link';

const SECRET = 'a test secret of the tracking links';
const target = {
  campaignId: '0b7c9f1e-2d3a-4b5c-8d6e-7f8091a2b3c4',
  step: 1,
  customerId: '3f1e2d3c-4b5a-4c6d-8e7f-0a1b2c3d4e5f',
};

describe('tracking links', () => {
  it('carry the campaign, step and customer of an open, and of a click its URL', () => {
    expect(verifyTracking(SECRET, 'open', signTracking(SECRET, 'open', target))).toEqual(target);
    const url = 'https://shop.example/spring?utm_source=mail&x=1';
    const click = signTracking(SECRET, 'click', { ...target, url });
    expect(verifyTracking(SECRET, 'click', click)).toEqual({ ...target, url });
    expect(click).toMatch(/^[A-Za-z0-9._-]+$/);
  });

  it('refuse a token of another kind, another secret, or with any field changed', () => {
    const open = signTracking(SECRET, 'open', target);
    const click = signTracking(SECRET, 'click', { ...target, url: 'https://shop.example/' });
    expect(verifyTracking(SECRET, 'click', open)).toBeUndefined();
    expect(verifyTracking('another secret of sixteen', 'open', open)).toBeUndefined();
    expect(verifyTracking(SECRET, 'open', open.replace('.1.', '.2.'))).toBeUndefined();
    const [c, s, u, , sig] = click.split('.');
    const evil = Buffer.from('https://evil.example/').toString('base64url');
    expect(verifyTracking(SECRET, 'click', [c, s, u, evil, sig].join('.'))).toBeUndefined();
    expect(verifyTracking(SECRET, 'open', 'not-a-token')).toBeUndefined();
  });

  it('wrap every http(s) link of a text body and nothing else', () => {
    const body = 'See https://shop.example/a and (http://x.example/b), not mailto:a@b.example.';
    expect(wrapLinks(body, (url) => `[${url}]`)).toBe(
      'See [https://shop.example/a] and ([http://x.example/b]), not mailto:a@b.example.',
    );
  });
});
