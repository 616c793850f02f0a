import { decodeCaseCursor, encodeCaseCursor } from './case-cursor';

describe('case list cursor', () => {
  const position = {
    openedAt: new Date('2026-06-08T09:00:00.000Z'),
    caseId: '0b6f1a5e-7c1d-4c1e-9d3a-2f5b8e6a1c00',
  };

  it('gives back the position it was made from', () => {
    const cursor = encodeCaseCursor(position);
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeCaseCursor(cursor)).toEqual(position);
  });

  it.each([
    ['not base64url', 'a+b/c='],
    ['no case id', Buffer.from('2026-06-08T09:00:00.000Z').toString('base64url')],
    ['a case id that is not a uuid', Buffer.from('2026-06-08T09:00:00.000Z|42').toString('base64url')],
    [
      'a day that does not exist',
      Buffer.from(`2026-02-30T09:00:00.000Z|${position.caseId}`).toString('base64url'),
    ],
    [
      'an instant without milliseconds',
      Buffer.from(`2026-06-08T09:00:00Z|${position.caseId}`).toString('base64url'),
    ],
    ['a third part', Buffer.from(`2026-06-08T09:00:00.000Z|${position.caseId}|x`).toString('base64url')],
  ])('refuses %s', (_what, cursor) => {
    expect(decodeCaseCursor(cursor)).toBeUndefined();
  });
});
