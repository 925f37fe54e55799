import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { CsvSyntaxError, CsvTokenizer } from '../../src/io/csv-tokenizer.js';

/** Records as strings, the input fed in the given chunk sizes (cycled); a syntax error as 'error'. */
function tokenize(input: Buffer, sizes: number[] = [input.length || 1]): string[][] | 'error' {
  const tok = new CsvTokenizer();
  const out: string[][] = [];
  const take = () => {
    while (tok.next()) out.push(Array.from({ length: tok.count }, (_, i) => tok.text(i)));
  };
  try {
    for (let p = 0, k = 0; p < input.length; k++) {
      const n = sizes[k % sizes.length]!;
      tok.push(input.subarray(p, p + n));
      p += n;
      take();
    }
    tok.finish();
    take();
  } catch (err) {
    if (err instanceof CsvSyntaxError) return 'error';
    throw err;
  }
  return out;
}

/** What the reader used before: csv-parse with the same options. */
function reference(input: Buffer): string[][] | 'error' {
  try {
    return parse(input, { bom: true, relax_column_count: true, skip_empty_lines: true }) as string[][];
  } catch {
    return 'error';
  }
}

describe('CSV tokenizer', () => {
  it('splits records as csv-parse does, on random input cut into random chunks', () => {
    let seed = 12345;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) >>> 0), seed / 2 ** 32);
    // quotes, delimiters and every line end, a BOM, multi-byte and invalid UTF-8
    const parts = ['a', 'b1', ',', ',', '"', '"', '""', '\n', '\r', '\r\n', ' ', 'é', '\uFEFF'].map((s) => Buffer.from(s));
    parts.push(Buffer.from([0xc3]), Buffer.from([0xff]));
    for (let n = 0; n < 20_000; n++) {
      const len = Math.floor(rnd() * 24);
      const input = Buffer.concat(Array.from({ length: len }, () => parts[Math.floor(rnd() * parts.length)]!));
      const sizes = [1 + Math.floor(rnd() * 5), 1 + Math.floor(rnd() * 5)];
      const want = reference(input);
      const got = tokenize(input, sizes);
      if (JSON.stringify(got) !== JSON.stringify(want)) expect({ input: input.toString('latin1'), got }).toEqual({ input: input.toString('latin1'), got: want });
    }
  });

  it('gives the same records wherever the input is cut in two', () => {
    const text = '\uFEFFid,"text, with ""quotes""",n\r\n1,"a\r\nb ""c"", d",2.5\r\n\r\n2,,"x"\r\n3,"",\r\n4,plain,7';
    const input = Buffer.from(text);
    const whole = tokenize(input);
    expect(whole).toEqual([
      ['id', 'text, with "quotes"', 'n'],
      ['1', 'a\r\nb "c", d', '2.5'],
      ['2', '', 'x'],
      ['3', '', ''],
      ['4', 'plain', '7'],
    ]);
    for (let cut = 1; cut < input.length; cut++) expect(tokenize(input, [cut, input.length]), `cut at ${cut}`).toEqual(whole);
  });

  it('keeps the line end csv-parse found first: a lone \\n in a CRLF file is data', () => {
    expect(tokenize(Buffer.from('a,b\r\nx\ny,1\r\n'))).toEqual([['a', 'b'], ['x\ny', '1']]);
    expect(tokenize(Buffer.from('a,b\rc,d\r'))).toEqual([['a', 'b'], ['c', 'd']]);
    // a file ending without a line end, or in a lone \r with CRLF line ends
    expect(tokenize(Buffer.from('a\r\n1'), [1])).toEqual([['a'], ['1']]);
    expect(tokenize(Buffer.from('a\r\n1\r'), [1])).toEqual([['a'], ['1\r']]);
  });

  it('reports the byte offset of the record holding malformed quoting', () => {
    const offsetOf = (text: string) => {
      const tok = new CsvTokenizer();
      tok.push(Buffer.from(text));
      tok.finish();
      try {
        while (tok.next());
      } catch (err) {
        return (err as CsvSyntaxError).offset;
      }
      return undefined;
    };
    expect(offsetOf('a,b\n1,2\n3,"x\n4,5\n')).toBe(8);
    expect(offsetOf('a,b\n1,x"y\n')).toBe(4);
    expect(offsetOf('a,b\n\n"x"y,1\n')).toBe(5);
    expect(offsetOf('a,b\n"x"\r\n')).toBe(4);
  });

  it('reads a field far longer than a chunk, with quotes, commas and line ends inside', () => {
    const unit = 'ab,"\n\r\né';
    const long = unit.repeat(300_000);
    const input = Buffer.from(`h,x\n1,"${long.replaceAll('"', '""')}"\n2,y\n`);
    const got = tokenize(input, [4096, 65_536, 7]);
    expect(got).not.toBe('error');
    const rows = got as string[][];
    expect(rows.length).toBe(3);
    expect(rows[1]![1]!.length).toBe(long.length);
    expect(rows[1]![1] === long).toBe(true);
    expect(rows[2]).toEqual(['2', 'y']);
  });
});
