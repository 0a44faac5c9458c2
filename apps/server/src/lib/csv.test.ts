import { describe, expect, it } from 'vitest';
import { parseCsv } from '../testing/csv-reader.ts';
import { csvCell, csvRow } from './csv.ts';


const DANGEROUS_LEADS = ['=', '+', '-', '@', '\t', '\r'];

describe('csvCell', () => {
  it('leaves ordinary values as they are', () => {
    expect(csvCell('hello')).toBe('hello');
    expect(csvCell('member.role_change')).toBe('member.role_change');
    expect(csvCell('ada@example.test')).toBe('ada@example.test');
    expect(csvCell('2026-01-31T10:00:00.000Z')).toBe('2026-01-31T10:00:00.000Z');
    expect(csvCell('a=b+c-d@e')).toBe('a=b+c-d@e');
    expect(csvCell("it's")).toBe("it's");
    expect(csvCell(42)).toBe('42');
    expect(csvCell(0)).toBe('0');
    expect(csvCell(true)).toBe('true');
    expect(csvCell('')).toBe('');
  });

  it('writes null and undefined as an empty cell', () => {
    expect(csvCell(null)).toBe('');
    expect(csvCell(undefined)).toBe('');
  });

  it('quotes cells with commas, quotes and line breaks, doubling the quotes', () => {
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('line 1\nline 2')).toBe('"line 1\nline 2"');
    expect(csvCell('line 1\r\nline 2')).toBe('"line 1\r\nline 2"');
    expect(csvCell('"')).toBe('""""');
  });

  it('writes objects as JSON in one quoted cell', () => {
    const cell = csvCell({ from: 'a', to: 'b,c' });
    expect(cell).toBe('"{""from"":""a"",""to"":""b,c""}"');
    expect(parseCsv(`${cell}\r\n`)).toEqual([['{"from":"a","to":"b,c"}']]);
  });

  it.each(DANGEROUS_LEADS.map((lead) => [JSON.stringify(lead), lead]))(
    'AUD-02 a cell starting with %s is turned into text with a leading apostrophe',
    (_name, lead) => {
      const value = `${lead}1+2`;
      const cell = csvCell(value);
      const [[read]] = parseCsv(`${cell}\r\n`) as [[string]];
      expect(read).toBe(`'${value}`);
      expect(DANGEROUS_LEADS.some((dangerous) => read.startsWith(dangerous))).toBe(false);
    },
  );

  it('AUD-02 a formula that also needs quoting is neutralised inside the quotes', () => {
    expect(csvCell('=HYPERLINK("http://evil.test/?q=1","open")')).toBe('"\'=HYPERLINK(""http://evil.test/?q=1"",""open"")"');
    expect(csvCell('=SUM(A1,A2)')).toBe('"\'=SUM(A1,A2)"');
    expect(csvCell('@SUM(1,2)')).toBe('"\'@SUM(1,2)"');
    expect(csvCell('-2+3,x')).toBe('"\'-2+3,x"');
    expect(csvCell('+cmd|"/c calc"!A0')).toBe('"\'+cmd|""/c calc""!A0"');
    // A carriage return at the start both needs quoting and is a formula trigger.
    expect(csvCell('\r=1+2')).toBe('"\'\r=1+2"');
    expect(csvCell('\t=1+2')).toBe("'\t=1+2");
  });

  it('AUD-02 a formula hidden behind a leading quote character stays text after the quotes are read', () => {
    // The cell reads back as "=1+2" with its quotes: text, not a formula.
    const [[read]] = parseCsv(`${csvCell('"=1+2"')}\r\n`) as [[string]];
    expect(read).toBe('"=1+2"');
  });

  it('AUD-02 every dangerous value in a row reads back as text, whatever else the row holds', () => {
    const values = [
      '=1+2',
      '+1',
      '-1',
      '@A1',
      '\tx',
      '\rx',
      '=A1,"B"\r\n',
      'plain',
      'with, comma',
      { nested: '=1' },
      7,
      null,
    ];
    const [row] = parseCsv(csvRow(values)) as [string[]];
    expect(row).toHaveLength(values.length);
    for (const cell of row) expect(DANGEROUS_LEADS.some((lead) => cell.startsWith(lead))).toBe(false);
    expect(row).toEqual(["'=1+2", "'+1", "'-1", "'@A1", "'\tx", "'\rx", '\'=A1,"B"\r\n', 'plain', 'with, comma', '{"nested":"=1"}', '7', '']);
  });
});

describe('csvRow', () => {
  it('joins cells with commas and ends the line with CRLF', () => {
    expect(csvRow(['a', 'b', 'c'])).toBe('a,b,c\r\n');
    expect(csvRow([])).toBe('\r\n');
    expect(csvRow(['a,b', null, 3])).toBe('"a,b",,3\r\n');
  });

  it('round-trips ordinary values through a strict CSV reader', () => {
    const values = ['seq', 'say "hi"', 'two\nlines', 'x,y', "it's", ''];
    expect(parseCsv(csvRow(values) + csvRow(values))).toEqual([values, values]);
  });
});
