import { normaliseEmail, normaliseName, normalisePhone } from './lead.normalise';

describe('normalisation', () => {
  it('lower-cases and trims e-mail', () =>
    expect(normaliseEmail('  Ana@ACME.example ')).toBe('ana@acme.example'));
  it.each([
    ['+34 600 12-34-56', '+34600123456'],
    ['0034 600 123 456', '+34600123456'],
    ['(600) 123 456', '600123456'],
  ])('normalises phone %s to %s', (raw, expected) => expect(normalisePhone(raw)).toBe(expected));
  it('collapses whitespace in names and drops empty ones', () => {
    expect(normaliseName('  Ana   Pérez ')).toBe('Ana Pérez');
    expect(normaliseName('   ')).toBeUndefined();
  });
});
