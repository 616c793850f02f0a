import { parseCsv, toCsv } from './csv';

describe('toCsv (RFC 4180)', () => {
  it('writes a header of section and the union of columns, CRLF line ends, empty nulls', () => {
    const csv = toCsv([
      { name: 'a', rows: [{ x: 1, y: 'one' }] },
      { name: 'b', rows: [{ y: null, z: true }] },
    ]);
    expect(csv).toBe('section,x,y,z\r\na,1,one,\r\nb,,,true\r\n');
  });

  it('quotes fields with commas, quotes, CR or LF and doubles the quotes', () => {
    const csv = toCsv([
      { name: 's', rows: [{ v: 'a,b' }, { v: 'say "hi"' }, { v: 'two\nlines' }, { v: 'cr\rx' }] },
    ]);
    expect(csv).toBe('section,v\r\ns,"a,b"\r\ns,"say ""hi"""\r\ns,"two\nlines"\r\ns,"cr\rx"\r\n');
  });

  it('writes dates as ISO 8601 and numbers in their shortest form', () => {
    expect(
      toCsv([{ name: 's', rows: [{ d: new Date('2026-01-02T03:04:05Z'), n: 0.1 + 0.2, u: undefined }] }]),
    ).toBe('section,d,n,u\r\ns,2026-01-02T03:04:05.000Z,0.30000000000000004,\r\n');
  });

  it('reads back what it wrote', () => {
    const rows = [{ v: 'a,"b"\nc', n: 2 }];
    expect(parseCsv(toCsv([{ name: 's', rows }]))).toEqual([{ section: 's', v: 'a,"b"\nc', n: '2' }]);
  });

  it('writes only the header for no rows', () => {
    expect(toCsv([{ name: 's', rows: [] }])).toBe('section\r\n');
  });
});
