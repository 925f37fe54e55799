import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  Binary, Bool, DateDay, Decimal, Dictionary, Field, FixedSizeList, Float16, Float64, Int16, Int32, List,
  Struct, Table, TimestampMicrosecond, TimestampMillisecond, Uint64, Utf8, makeData, makeVector, tableFromIPC, tableToIPC,
  vectorFromArray,
} from 'apache-arrow';
import { afterAll, describe, expect, it } from 'vitest';
import { dataError } from '../helpers/io.js';
import { ExampleBatchBuilder } from '../../src/io/columns.js';
import { readArrowExamples } from '../../src/io/arrow-input.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsfx-arrow-in-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
const flightsFile = fileURLToPath(new URL('../../node_modules/vega-datasets/data/flights-200k.arrow', import.meta.url));

async function read(file: string) {
  const b = new ExampleBatchBuilder();
  await readArrowExamples(file, b);
  return b.build();
}


function writeIpc(name: string, table: Table, format: 'file' | 'stream'): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, tableToIPC(table, format));
  return file;
}

describe('Arrow IPC reader', () => {
  const source = tableFromIPC(fs.readFileSync(flightsFile));

  function expectFlights(table: Table) {
    expect(table.numRows).toBe(200_000);
    for (const r of [0, 1, 12_345, 199_999]) {
      expect(table.getChild('delay')!.get(r)).toBe(BigInt(source.getChild('delay')!.get(r) as number));
      expect(table.getChild('distance')!.get(r)).toBe(BigInt(source.getChild('distance')!.get(r) as number));
      expect(table.getChild('time')!.get(r)).toBe(source.getChild('time')!.get(r));
    }
    // sums catch any misplaced row, not just the sampled ones
    const sum = (t: Table, c: string) => {
      let s = 0;
      for (const v of t.getChild(c)!) s += Number(v ?? 0);
      return s;
    };
    expect(sum(table, 'delay')).toBe(sum(source, 'delay'));
    expect(sum(table, 'time')).toBeCloseTo(sum(source, 'time'), 0);
  }

  it('reads the file format: vega-datasets flights-200k.arrow', async () => {
    const { table, features } = await read(flightsFile);
    expect(features).toEqual([
      { name: 'delay', kind: 'int', valency: 'single', arrowType: 'Int64' },
      { name: 'distance', kind: 'int', valency: 'single', arrowType: 'Int64' },
      { name: 'time', kind: 'float', valency: 'single', arrowType: 'Float32' },
    ]);
    expectFlights(table);
  });

  it('reads the stream format of the same data', async () => {
    const file = writeIpc('flights.arrows', source, 'stream');
    expect(fs.readFileSync(file).subarray(0, 6).toString()).not.toBe('ARROW1');
    expectFlights((await read(file)).table);
  });

  it('maps Arrow types onto int, float and bytes, single and multi-valued', async () => {
    const t = new Table({
      i16: vectorFromArray([1, null, -3], new Int16()),
      u64: vectorFromArray([1n, 2n, 3n], new Uint64()),
      f16: vectorFromArray([0.5, 1.5, null], new Float16()),
      f64: vectorFromArray([0.25, 2, 3], new Float64()),
      flag: vectorFromArray([true, false, null], new Bool()),
      day: vectorFromArray([new Date(Date.UTC(2024, 0, 2)), null, new Date(0)], new DateDay()),
      ts: vectorFromArray([1_700_000_000_123, 0, null], new TimestampMillisecond()),
      s: vectorFromArray(['a', null, 'ccc'], new Utf8()),
      cat: vectorFromArray(['x', 'y', 'x'], new Dictionary(new Utf8(), new Int32())),
      bin: vectorFromArray([new Uint8Array([0xff, 0]), new Uint8Array([]), null], new Binary()),
      ints: vectorFromArray([[1, 2], [], null], new List(new Field('item', new Int32(), true))),
      pair: vectorFromArray([[1, 2], [3, 4], [5, 6]], new FixedSizeList(2, new Field('item', new Float64(), true))),
    });
    const file = writeIpc('types.arrow', t, 'file');
    const { table, features } = await read(file);
    const kinds = Object.fromEntries(features.map((f) => [f.name, `${f.kind}/${f.valency}`]));
    expect(kinds).toEqual({
      i16: 'int/single', u64: 'int/single', f16: 'float/single', f64: 'float/single', flag: 'int/single',
      day: 'int/single', ts: 'int/single', s: 'bytes/single', cat: 'bytes/single', bin: 'bytes/single',
      ints: 'int/multi', pair: 'float/multi',
    });
    const col = (n: string) => [...table.getChild(n)!].map((v) => (v !== null && typeof v === 'object' && !(v instanceof Uint8Array) ? [...(v as Iterable<unknown>)] : v));
    expect(col('i16')).toEqual([1n, null, -3n]);
    expect(col('u64')).toEqual([1n, 2n, 3n]);
    expect(col('f16')).toEqual([0.5, 1.5, null]);
    expect(col('flag')).toEqual([1n, 0n, null]);
    expect(col('day')).toEqual([BigInt(Date.UTC(2024, 0, 2)), null, 0n]);
    expect(col('ts')).toEqual([1_700_000_000_123n, 0n, null]);
    expect(col('s')).toEqual(['a', null, 'ccc']);
    expect(col('cat')).toEqual(['x', 'y', 'x']);
    expect(col('bin')).toEqual([new Uint8Array([0xff, 0]), new Uint8Array([]), null]);
    expect(col('ints')).toEqual([[1n, 2n], [], null]);
    expect(col('pair')).toEqual([[1, 2], [3, 4], [5, 6]]);
  });

  it('turns sub-millisecond timestamps into whole milliseconds', async () => {
    const data = makeData({ type: new TimestampMicrosecond(), length: 2, data: new BigInt64Array([1_500n, 2_999n]) });
    const t = new Table({ ts: makeVector(data) });
    const { table } = await read(writeIpc('micro.arrow', t, 'stream'));
    expect([...table.getChild('ts')!]).toEqual([1n, 2n]);
  });

  it('rejects an unsupported column type naming file and column', async () => {
    const struct = new Struct([new Field('a', new Int32(), true)]);
    const t = new Table({ ok: vectorFromArray([1], new Int32()), point: vectorFromArray([{ a: 1 }], struct) });
    const file = writeIpc('struct.arrow', t, 'file');
    const err = await dataError(read(file));
    expect(err.message).toContain(file);
    expect(err.message).toContain("column 'point'");
    const dec = new Table({ price: vectorFromArray([new Uint32Array([1, 0, 0, 0])], new Decimal(2, 10, 128)) });
    expect((await dataError(read(writeIpc('dec.arrow', dec, 'file')))).message).toContain("column 'price'");
  });

  it('rejects a Uint64 past int64 naming the column and row', async () => {
    const t = new Table({ big: vectorFromArray([1n, 2n ** 63n], new Uint64()) });
    const err = await dataError(read(writeIpc('u64.arrow', t, 'file')));
    expect(err.message).toContain("column 'big'");
    expect(err.message).toContain('row 1');
  });

  it('rejects a file that is not Arrow IPC, and a truncated one', async () => {
    const csv = path.join(dir, 'not.arrow');
    fs.writeFileSync(csv, 'a,b\n1,2\n');
    expect((await dataError(read(csv))).message).toMatch(/not an Arrow IPC/);
    const bytes = fs.readFileSync(flightsFile);
    const cut = path.join(dir, 'cut.arrow');
    fs.writeFileSync(cut, bytes.subarray(0, bytes.length >> 1));
    expect((await dataError(read(cut))).message).toContain(cut);
  });
});
