/**
 * The Parquet reader against pyarrow's reading of the same files (written by pyarrow in the
 * pinned TFDV venv, test/io/parquet_fixtures.py): every supported type with nulls, lists,
 * many row groups and codecs; the types it refuses; corrupt and truncated files.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Field, Float64, Int32, List, Table, Utf8, tableToIPC, vectorFromArray, type Vector } from 'apache-arrow';
import { Table as WasmTable, WriterPropertiesBuilder, writeParquet } from 'parquet-wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import { dataError, scratchDir } from '../helpers/io.js';
import { TFDV_REQUIREMENTS } from '../helpers/python-pins.js';
import { DataError, TsfxError } from '../../src/errors.js';
import { ExampleBatchBuilder } from '../../src/io/columns.js';
import { readParquetExamples } from '../../src/io/parquet.js';
import { decoderThread } from '../../src/io/parquet-decoder.js';

const run = promisify(execFile);
const repo = fileURLToPath(new URL('../../', import.meta.url));
const { dir } = scratchDir('tsfx-parquet-');
const at = (name: string) => path.join(dir, name);

/** column -> values, in the fixture script's form */
type Expected = Record<string, Record<string, unknown[]>>;
let expected: Expected;

beforeAll(async () => {
  const venv = await run('bash', [path.join(repo, 'scripts/python-venv.sh'), 'tfdv', ...TFDV_REQUIREMENTS], { cwd: repo, maxBuffer: 64 << 20 });
  const python = venv.stdout.trim().split('\n').pop()!;
  const py = await run(python, [path.join(repo, 'test/io/parquet_fixtures.py'), dir], { maxBuffer: 256 << 20 });
  expected = JSON.parse(py.stdout.trim().split('\n').pop()!) as Expected;
}, 900_000);

async function read(file: string, onProgress?: (bytes: number, rows: number, b: ExampleBatchBuilder) => unknown) {
  const b = new ExampleBatchBuilder();
  await readParquetExamples(file, b, { onProgress: onProgress && ((bytes, rows) => onProgress(bytes, rows, b)) });
  return b.build();
}

/** One value of ours in the fixture script's form. */
function canonical(v: unknown): unknown {
  if (v === null || v === undefined) return null;
  if (typeof v === 'bigint') return String(v);
  if (typeof v === 'number') return Number.isFinite(v) ? v : String(v).replace('Infinity', 'inf');
  if (typeof v === 'string') return Buffer.from(v).toString('hex');
  if (v instanceof Uint8Array) return Buffer.from(v).toString('hex');
  return [...(v as Iterable<unknown>)].map(canonical);
}
const column = (t: Table, name: string) => [...(t.getChild(name) as Vector)].map(canonical);

