import { csvRows, firstField, rowKind } from './list-csv';

describe('CSV rows of a list import', () => {
  it('numbers lines as in the file, skips the header and blank lines, takes the first field', () => {
    const csv =
      'email,name\r\nana@acme.example,Ana\r\n\r\n"bea@acme.example",Bea\n3f1e2d3c-4b5a-4c6d-8e7f-0a1b2c3d4e5f\n';
    expect(csvRows(csv, 1)).toEqual({
      rows: [
        { line: 2, value: 'ana@acme.example' },
        { line: 4, value: 'bea@acme.example' },
        { line: 5, value: '3f1e2d3c-4b5a-4c6d-8e7f-0a1b2c3d4e5f' },
      ],
      lines: 5,
    });
  });

  it('goes on numbering from a later chunk, where a first line is never a header', () => {
    expect(csvRows('email\nana@acme.example', 7)).toEqual({
      rows: [
        { line: 7, value: 'email' },
        { line: 8, value: 'ana@acme.example' },
      ],
      lines: 2,
    });
  });

  it('reads quoted fields, and keeps an unterminated quote as it is (rejected later)', () => {
    expect(firstField('"o""brien@acme.example";x')).toBe('o"brien@acme.example');
    expect(firstField('"open')).toBeUndefined();
    expect(csvRows('"open\n', 1).rows).toEqual([{ line: 1, value: '"open' }]);
  });

  it('tells customer ids, e-mail addresses and anything else apart', () => {
    expect(rowKind('3F1E2D3C-4B5A-4C6D-8E7F-0A1B2C3D4E5F')).toEqual({
      kind: 'customerId',
      customerId: '3f1e2d3c-4b5a-4c6d-8e7f-0a1b2c3d4e5f',
    });
    expect(rowKind('Ana@Acme.example')).toEqual({ kind: 'email', email: 'ana@acme.example' });
    expect(rowKind('ana at acme')).toEqual({ kind: 'invalid' });
  });
});
