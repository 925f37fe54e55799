/**
 * TensorFlow interop, both ways, against real TensorFlow in a cached venv:
 * (a) files tsfx writes are read by tf.data.TFRecordDataset + tf.train.Example / tf.io.parse_example;
 * (b) files tf.io.TFRecordWriter writes (plain and GZIP) are read by tsfx.
 * Values are compared exactly: int64 as decimal strings, floats as float32 bits, bytes as hex.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Field, Float32, Float64, Int64, List, Table, Utf8, Binary, vectorFromArray, type Data } from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExampleBatchBuilder } from '../../src/io/columns.js';
import { encodeExample, examplesToTfRecord, readTfRecordExamples, type FeatureValues } from '../../src/io/tf-example.js';
import { TfRecordWriter } from '../../src/io/tfrecord.js';
import { TF_REQUIREMENTS } from '../helpers/python-pins.js';

const run = promisify(execFile);
const repo = fileURLToPath(new URL('../../', import.meta.url));
const here = fileURLToPath(new URL('.', import.meta.url));
/** the TensorFlow the interop is checked against; bench/tfrecord-ingest.ts uses the same venv */

type Kind = 'int' | 'float' | 'bytes';
type Canonical = Record<string, { kind: Kind | null; values: (string | number)[] }>;

let python: string;
let dir: string;

beforeAll(async () => {
  const { stdout } = await run('bash', [path.join(repo, 'scripts/python-venv.sh'), 'tf', ...TF_REQUIREMENTS], {
    cwd: repo,
    maxBuffer: 64 << 20,
  });
  python = stdout.trim().split('\n').pop()!;
  dir = await mkdtemp(path.join(tmpdir(), 'tsfx-tf-interop-'));
}, 20 * 60_000);

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function py<T>(script: string, ...args: string[]): Promise<T> {
  const { stdout } = await run(python, [path.join(here, script), ...args], {
    cwd: here,
    maxBuffer: 256 << 20,
    env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: '3', CUDA_VISIBLE_DEVICES: '' },
  });
  return JSON.parse(stdout.trim().split('\n').pop()!) as T;
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);
const bits = (v: number): number => ((f32[0] = v), u32[0]!);
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

function canonicalValues(f: FeatureValues): (string | number)[] {
  const vs = Array.from(f.values as ArrayLike<unknown>);
  if (f.kind === 'int') return vs.map((v) => String(v));
  if (f.kind === 'float') return vs.map((v) => bits(v as number));
  return vs.map((v) => hex(typeof v === 'string' ? Buffer.from(v) : (v as Uint8Array)));
}

const canonical = (row: Record<string, FeatureValues>): Canonical =>
  Object.fromEntries(Object.entries(row).map(([k, f]) => [k, { kind: f.kind, values: canonicalValues(f) }]));

/** A tsfx table back in canonical form, read from the raw Arrow buffers (bit-exact floats). */
function tableToCanonical(table: Table, features: { name: string; kind: Kind }[]): Canonical[] {
  const rows: Canonical[] = Array.from({ length: table.numRows }, () => ({}));
  for (const { name, kind } of features) {
    const data = table.getChild(name)!.data[0]!;
    const list = data.children.length === 1;
    const values: Data = list ? data.children[0]! : data;
    const one = (j: number): string | number => {
      if (kind === 'int') return String((values.values as BigInt64Array)[j]);
      if (kind === 'float') return new Uint32Array((values.values as Float32Array).buffer, (values.values as Float32Array).byteOffset)[j]!;
      const o = values.valueOffsets as Int32Array;
      return hex((values.values as Uint8Array).subarray(o[j], o[j + 1]));
    };
    for (let i = 0; i < table.numRows; i++) {
      if (!data.getValid(i)) continue;
      const [from, to] = list ? [(data.valueOffsets as Int32Array)[i]!, (data.valueOffsets as Int32Array)[i + 1]!] : [i, i + 1];
      const vs: (string | number)[] = [];
      for (let j = from; j < to; j++) vs.push(one(j));
      rows[i]![name] = { kind, values: vs };
    }
  }
  return rows;
}

const NAN_PAYLOAD = new Float32Array(new Uint32Array([0x7fc12345]).buffer)[0]!;

