/** ExampleGen on TFRecord files of tf.Example, plain and GZIP, written with tsfx's own TFRecord writer. */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { encodeExample } from '../../../src/io/tf-example.js';
import { TfRecordWriter } from '../../../src/io/tfrecord.js';
import { DataError } from '../../../src/errors.js';
import { canonicalRows, readAllSplits, removeTempDirs, runExampleGen, schemaOf, sorted, tempDir, writeFiles } from './helpers.js';

afterAll(removeTempDirs);

interface Row {
  id: number;
  label: string;
  weights: number[];
  /** absent on some rows */
  age?: number;
}

const rowsOf = (from: number, n: number): Row[] =>
  Array.from({ length: n }, (_, k) => {
    const i = from + k;
    return { id: i, label: `l${i % 3}`, weights: Array.from({ length: i % 4 }, (_, j) => j + 0.5), ...(i % 5 ? { age: i % 90 } : {}) };
  });

async function writeTfRecord(file: string, rows: Row[], compression: 'none' | 'gzip'): Promise<void> {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const w = await TfRecordWriter.open(file, { compression });
  for (const r of rows) {
    await w.write(
      encodeExample({
        id: { kind: 'int', values: [r.id] },
        label: { kind: 'bytes', values: [r.label] },
        weights: { kind: 'float', values: r.weights },
        ...(r.age !== undefined ? { age: { kind: 'int' as const, values: [r.age] } } : {}),
      }),
    );
  }
  await w.close();
}

/** The canonical form ExampleGen's output rows should have, with the columns in `order`. */
function expectedRow(r: Row, order: string[]): string {
  const v: Record<string, unknown> = { id: `${r.id}n`, label: r.label, weights: r.weights, age: r.age === undefined ? null : `${r.age}n` };
  return JSON.stringify(Object.fromEntries(order.map((k) => [k, v[k]])));
}

describe('ExampleGen on TFRecord', () => {
  it('reads plain and GZIP TFRecord files (format by extension) into split shards', async () => {
    const dir = tempDir('tfr');
    await writeTfRecord(path.join(dir, 'in/part-0.tfrecord'), rowsOf(0, 700), 'none');
    await writeTfRecord(path.join(dir, 'in/part-1.gz'), rowsOf(700, 500), 'gzip');
    // gzip behind a .tfrecords extension is sniffed
    await writeTfRecord(path.join(dir, 'in/part-2.tfrecords'), rowsOf(1200, 300), 'gzip');
    const { props, out } = await runExampleGen(dir, { input: 'in/part-*', rowsPerShard: 400 });
    expect(props.rowCounts.train! + props.rowCounts.eval!).toBe(1500);
    expect(props.features).toEqual([
      { name: 'id', kind: 'int', valency: 'single', arrowType: 'Int64' },
      { name: 'label', kind: 'bytes', valency: 'single', arrowType: 'Utf8' },
      { name: 'weights', kind: 'float', valency: 'multi', arrowType: 'List<Float32>' },
      { name: 'age', kind: 'int', valency: 'single', arrowType: 'Int64' },
    ]);
    const splits = await readAllSplits(out, props);
    expect(schemaOf(splits.train!)).toEqual(schemaOf(splits.eval!));
    const order = props.features.map((f) => f.name);
    const got = sorted([...canonicalRows(splits.train!), ...canonicalRows(splits.eval!)]);
    expect(got).toEqual(sorted(rowsOf(0, 1500).map((r) => expectedRow(r, order))));
  });

  it('reads GZIP when told to whatever the extension, and reports a corrupt file as a DataError', async () => {
    const dir = tempDir('tfr-gz');
    await writeTfRecord(path.join(dir, 'data.bin'), rowsOf(0, 10), 'gzip');
    const { props } = await runExampleGen(dir, { input: 'data.bin', format: 'tfrecord-gzip', split: { train: 1 } });
    expect(props.rowCounts).toEqual({ train: 10 });

    writeFiles(dir, { 'bad/x.tfrecord': new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14]) });
    const err = await runExampleGen(dir, { input: 'bad/*.tfrecord' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DataError);
    expect((err as Error).message).toContain(path.join(dir, 'bad/x.tfrecord'));
  });

  it('aligns bytes across given splits: non-UTF-8 values in one split make the column Binary in all', async () => {
    const dir = tempDir('tfr-bin');
    const write = async (file: string, blobs: (Uint8Array | string)[], compression: 'none' | 'gzip') => {
      fs.mkdirSync(path.dirname(file), { recursive: true });
      const w = await TfRecordWriter.open(file, { compression });
      for (const [i, b] of blobs.entries()) await w.write(encodeExample({ i: { kind: 'int', values: [i] }, blob: { kind: 'bytes', values: [b] } }));
      await w.close();
    };
    await write(path.join(dir, 'train/a.tfrecord'), [new Uint8Array([0xff, 0xfe]), 'ok'], 'none');
    await write(path.join(dir, 'eval/a.tfrecord.gz'), ['plain', 'text'], 'gzip');
    const { props, out } = await runExampleGen(dir, { splits: { train: 'train/*', eval: 'eval/*' } });
    expect(props.features.find((f) => f.name === 'blob')).toEqual({ name: 'blob', kind: 'bytes', valency: 'single', arrowType: 'Binary' });
    const splits = await readAllSplits(out, props);
    expect(schemaOf(splits.eval!)).toEqual(schemaOf(splits.train!));
    expect(canonicalRows(splits.train!)).toEqual(['{"i":"0n","blob":"0xfffe"}', `{"i":"1n","blob":"0x${Buffer.from('ok').toString('hex')}"}`]);
    expect(canonicalRows(splits.eval!)).toEqual([
      `{"i":"0n","blob":"0x${Buffer.from('plain').toString('hex')}"}`,
      `{"i":"1n","blob":"0x${Buffer.from('text').toString('hex')}"}`,
    ]);
  });
});
