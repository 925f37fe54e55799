import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  Binary, Field, Float32, Float64, Int32, Int64, List, Table, Utf8, vectorFromArray, type DataType,
} from 'apache-arrow';
import protobuf from 'protobufjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DataError } from '../../src/errors.js';
import { ExampleBatchBuilder } from '../../src/io/columns.js';
import { decodeExampleInto, encodeExample, examplesToTfRecord, readTfRecordExamples, type FeatureValues } from '../../src/io/tf-example.js';
import { TfRecordWriter, readTfRecords } from '../../src/io/tfrecord.js';

const protoDir = fileURLToPath(new URL('../../schemas/proto/', import.meta.url));
let Example: protobuf.Type;
/** the same messages with packed = false, to produce unpacked repeated fields */
let UnpackedExample: protobuf.Type;
let dir: string;

beforeAll(async () => {
  const root = await protobuf.load(path.join(protoDir, 'example.proto'));
  Example = root.lookupType('tensorflow.Example');
  // the same .proto text with packed = false, parsed into a second root
  const unpacked = new protobuf.Root();
  const feature = await readFile(path.join(protoDir, 'feature.proto'), 'utf8');
  expect(feature).toContain('[packed = true]');
  protobuf.parse(feature.replaceAll('[packed = true]', '[packed = false]'), unpacked);
  protobuf.parse(await readFile(path.join(protoDir, 'example.proto'), 'utf8'), unpacked);
  unpacked.resolveAll();
  UnpackedExample = unpacked.lookupType('tensorflow.Example');
  dir = await mkdtemp(path.join(tmpdir(), 'tsfx-tfexample-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const BIN = Uint8Array.from([0xff, 0x00, 0xc3, 0x28, 0x80]); // not UTF-8
const NAN_PAYLOAD = new Float32Array(new Uint32Array([0x7fc12345]).buffer)[0]!;

/** rows covering the awkward cases: multi-valued, empty lists, missing features, extremes */
const ROWS: Record<string, FeatureValues>[] = [
  {
    id: { kind: 'int', values: [1] },
    big: { kind: 'int', values: [2n ** 63n - 1n, -(2n ** 63n), 2n ** 53n + 1n, -1n, 0n] },
    score: { kind: 'float', values: [0.5] },
    vec: { kind: 'float', values: [NaN, Infinity, -Infinity, -0, 1e-45, 3.4028234663852886e38] },
    name: { kind: 'bytes', values: ['héllo'] },
    blob: { kind: 'bytes', values: [BIN, new Uint8Array(0)] },
  },
  {
    id: { kind: 'int', values: [-2] },
    big: { kind: 'int', values: [] },
    score: { kind: 'float', values: [1.25] },
    vec: { kind: 'float', values: [] },
    name: { kind: 'bytes', values: [''] },
    blob: { kind: 'bytes', values: [] },
  },
  { id: { kind: 'int', values: [3] } }, // everything else missing
  {
    // a different feature order, to defeat the name prediction
    blob: { kind: 'bytes', values: [Uint8Array.from([1, 2, 3])] },
    name: { kind: 'bytes', values: ['ü', 'x'] },
    vec: { kind: 'float', values: [NAN_PAYLOAD] },
    id: { kind: 'int', values: [2 ** 40] },
  },
];

function decodeAll(bufs: Uint8Array[]): Table {
  const b = new ExampleBatchBuilder();
  bufs.forEach((buf, i) => decodeExampleInto(b, buf, 0, buf.length, 'mem', `record ${i}`));
  return b.build().table;
}

/** the table as plain JSON-able values: bigint -> string, bytes -> number[], lists -> arrays */
function plain(t: Table): Record<string, unknown[]> {
  const conv = (v: unknown): unknown => {
    if (v === null || v === undefined) return null;
    if (typeof v === 'bigint') return v.toString();
    if (typeof v === 'number') return Object.is(v, -0) ? '-0' : Number.isNaN(v) ? 'NaN' : v;
    if (v instanceof Uint8Array) return [...v];
    if (typeof v === 'object' && v && 'toArray' in v) return [...(v as unknown as Iterable<unknown>)].map(conv);
    return v;
  };
  const out: Record<string, unknown[]> = {};
  for (const f of t.schema.fields) out[f.name] = [...t.getChild(f.name)!].map(conv);
  return out;
}

describe('tf.Example codec', () => {
  it('decodes what it encodes: kinds, lists, empties, missing features, extremes', () => {
    const t = decodeAll(ROWS.map(encodeExample));
    expect(t.numRows).toBe(4);
    expect(String(t.schema.fields.find((f) => f.name === 'id')!.type)).toBe('Int64');
    expect(String(t.schema.fields.find((f) => f.name === 'blob')!.type)).toBe('List<Binary>');
    expect(String(t.schema.fields.find((f) => f.name === 'name')!.type)).toBe('List<Utf8>');
    expect(plain(t)).toEqual({
      id: ['1', '-2', '3', String(2 ** 40)],
      big: [[String(2n ** 63n - 1n), String(-(2n ** 63n)), String(2n ** 53n + 1n), '-1', '0'], [], null, null],
      score: [0.5, 1.25, null, null],
      vec: [['NaN', Infinity, -Infinity, '-0', Math.fround(1e-45), 3.4028234663852886e38], [], null, ['NaN']],
      name: [['héllo'], [''], null, ['ü', 'x']],
      blob: [[[0xff, 0, 0xc3, 0x28, 0x80], []], [], null, [[1, 2, 3]]],
    });
    // float bits survive exactly, NaN payload included
    const vec = t.getChild('vec')!.data[0]!.children[0]!.values as Float32Array;
    expect(new Uint32Array(vec.buffer, vec.byteOffset, vec.length).at(-1)).toBe(0x7fc12345);
  });

  it('agrees with a reflection-based protobuf decoder on the same bytes', () => {
    for (const row of ROWS) {
      const msg = Example.toObject(Example.decode(encodeExample(row)), { longs: String, oneofs: true });
      for (const [name, f] of Object.entries(row)) {
        const feat = msg.features.feature[name];
        const key = { int: 'int64List', float: 'floatList', bytes: 'bytesList' }[f.kind];
        expect(feat.kind).toBe(key);
        const got = feat[key].value ?? [];
        const want = Array.from(f.values as ArrayLike<unknown>, (v) =>
          f.kind === 'int' ? String(v) : f.kind === 'float' ? Math.fround(v as number) : Buffer.from(v as string),
        );
        expect(got.map((v: unknown) => (v instanceof Uint8Array ? Buffer.from(v) : v))).toEqual(want);
      }
    }
  });

  it('decodes protobufjs-written Examples, packed and unpacked, to the same table', () => {
    const objs = ROWS.map((row) => ({
      features: {
        feature: Object.fromEntries(
          Object.entries(row).map(([k, f]) => {
            const values = Array.from(f.values as ArrayLike<unknown>, (v) => (typeof v === 'bigint' ? v.toString() : typeof v === 'string' ? Buffer.from(v) : v));
            return [k, { [{ int: 'int64List', float: 'floatList', bytes: 'bytesList' }[f.kind]]: { value: values } }];
          }),
        ),
      },
    }));
    const ours = plain(decodeAll(ROWS.map(encodeExample)));
    const packed = objs.map((o) => Example.encode(Example.fromObject(o)).finish());
    const unpacked = objs.map((o) => UnpackedExample.encode(UnpackedExample.fromObject(o)).finish());
    // the unpacked writer really did write unpacked fields (tag 0x0d: float field 1, fixed32)
    expect(Buffer.from(unpacked[0]!).includes(Buffer.from([0x0d]))).toBe(true);
    expect(Buffer.compare(Buffer.from(packed[0]!), Buffer.from(unpacked[0]!))).not.toBe(0);
    expect(plain(decodeAll(packed))).toEqual(ours);
    expect(plain(decodeAll(unpacked))).toEqual(ours);
  });

  it('a feature whose kind changes between records is a DataError naming the feature and record', () => {
    const b = new ExampleBatchBuilder();
    decodeExampleInto(b, encodeExample({ x: { kind: 'int', values: [1] } }), 0, undefined, 'f.tfrecord', 'record 0');
    expect(() => decodeExampleInto(b, encodeExample({ x: { kind: 'float', values: [1] } }), 0, undefined, 'f.tfrecord', 'record 1')).toThrow(
      /f\.tfrecord record 1: feature 'x' is float here but was int before/,
    );
  });

  it('follows protobuf semantics for odd but valid messages', () => {
    const b = new ExampleBatchBuilder();
    // a Feature with no kind: present and empty once the column exists, skipped before that
    const noKind = (name: string) => Example.encode(Example.fromObject({ features: { feature: { [name]: {} } } })).finish();
    decodeExampleInto(b, noKind('k'));
    expect(b.hasColumn('k')).toBe(false);
    decodeExampleInto(b, encodeExample({ k: { kind: 'float', values: [1, 2] } }));
    decodeExampleInto(b, noKind('k'));
    // a repeated map key: the last entry wins
    const first = encodeExample({ k: { kind: 'float', values: [7] } });
    const second = encodeExample({ k: { kind: 'float', values: [8, 9] } });
    const both = Buffer.concat([first, second]); // concatenated messages merge: two entries for 'k'
    decodeExampleInto(b, both);
    // unknown fields at every level are skipped
    const withUnknown = Buffer.concat([Buffer.from([0x18, 0x96, 0x01, 0x22, 0x02, 0x61, 0x62]), encodeExample({ k: { kind: 'float', values: [5] } })]);
    decodeExampleInto(b, withUnknown);
    expect(plain(b.build().table).k).toEqual([null, [1, 2], [], [8, 9], [5]]);
  });

  it('keeps what it learnt of a feature across files decoded into one builder', () => {
    const b = new ExampleBatchBuilder();
    decodeExampleInto(b, encodeExample({ k: { kind: 'int', values: [1] } }), 0, undefined, 'a.tfrecord');
    const noKind = Example.encode(Example.fromObject({ features: { feature: { k: {} } } })).finish();
    decodeExampleInto(b, noKind, 0, undefined, 'b.tfrecord');
    expect(plain(b.build().table).k).toEqual([['1'], []]);
  });

  it('types bytes as Utf8 only when every value is valid UTF-8 on its own', () => {
    // 0xc3 0xa9 is 'é': valid when concatenated, invalid as two separate values
    const split = decodeAll([encodeExample({ s: { kind: 'bytes', values: [Uint8Array.of(0xc3), Uint8Array.of(0xa9)] } })]);
    expect(String(split.schema.fields[0]!.type)).toBe('List<Binary>');
    const whole = decodeAll([encodeExample({ s: { kind: 'bytes', values: ['é', '', 'x'] } })]);
    expect(String(whole.schema.fields[0]!.type)).toBe('List<Utf8>');
  });

  it('malformed bytes are a DataError naming the file and record', () => {
    const good = encodeExample({ a: { kind: 'bytes', values: ['abcdef'] } });
    const b = new ExampleBatchBuilder();
    expect(() => decodeExampleInto(b, good.subarray(0, good.length - 3), 0, undefined, 'x.tfrecord', 'record 9')).toThrow(
      /x\.tfrecord record 9: malformed tf\.Example/,
    );
    expect(() => decodeExampleInto(b, Uint8Array.from([0x0f]), 0, undefined, 'x.tfrecord', 'record 10')).toThrow(DataError);
  });
});

describe('readTfRecordExamples', () => {
  it('reads a TFRecord file of Examples into a table, with progress', async () => {
    const file = path.join(dir, 'ex.tfrecord.gz');
    const w = await TfRecordWriter.open(file, { compression: 'gzip' });
    const n = 5000;
    for (let i = 0; i < n; i++) {
      await w.write(encodeExample({
        i: { kind: 'int', values: [i] },
        f: { kind: 'float', values: i % 3 ? [i / 2] : [] },
        s: { kind: 'bytes', values: [`row-${i}`] },
        ...(i % 2 ? { odd: { kind: 'int', values: [-i] } } : {}),
      }));
    }
    await w.close();
    const b = new ExampleBatchBuilder();
    let last: [number, number] = [0, 0];
    const res = await readTfRecordExamples(file, b, { chunkSize: 32768, onProgress: (bytes, records) => (last = [bytes, records]) });
    expect(res.records).toBe(n);
    expect(last).toEqual([res.bytes, n]);
    const { table, features } = b.build();
    expect(features.map((f) => [f.name, f.kind, f.valency])).toEqual([
      ['i', 'int', 'single'], ['f', 'float', 'multi'], ['s', 'bytes', 'single'], ['odd', 'int', 'single'],
    ]);
    expect(table.getChild('i')!.get(4321)).toBe(4321n);
    expect(table.getChild('s')!.get(4321)).toBe('row-4321');
    expect(table.getChild('odd')!.get(4321)).toBe(-4321n);
    expect(table.getChild('odd')!.get(4320)).toBe(null);
    expect([...table.getChild('f')!.get(3)!]).toEqual([]);
    expect([...table.getChild('f')!.get(4)!]).toEqual([2]);
  });

  it('a kind conflict in a file names the file, feature and record', async () => {
    const file = path.join(dir, 'conflict.tfrecord');
    const w = await TfRecordWriter.open(file);
    await w.write(encodeExample({ a: { kind: 'int', values: [1] } }));
    await w.write(encodeExample({ a: { kind: 'int', values: [2] } }));
    await w.write(encodeExample({ a: { kind: 'bytes', values: ['x'] } }));
    await w.close();
    const err = await readTfRecordExamples(file, new ExampleBatchBuilder()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DataError);
    expect((err as Error).message).toMatch(new RegExp(`${file} record 2 at byte \\d+: feature 'a' is bytes here but was int before`));
  });
});

describe('examplesToTfRecord', () => {
  it('writes Arrow rows (scalars, lists, nulls, several batches) that read back the same', async () => {
    const listOf = (t: DataType) => new List(new Field('item', t, true));
    const part = (base: number) =>
      new Table({
        id: vectorFromArray([BigInt(base), -(2n ** 62n), 2n ** 53n + 1n], new Int64()),
        i32: vectorFromArray([base, -5, 7], new Int32()),
        x: vectorFromArray([1.5, null, 3], new Float64()),
        s: vectorFromArray(['a', null, 'ü'], new Utf8()),
        bin: vectorFromArray([BIN, Uint8Array.from([1]), null], new Binary()),
        tags: vectorFromArray([['a', 'b'], [], null], listOf(new Utf8())),
        vals: vectorFromArray([[1, 2, 3], null, [0.25]], listOf(new Float32())),
      });
    const table = part(10).concat(part(20));
    expect(table.batches.length).toBe(2);
    const file = path.join(dir, 'export.tfrecord.gz');
    const res = await examplesToTfRecord(table, file, { compression: 'gzip' });
    expect(res.records).toBe(6);
    const b = new ExampleBatchBuilder();
    await readTfRecordExamples(file, b);
    const back = plain(b.build().table);
    const rows = (base: number) => ({
      id: [String(base), String(-(2n ** 62n)), String(2n ** 53n + 1n)],
      i32: [String(base), '-5', '7'],
      x: [1.5, null, 3],
      s: ['a', null, 'ü'],
      bin: [[0xff, 0, 0xc3, 0x28, 0x80], [1], null],
      tags: [['a', 'b'], [], null],
      vals: [[1, 2, 3], null, [0.25]],
    });
    const a = rows(10);
    const c = rows(20);
    expect(back).toEqual(Object.fromEntries(Object.keys(a).map((k) => [k, [...a[k as keyof typeof a], ...c[k as keyof typeof c]]])));
    // and a reflection decoder sees the same first record
    const first: Uint8Array[] = [];
    for await (const r of readTfRecords(file)) first.push(r.data);
    const msg = Example.toObject(Example.decode(first[1]!), { longs: String });
    expect(Object.keys(msg.features.feature).sort()).toEqual(['bin', 'i32', 'id', 'tags']);
    expect(msg.features.feature.tags.bytesList.value ?? []).toEqual([]);
    expect(msg.features.feature.id.int64List.value).toEqual([String(-(2n ** 62n))]);
  });

  it('refuses a null inside a list and types tf.Example cannot hold', async () => {
    const withNull = new Table({ v: vectorFromArray([[1, null]], new List(new Field('item', new Int32(), true))) });
    await expect(examplesToTfRecord(withNull, path.join(dir, 'n.tfrecord'))).rejects.toThrow(/column 'v' has a null inside a list/);
    await expect(examplesToTfRecord(new Table({ d: vectorFromArray([new Date(0)]) }), path.join(dir, 'd.tfrecord'))).rejects.toThrow(/column 'd' has Arrow type/);
  });
});
