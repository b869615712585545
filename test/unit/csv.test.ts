import { csvCell, csvRow } from '../../src/services/exports/csv';

describe('CSV cells (RFC 4180, formulas shown as text)', () => {
  it.each([
    ['a plain word', 'Mumbai', 'Mumbai'],
    ['an empty string', '', ''],
    ['no value', null, ''],
    ['a number', 1234.5, '1234.5'],
    ['zero', 0, '0'],
    ['a comma', 'Flat 4, MG Road', '"Flat 4, MG Road"'],
    ['a quote', 'the "good" one', '"the ""good"" one"'],
    ['a line break', 'line one\nline two', '"line one\nline two"'],
    ['a carriage return and line feed', 'a\r\nb', '"a\r\nb"'],
    ['only a quote', '"', '""""'],
    ['a formula', '=SUM(A1:A9)', "'=SUM(A1:A9)"],
    ['a plus sign first', '+91 98200 00000', "'+91 98200 00000"],
    ['a minus sign first', '-2+3', "'-2+3"],
    ['an at sign first', '@cmd', "'@cmd"],
    ['a tab first', '\tx', "'\tx"],
    ['a carriage return first', '\rx', '"\'\rx"'],
    ['a formula with a comma', '=HYPERLINK("http://x",1)', '"\'=HYPERLINK(""http://x"",1)"'],
    ['a sign inside, not first', 'A-1=2', 'A-1=2'],
    ['non-ASCII text', 'Zoë Ørsted ₹', 'Zoë Ørsted ₹'],
  ])('writes %s as it should be read back', (_what, value, written) => {
    expect(csvCell(value)).toBe(written);
  });

  it('ends a row with CRLF and separates its cells with commas', () => {
    expect(csvRow(['ORD-1', null, 'a,b', 3])).toBe('ORD-1,,"a,b",3\r\n');
  });
});