function tsfxRows(): Record<string, FeatureValues>[] {
  const rows: Record<string, FeatureValues>[] = [
    {
      id: { kind: 'int', values: [0] },
      big: { kind: 'int', values: [2n ** 63n - 1n, -(2n ** 63n), 2n ** 53n + 1n, -1n, 0n] },
      score: { kind: 'float', values: [0.5] },
      vec: { kind: 'float', values: [NaN, Infinity, -Infinity, -0, 1e-45, 3.4028234663852886e38, NAN_PAYLOAD] },
      name: { kind: 'bytes', values: ['héllo'] },
      blob: { kind: 'bytes', values: [Uint8Array.from([0xff, 0x00, 0xc3, 0x28, 0x80]), new Uint8Array(0)] },
    },
    { id: { kind: 'int', values: [1] }, big: { kind: 'int', values: [] }, vec: { kind: 'float', values: [] }, blob: { kind: 'bytes', values: [] } },
    { id: { kind: 'int', values: [2] } },
  ];
  for (let i = 3; i < 500; i++) {
    rows.push({
      name: { kind: 'bytes', values: [`row-${i}`, 'ü'.repeat(i % 3)] },
      id: { kind: 'int', values: [i] },
      big: { kind: 'int', values: [BigInt(-i) * 1_000_000_007n, BigInt(i) << 40n] },
      vec: { kind: 'float', values: Array.from({ length: i % 5 }, (_, k) => i / 3 + k) },
      ...(i % 4 ? { score: { kind: 'float' as const, values: [i / 7] } } : {}),
    });
  }
  return rows;
}

const SPEC = { id: 'int', big: 'int', score: 'float', vec: 'float', name: 'bytes', blob: 'bytes' };

describe('TensorFlow reads what tsfx writes', () => {
  const rows = tsfxRows();
  const expected = rows.map(canonical);
  // tf.io.parse_example with VarLenFeature can't tell missing from empty
  const expectedParsed = expected.map((r) => Object.fromEntries(Object.keys(SPEC).map((k) => [k, r[k]?.values ?? []])));

  for (const compression of ['none', 'gzip'] as const) {
    it(`tf.data + tf.train.Example / parse_example read a tsfx ${compression} TFRecord exactly`, async () => {
      const file = path.join(dir, `tsfx-${compression}.tfrecord`);
      const w = await TfRecordWriter.open(file, { compression });
      for (const r of rows) await w.write(encodeExample(r));
      await w.close();
      const got = await py<{ proto: Canonical[]; parsed: Record<string, unknown[]>[] }>(
        'tf_read_examples.py', file, compression === 'gzip' ? 'GZIP' : '', JSON.stringify(SPEC),
      );
      expect(got.proto).toEqual(expected);
      expect(got.parsed).toEqual(expectedParsed);
    });
  }

  it('tf reads an Arrow table exported with examplesToTfRecord', async () => {
    const table = new Table({
      id: vectorFromArray([1n, -(2n ** 63n), 2n ** 53n + 1n], new Int64()),
      x: vectorFromArray([0.1, null, -2.5], new Float64()),
      s: vectorFromArray(['a', 'ü', null], new Utf8()),
      bin: vectorFromArray([Uint8Array.from([0xff, 0xfe]), null, new Uint8Array(0)], new Binary()),
      v: vectorFromArray([[1.5, 2.5], [], null], new List(new Field('item', new Float32(), true))),
    });
    const file = path.join(dir, 'arrow.tfrecord.gz');
    await examplesToTfRecord(table, file, { compression: 'gzip' });
    const got = await py<{ proto: Canonical[] }>('tf_read_examples.py', file, 'GZIP', JSON.stringify({ id: 'int', x: 'float', s: 'bytes', bin: 'bytes', v: 'float' }));
    expect(got.proto).toEqual([
      { id: { kind: 'int', values: ['1'] }, x: { kind: 'float', values: [bits(0.1)] }, s: { kind: 'bytes', values: [hex(Buffer.from('a'))] },
        bin: { kind: 'bytes', values: ['fffe'] }, v: { kind: 'float', values: [bits(1.5), bits(2.5)] } },
      { id: { kind: 'int', values: [String(-(2n ** 63n))] }, s: { kind: 'bytes', values: [hex(Buffer.from('ü'))] }, v: { kind: 'float', values: [] } },
      { id: { kind: 'int', values: [String(2n ** 53n + 1n)] }, x: { kind: 'float', values: [bits(-2.5)] }, bin: { kind: 'bytes', values: [''] } },
    ]);
  });
});

describe('tsfx reads what TensorFlow writes', () => {
  it('tf.io.TFRecordWriter files, plain and GZIP, decode to the same values', async () => {
    const plain = path.join(dir, 'tf.tfrecord');
    const gz = path.join(dir, 'tf.tfrecord.gz');
    const expected = await py<Canonical[]>('tf_write_examples.py', plain, gz);
    expect(expected.length).toBe(300);
    for (const file of [plain, gz]) {
      const builder = new ExampleBatchBuilder();
      const res = await readTfRecordExamples(file, builder);
      expect(res.records).toBe(expected.length);
      const { table, features } = builder.build();
      const kinds = Object.fromEntries(features.map((f) => [f.name, f.kind]));
      // a Feature with no kind is present-and-empty in a column whose kind is known
      const want = expected.map((r) =>
        Object.fromEntries(Object.entries(r).map(([k, v]) => [k, v.kind === null ? { kind: kinds[k], values: [] } : v])),
      );
      expect(tableToCanonical(table, features)).toEqual(want);
    }
  });
});
