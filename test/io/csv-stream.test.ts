import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { dataError, readWith, scratchDir } from '../helpers/io.js';
import { ExampleBatchBuilder } from '../../src/io/columns.js';
import { readCsvExamples } from '../../src/io/csv.js';

const { write } = scratchDir('tsfx-csv-stream-');

const read = (file: string) => readWith((b) => readCsvExamples(file, b));

describe('CSV reader on the byte path', () => {
  it('reads a BOM, CRLF line ends and a last line without a line end', async () => {
    const { kinds, rows } = await read(write('bom.csv', '\uFEFFid,name\r\n1,"a ""b"""\r\n2,c'));
    expect(kinds).toEqual({ id: 'int', name: 'bytes' });
    expect(rows).toEqual([{ id: 1n, name: 'a "b"' }, { id: 2n, name: 'c' }]);
  });

  it('reads a UTF-16LE file by its BOM, as before', async () => {
    const file = write('u16.csv', '');
    fs.writeFileSync(file, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('name,n\r\nzoë,1\r\n"x,y",2\r\n', 'utf16le')]));
    const { rows } = await read(file);
    expect(rows).toEqual([{ name: 'zoë', n: 1n }, { name: 'x,y', n: 2n }]);
  });

  it('reads quoted fields larger than a read chunk, with delimiters, line ends and quotes inside', async () => {
    const long = 'x,"y"\r\nz é'.repeat(250_000); // ~2.75 MB, past several 1 MiB reads
    const file = write('long.csv', `n,text\n1,"${long.replaceAll('"', '""')}"\n2,short\n3,"${long.replaceAll('"', '""')}"`);
    const { rows } = await read(file);
    expect(rows.map((r) => r.n)).toEqual([1n, 2n, 3n]);
    expect(rows[0]!.text === long && rows[2]!.text === long).toBe(true);
    expect(rows[1]!.text).toBe('short');
  });

  it('turns bytes that are not UTF-8 into U+FFFD, as the string reader did', async () => {
    const file = write('latin1.csv', '');
    fs.writeFileSync(file, Buffer.concat([Buffer.from('s,n\n'), Buffer.from([0x63, 0x61, 0x66, 0xe9]), Buffer.from(',1\nok,2\n')]));
    const { rows, features } = await read(file);
    expect(rows.map((r) => r.s)).toEqual(['caf\uFFFD', 'ok']);
    expect(features[0]!.arrowType).toBe('Utf8');
  });

  it('parses numbers off the fast path exactly: exponents, blanks, int64 past 2^53, quoted', async () => {
    const file = write('nums.csv', 'i,f\n" 7 ",1e-3\n9223372036854775807,"2.5"\n-12,0.1234567890123456789\n');
    const { kinds, rows } = await read(file);
    expect(kinds).toEqual({ i: 'int', f: 'float' });
    expect(rows.map((r) => r.i)).toEqual([7n, 9223372036854775807n, -12n]);
    expect(rows.map((r) => r.f)).toEqual([Math.fround(0.001), 2.5, Math.fround(Number('0.1234567890123456789'))]);
  });

  it('names file and line of a quote inside an unquoted field or after a closing quote', async () => {
    const open = await dataError(read(write('q1.csv', 'a,b\n1,2\n3,x"y\n')));
    expect(open.message).toMatch(/line 3: malformed CSV: Invalid Opening Quote/);
    const close = await dataError(read(write('q2.csv', 'a,b\n\n"x"y,1\n')));
    expect(close.message).toMatch(/line 3: malformed CSV: Invalid Closing Quote/);
  });

  it('reports progress every 10,000 records with the bytes read, and stops on abort', async () => {
    const lines = ['a,b', ...Array.from({ length: 25_000 }, (_, i) => `${i},"v${i}"`)];
    const text = lines.join('\n') + '\n';
    const file = write('progress.csv', text);
    const calls: [number, number][] = [];
    const b = new ExampleBatchBuilder();
    await readCsvExamples(file, b, {
      onProgress: async (bytes, records) => {
        calls.push([bytes, records]);
        await new Promise((r) => setTimeout(r, 1)); // awaited between records, like ExampleGen's shard writes
        expect(b.rowCount).toBe(records);
      },
    });
    const endOf = (n: number) => Buffer.byteLength(lines.slice(0, n + 1).join('\n') + '\n');
    expect(calls).toEqual([[endOf(10_000), 10_000], [endOf(20_000), 20_000], [text.length, 25_000]]);

    const ac = new AbortController();
    const stop = new Error('stop');
    const aborted = readCsvExamples(file, new ExampleBatchBuilder(), { signal: ac.signal, onProgress: () => ac.abort(stop) });
    await expect(aborted).rejects.toBe(stop);
  });
});
