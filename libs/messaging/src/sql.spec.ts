import { quoteIdent } from './sql';

describe('quoteIdent', () => {
  it('quotes a plain schema or table name', () => {
    expect(quoteIdent('leads')).toBe('"leads"');
    expect(quoteIdent('Pipeline_2')).toBe('"Pipeline_2"');
  });

  it('refuses what is not a plain name, or what PostgreSQL would cut at 63 characters', () => {
    for (const name of ['', 'a"b', 'leads; drop schema leads', 'crm.leads', '2leads', 'x'.repeat(64)])
      expect(() => quoteIdent(name)).toThrow(`invalid SQL identifier: ${name}`);
    expect(quoteIdent('x'.repeat(63))).toBe(`"${'x'.repeat(63)}"`);
  });
});