describe('Parquet reader', () => {
  it('reads every supported type as pyarrow does, nulls as missing values', async () => {
    const { table, features } = await read(at('types.parquet'));
    expect(Object.fromEntries(features.map((f) => [f.name, `${f.kind}/${f.valency}`]))).toEqual({
      i8: 'int/single', i32: 'int/single', i64: 'int/single', u16: 'int/single', u64: 'int/single', flag: 'int/single',
      f32: 'float/single', f64: 'float/single', s: 'bytes/single', bin: 'bytes/single', cat: 'bytes/single',
      day: 'int/single', ts_us: 'int/single', ts_ms_utc: 'int/single', price: 'float/single', empty: 'bytes/single',
    });
    expect(features.map((f) => f.arrowType)).toContain('Float32');
    const want = expected['types.parquet']!;
    for (const name of Object.keys(want)) expect([name, column(table, name)]).toEqual([name, want[name]]);
    // a few by hand, so the mapping itself is pinned, not only the agreement with the script
    expect(column(table, 'ts_us').slice(0, 2)).toEqual(['978307260000', '1']); // 00:00:00.0015 -> 1 ms
    expect(column(table, 'day')[0]).toBe(String(Date.UTC(2024, 0, 2)));
    expect(table.getChild('price')!.get(0)).toBeCloseTo(12.34, 5);
  });

  it('reads lists (empty and null ones too) over several row groups of zstd', async () => {
    const { table, features } = await read(at('lists.parquet'));
    expect(features.map((f) => `${f.name}:${f.kind}/${f.valency}`)).toEqual(['id:int/single', 'ints:int/multi', 'floats:float/multi', 'words:bytes/multi']);
    const want = expected['lists.parquet']!;
    for (const name of Object.keys(want)) expect([name, column(table, name)]).toEqual([name, want[name]]);
    expect(column(table, 'ints').slice(0, 3)).toEqual([null, ['0'], ['0', '1']]);
  });

  it('streams by row group: one progress point per row group, the builder drained between them', async () => {
    const seen: { bytes: number; rows: number; held: number }[] = [];
    const kept: Table[] = [];
    const { table: rest } = await read(at('many.parquet'), (bytes, rows, b) => {
      seen.push({ bytes, rows, held: b.rowCount });
      kept.push(b.drain().table);
    });
    // 11 row groups of 999 rows (the last 10), then the end of the file
    expect(seen.map((s) => s.rows)).toEqual([...Array.from({ length: 10 }, (_, i) => (i + 1) * 999), 10_000, 10_000]);
    expect(Math.max(...seen.map((s) => s.held))).toBe(999);
    expect(seen.at(-1)!.bytes).toBe(fs.statSync(at('many.parquet')).size);
    expect(seen.every((s, i) => i === 0 || s.bytes >= seen[i - 1]!.bytes)).toBe(true);
    expect(rest.numRows).toBe(0);
    const want = expected['many.parquet']!;
    for (const name of Object.keys(want)) {
      expect([name, kept.flatMap((t) => column(t, name))]).toEqual([name, want[name]]);
    }
  });

  it('gives a file with no rows its features', async () => {
    const { table, features } = await read(at('no-rows.parquet'));
    expect(table.numRows).toBe(0);
    expect(features.map((f) => `${f.name}:${f.kind}`)).toEqual(['a:int', 'b:bytes']);
  });

  it("reads what parquet-wasm's own writer writes (snappy, row groups of 4)", async () => {
    const source = new Table({
      n: vectorFromArray([1, 2, null, 4, 5, 6, 7, 8, 9, 10], new Int32()),
      x: vectorFromArray([0.5, 1, 2, 3, null, 5, 6, 7, 8, 9], new Float64()),
      tags: vectorFromArray([['a'], [], null, ['b', 'c'], ['d'], [], [], ['e'], ['f'], ['g']], new List(new Field('item', new Utf8(), true))),
    });
    const props = new WriterPropertiesBuilder().setMaxRowGroupSize(4).build();
    const file = at('js.parquet');
    fs.writeFileSync(file, writeParquet(WasmTable.fromIPCStream(tableToIPC(source, 'stream')), props));
    let groups = 0;
    const { table } = await read(file, () => void groups++);
    expect(groups).toBe(4); // 3 row groups, then the end
    expect(column(table, 'n')).toEqual(['1', '2', null, '4', '5', '6', '7', '8', '9', '10']);
    expect(column(table, 'x')).toEqual([0.5, 1, 2, 3, null, 5, 6, 7, 8, 9]);
    expect(column(table, 'tags')[3]).toEqual(['62', '63']);
    expect(column(table, 'tags')[2]).toBeNull();
  });

  it('refuses a type with no tf.Example form naming file and column', async () => {
    for (const [name, col] of [['struct', 'point'], ['nested', 'nested'], ['time', 'clock']]) {
      const file = at(`${name}.parquet`);
      const err = await dataError(read(file));
      expect(err.message).toContain(file);
      expect(err.message).toContain(`column '${col}'`);
      expect(err.message).toContain('no tf.Example form');
    }
    const holes = await dataError(read(at('null-in-list.parquet')));
    expect(holes.message).toMatch(/row 1: column 'holes': a null inside a list/);
    const big = await dataError(read(at('u64.parquet')));
    expect(big.message).toMatch(/row 1: column 'big': 9223372036854775808 does not fit an int64/);
  });

  it('names the file of what is not Parquet, cut short or with a broken footer', async () => {
    const good = fs.readFileSync(at('many.parquet'));
    const cases: [string, Uint8Array, RegExp][] = [
      ['csv.parquet', Buffer.from('a,b\n1,2\n'), /byte 0: not a Parquet file/],
      ['empty.parquet', new Uint8Array(0), /not a Parquet file/],
      ['cut.parquet', good.subarray(0, good.length >> 1), /truncated Parquet file/],
      ['footer.parquet', Buffer.concat([good.subarray(0, good.length - 200), Buffer.alloc(192, 0x41), good.subarray(good.length - 8)]), /unreadable Parquet footer/],
    ];
    for (const [name, bytes, message] of cases) {
      fs.writeFileSync(at(name), bytes);
      const err = await dataError(read(at(name)));
      expect(err.file).toBe(at(name));
      expect(err.message).toMatch(message);
    }
  });

  it('names the row group of a corrupt page, and a decoder crash fails only that file', async () => {
    for (const name of ['bad-header.parquet', 'bad-page.parquet']) {
      const rows: number[] = [];
      const err = await dataError(read(at(name), (_b, r) => void rows.push(r)));
      expect(err.file).toBe(at(name));
      expect(err.message).toMatch(/row group 4 \(of 11, from 0; rows 3996-4994\): unreadable Parquet data/);
      expect(rows).toEqual([999, 1998, 2997, 3996]); // the row groups before it were read
    }
    // the next file gets a working decoder, and so does one read after the thread is killed
    expect((await read(at('many.parquet'))).table.numRows).toBe(10_000);
    await decoderThread.current?.terminate();
    expect((await read(at('lists.parquet'))).table.numRows).toBe(2500);
  });

  it('does not blame a good file read at the same time as one that crashes the decoder', async () => {
    const [bad, good] = await Promise.allSettled([read(at('bad-header.parquet')), read(at('many.parquet'))]);
    expect(bad.status).toBe('rejected');
    // the crash may come while both are being decoded: then neither is a (non-retryable) DataError
    if (good.status === 'rejected') {
      const err = good.reason as TsfxError;
      expect(err).toBeInstanceOf(TsfxError);
      expect(err).not.toBeInstanceOf(DataError);
      expect(err.retryable).toBe(true);
      expect(err.message).toMatch(/many\.parquet row group \d+ .*while reading other Parquet files too; retrying tells which is corrupt/);
    } else expect(good.value.table.numRows).toBe(10_000);
    // alone, the corrupt file is a DataError again
    await dataError(read(at('bad-header.parquet')));
  });

  it('ends the decoder thread when idle, giving back its memory', async () => {
    await read(at('lists.parquet'));
    expect(decoderThread.current).toBeDefined();
    await new Promise((r) => setTimeout(r, 1500));
    expect(decoderThread.current).toBeUndefined();
    expect((await read(at('lists.parquet'))).table.numRows).toBe(2500);
  });
});
