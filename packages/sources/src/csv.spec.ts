import { describe, expect, it } from 'vitest';
import { csvRecords, parseCsv } from './csv.js';

describe('parseCsv', () => {
  it('reads quoted fields with commas, doubled quotes and line breaks', () => {
    const text = '\ufeffa,b,c\r\n"1, Main St","say ""hi""","two\nlines"\r\n\r\nx,,z\n';
    expect(parseCsv(text)).toEqual([
      ['a', 'b', 'c'],
      ['1, Main St', 'say "hi"', 'two\nlines'],
      ['x', '', 'z'],
    ]);
  });

  it('keeps a last line without a line end', () => {
    expect(parseCsv('a,b\n1,2')).toEqual([
      ['a', 'b'],
      ['1', '2'],
    ]);
  });
});

describe('csvRecords', () => {
  it('keys rows by the trimmed header and fills short rows with empty text', () => {
    expect(csvRecords(' price ,beds\n100\n')).toEqual([{ price: '100', beds: '' }]);
  });
});
