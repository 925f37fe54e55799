import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { dataError, readWith, scratchDir } from '../helpers/io.js';
import { inferCsvKinds, parseFloatCell, readCsvExamples } from '../../src/io/csv.js';

const { write } = scratchDir('tsfx-csv-');

const read = (file: string, columnTypes?: Record<string, 'int' | 'float' | 'bytes'>) =>
  readWith((b) => readCsvExamples(file, b, { columnTypes }));

describe('CSV reader', () => {
  it('infers int, float and bytes per column over the whole file', async () => {
    const file = write(
      'types.csv',
      ['id,score,name,mixed,special', '1,0.5,ann,1,nan', '2,,bob,2.5,-inf', '3,7,,3,Infinity', '-4,1e3,"dee",4,2'].join('\n'),
    );
    const { kinds, rows, features } = await read(file);
    expect(kinds).toEqual({ id: 'int', score: 'float', name: 'bytes', mixed: 'float', special: 'float' });
    expect(features.map((f) => f.arrowType)).toEqual(['Int64', 'Float32', 'Utf8', 'Float32', 'Float32']);
    expect(rows.map((r) => r.id)).toEqual([1n, 2n, 3n, -4n]);
    expect(rows.map((r) => r.score)).toEqual([0.5, null, 7, 1000]);
    // an empty cell is an absent feature, as in TFX's CSV ExampleGen
    expect(rows.map((r) => r.name)).toEqual(['ann', 'bob', null, 'dee']);
    expect(rows[0]!.special).toBeNaN();
    expect(rows[1]!.special).toBe(-Infinity);
    expect(rows[2]!.special).toBe(Infinity);
  });

  it('keeps int64 values past 2^53 exactly', async () => {
    const file = write('big.csv', 'n\n9007199254740993\n-9223372036854775808\n');
    const { kinds, rows } = await read(file);
    expect(kinds.n).toBe('int');
    expect(rows.map((r) => r.n)).toEqual([9007199254740993n, -9223372036854775808n]);
  });

  it('treats integers past int64 as floats', async () => {
    const file = write('huge.csv', 'n\n99999999999999999999\n1\n');
    expect((await read(file)).kinds.n).toBe('float');
  });

  it('uses given column types over inference', async () => {
    const file = write('zip.csv', 'zip,price\n00123,10\n04567,11\n');
    const { kinds, rows } = await read(file, { zip: 'bytes', price: 'float' });
    expect(kinds).toEqual({ zip: 'bytes', price: 'float' });
    expect(rows.map((r) => r.zip)).toEqual(['00123', '04567']);
  });

  it('names file, line and column when a value does not parse as the given type', async () => {
    const file = write('badint.csv', 'a,b\n1,2\n3,4.5\n');
    const err = await dataError(read(file, { a: 'int', b: 'int' }));
    expect(err.message).toContain(file);
    expect(err.message).toContain('line 3');
    expect(err.message).toContain("column 'b'");
  });

  it('follows RFC 4180 quoting: commas, doubled quotes and newlines inside quotes', async () => {
    const file = write('quotes.csv', 'text,n\r\n"a, b",1\r\n"say ""hi""",2\r\n"two\r\nlines",3\r\n');
    const { rows } = await read(file);
    expect(rows.map((r) => r.text)).toEqual(['a, b', 'say "hi"', 'two\r\nlines']);
    expect(rows.map((r) => r.n)).toEqual([1n, 2n, 3n]);
  });

  it('reports a ragged row with its 1-based line, after quoted newlines and blank lines', async () => {
    // line 1 header, 2-3 one quoted record, 4 fine, 5 blank, 6 ragged
    const file = write('ragged.csv', 'a,b\r\n"x\r\ny",1\r\n2,3\r\n\r\n4,5,6\r\n7,8\r\n');
    const err = await dataError(read(file));
    expect(err.message).toContain(file);
    expect(err.message).toContain('line 6');
    expect(err.message).toMatch(/3 fields, the header has 2/);
    // given types skip the inference pass: the decode pass reports the same line
    const err2 = await dataError(read(file, { a: 'bytes', b: 'bytes' }));
    expect(err2.message).toContain('line 6');
  });

  it('rejects a missing, empty or duplicate header', async () => {
    expect((await dataError(read(write('empty.csv', '')))).message).toMatch(/header row is required/);
    expect((await dataError(read(write('blankhdr.csv', 'a,,c\n1,2,3\n')))).message).toMatch(/column 2 has an empty header/);
    expect((await dataError(read(write('duphdr.csv', 'a,b,a\n1,2,3\n')))).message).toMatch(/duplicate column 'a'/);
  });

  it('reports an unclosed quote with the line its record starts on', async () => {
    const file = write('unclosed.csv', 'a,b\n1,2\n3,"oops\n4,5\n');
    const err = await dataError(read(file));
    expect(err.message).toContain('line 3');
    expect(err.message).toMatch(/malformed CSV/);
  });

  it('keeps a column with no value at all as an all-absent bytes column', async () => {
    const { features, rows } = await read(write('nothing.csv', 'a,b\n1,\n2,\n'));
    expect(features.map((f) => [f.name, f.kind])).toEqual([['a', 'int'], ['b', 'bytes']]);
    expect(rows.map((r) => r.b)).toEqual([null, null]);
  });

  it('widens kinds across files when inferring jointly', async () => {
    const a = write('j1.csv', 'x\n1\n2\n');
    const b = write('j2.csv', 'x\n2.5\n');
    const kinds = await inferCsvKinds(b, await inferCsvKinds(a));
    expect(kinds.get('x')).toBe('float');
  });

  it('reads a real file: vega-datasets seattle-weather.csv', async () => {
    const file = fileURLToPath(new URL('../../node_modules/vega-datasets/data/seattle-weather.csv', import.meta.url));
    const lines = fs.readFileSync(file, 'utf8').trim().split('\n');
    const { kinds, table, rows } = await read(file);
    expect(table.numRows).toBe(lines.length - 1);
    expect(kinds).toEqual({ date: 'bytes', precipitation: 'float', temp_max: 'float', temp_min: 'float', wind: 'float', weather: 'bytes' });
    const [date, precip, , , wind, weather] = lines[1]!.split(',');
    expect(rows[0]).toMatchObject({ date, weather });
    expect(rows[0]!.precipitation).toBeCloseTo(Number(precip), 5);
    expect(rows[0]!.wind).toBeCloseTo(Number(wind), 5);
  });

  it('parses the non-finite spellings TensorFlow accepts', () => {
    expect(parseFloatCell('NaN')).toBeNaN();
    expect(parseFloatCell('+inf')).toBe(Infinity);
    expect(parseFloatCell('-Infinity')).toBe(-Infinity);
    expect(parseFloatCell(' 1.5e-3 ')).toBeCloseTo(0.0015);
    expect(parseFloatCell('0x10')).toBeUndefined();
    expect(parseFloatCell('1,5')).toBeUndefined();
  });
});
