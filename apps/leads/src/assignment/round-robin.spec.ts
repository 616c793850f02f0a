import { ownerForTicket } from './round-robin';

describe('round robin', () => {
  const owners = ['ana', 'ben', 'cleo'];
  it('hands tickets to owners in turn and wraps around', () =>
    expect([0, 1, 2, 3, 4].map((t) => ownerForTicket(t, owners))).toEqual([
      'ana',
      'ben',
      'cleo',
      'ana',
      'ben',
    ]));
  it('needs owners', () => expect(() => ownerForTicket(0, [])).toThrow(/no owners/));
});
