/**
 * ExampleGen streams its input into shards: the output must equal the whole-table reference
 * (same rows, same split, same order, same schema) over many shards, whatever features turn up
 * late or change valency; and every shard of a split is full but the last.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Table } from 'apache-arrow';
import { afterAll, describe, expect, it } from 'vitest';
import type { ExamplesProperties } from '../../../schemas/artifacts.js';
import { readShard } from '../../../src/io/arrow-shards.js';
import { encodeExample, type FeatureValues } from '../../../src/io/tf-example.js';
import { TfRecordWriter } from '../../../src/io/tfrecord.js';
import { canonicalRows, readAllSplits, removeTempDirs, runExampleGen, schemaOf, tempDir, writeFiles } from './helpers.js';
import { referenceExampleGen } from './reference.js';

afterAll(removeTempDirs);

async function writeTfRecord(file: string, rows: Record<string, FeatureValues>[]): Promise<void> {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const w = await TfRecordWriter.open(file);
  for (const r of rows) await w.write(encodeExample(r));
  await w.close();
}

const int = (...values: number[]): FeatureValues => ({ kind: 'int', values });
const float = (...values: number[]): FeatureValues => ({ kind: 'float', values });
const bytes = (...values: (string | Uint8Array)[]): FeatureValues => ({ kind: 'bytes', values });

/** `n` rows from `from`: an id, a float, a label, and an optional feature on some rows */
function rows(from: number, n: number, extra?: (i: number) => Record<string, FeatureValues>): Record<string, FeatureValues>[] {
  return Array.from({ length: n }, (_, k) => {
    const i = from + k;
    return { id: int(i), score: float(i * 0.25), label: bytes(`l${i % 5}`), ...(extra?.(i) ?? {}) };
  });
}

/** Every shard: the final schema, `rowsPerShard` rows but the last; no partial files left. */
async function expectShards(out: string, props: ExamplesProperties, rowsPerShard: number, finalSchema: string[]): Promise<void> {
  for (const split of props.splitNames) {
    const names = props.shards[split]!;
    expect(names.length).toBe(Math.max(1, Math.ceil(props.rowCounts[split]! / rowsPerShard)));
    expect(fs.readdirSync(path.join(out, `Split-${split}`)).sort()).toEqual([...names].sort());
    for (const [i, name] of names.entries()) {
      expect(name).toBe(`data-${String(i).padStart(5, '0')}-of-${String(names.length).padStart(5, '0')}.arrow`);
      const t = await readShard(path.join(out, `Split-${split}`, name));
      expect(schemaOf(t)).toEqual(finalSchema);
      expect(t.batches.length).toBeLessThanOrEqual(1);
      const last = i === names.length - 1;
      expect(t.numRows).toBe(last ? props.rowCounts[split]! - i * rowsPerShard : rowsPerShard);
    }
  }
}

async function expectSameAsReference(
  run: Awaited<ReturnType<typeof runExampleGen>>,
  ref: { tables: Record<string, Table>; features: ExamplesProperties['features'] },
): Promise<Record<string, Table>> {
  expect(run.props.features).toEqual(ref.features);
  expect(run.props.splitNames).toEqual(Object.keys(ref.tables));
  const got = await readAllSplits(run.out, run.props);
  for (const [split, table] of Object.entries(ref.tables)) {
    expect(run.props.rowCounts[split]).toBe(table.numRows);
    expect(schemaOf(got[split]!)).toEqual(schemaOf(table));
    expect(canonicalRows(got[split]!)).toEqual(canonicalRows(table));
  }
  return got;
}

describe('ExampleGen streaming', () => {
  it('hash splits of CSV over many shards equal the whole-table result', async () => {
    const dir = tempDir('st-csv');
    const csv = (from: number, n: number) =>
      ['k,x,y,s', ...Array.from({ length: n }, (_, j) => `${from + j},${(from + j) % 13},${((from + j) * 0.5).toFixed(1)},${j % 9 ? `s${j % 4}` : ''}`)].join('\n') + '\n';
    // more than 10,000 rows in a file: the CSV reader drains the builder several times
    writeFiles(dir, { 'in/a.csv': csv(0, 23_000), 'in/b.csv': csv(23_000, 1_500), 'in/c.csv': csv(24_500, 4_000) });
    const run = await runExampleGen(dir, { input: 'in/*.csv', split: { train: 3, eval: 1, test: 1 }, rowsPerShard: 997 });
    const files = ['a', 'b', 'c'].map((f) => path.join(dir, `in/${f}.csv`));
    const ref = await referenceExampleGen({ files, ratios: { train: 3, eval: 1, test: 1 } });
    await expectSameAsReference(run, ref);
    await expectShards(run.out, run.props, 997, schemaOf(ref.tables.train!));
    expect(run.props.shards.train!.length).toBeGreaterThan(10);
  });

  it('given splits over many shards equal the whole-table result', async () => {
    const dir = tempDir('st-given');
    await writeTfRecord(path.join(dir, 'train/a.tfrecord'), rows(0, 900));
    await writeTfRecord(path.join(dir, 'train/b.tfrecord'), rows(900, 700, (i) => ({ w: float(i, i + 1) })));
    await writeTfRecord(path.join(dir, 'eval/a.tfrecord'), rows(5000, 333, (i) => ({ only_eval: int(i % 3) })));
    const run = await runExampleGen(dir, { splits: { train: 'train/*', eval: 'eval/*' }, rowsPerShard: 128 });
    const ref = await referenceExampleGen({ files: run.resolved.files, splitFiles: run.resolved.splitFiles! });
    await expectSameAsReference(run, ref);
    expect(run.props.features.map((f) => `${f.name}:${f.arrowType}`)).toEqual(['id:Int64', 'score:Float32', 'label:Utf8', 'w:List<Float32>', 'only_eval:Int64']);
    await expectShards(run.out, run.props, 128, schemaOf(ref.tables.train!));
  });

  it('gives a feature first seen in a later file an all-null column of its type in the earlier shards', async () => {
    const dir = tempDir('st-late');
    await writeTfRecord(path.join(dir, 'in/1.tfrecord'), rows(0, 1200));
    await writeTfRecord(path.join(dir, 'in/2.tfrecord'), rows(1200, 800, (i): Record<string, FeatureValues> => (i % 2 ? { late: bytes(`v${i}`) } : {})));
    const files = ['1', '2'].map((f) => path.join(dir, `in/${f}.tfrecord`));
    // the default key hashes every feature, `late` too: the rows of file 1 are placed knowing it
    for (const splitBy of [undefined, ['id']]) {
      const run = await runExampleGen(dir, { input: 'in/*.tfrecord', rowsPerShard: 100, ...(splitBy ? { splitBy } : {}) });
      const ref = await referenceExampleGen({ files, ...(splitBy ? { splitBy } : {}) });
      const got = await expectSameAsReference(run, ref);
      expect(run.props.features.at(-1)).toEqual({ name: 'late', kind: 'bytes', valency: 'single', arrowType: 'Utf8' });
      await expectShards(run.out, run.props, 100, ['id: Int64', 'score: Float32', 'label: Utf8', 'late: Utf8']);
      const first = await readShard(path.join(run.out, 'Split-train', run.props.shards.train![0]!));
      expect([...first.getChild('late')!].every((v) => v === null)).toBe(true);
      expect([...got.train!.getChild('late')!].some((v) => v !== null)).toBe(true);
    }
  });

  it('widens a feature single-valued in early files to a List, and Utf8 to Binary, in every shard', async () => {
    const dir = tempDir('st-valency');
    await writeTfRecord(path.join(dir, 'in/1.tfrecord'), rows(0, 1000, (i) => ({ tags: bytes(`t${i % 7}`), blob: bytes('text') })));
    await writeTfRecord(path.join(dir, 'in/2.tfrecord'), rows(1000, 500, (i) => ({ tags: bytes(...Array.from({ length: i % 3 }, (_, k) => `t${k}`)), blob: bytes(new Uint8Array([0xff, i & 0xff])) })));
    const run = await runExampleGen(dir, { input: 'in/*.tfrecord', rowsPerShard: 64 });
    const ref = await referenceExampleGen({ files: ['1', '2'].map((f) => path.join(dir, `in/${f}.tfrecord`)) });
    const got = await expectSameAsReference(run, ref);
    expect(run.props.features.slice(3)).toEqual([
      { name: 'tags', kind: 'bytes', valency: 'multi', arrowType: 'List<Utf8>' },
      { name: 'blob', kind: 'bytes', valency: 'single', arrowType: 'Binary' },
    ]);
    await expectShards(run.out, run.props, 64, ['id: Int64', 'score: Float32', 'label: Utf8', 'tags: List<Utf8>', 'blob: Binary']);
    // a single value of file 1 is now a one-value list
    const row0 = canonicalRows(got.train!).find((r) => r.startsWith('{"id":"0n"') || r.startsWith('{"id":"1n"'))!;
    expect(row0).toMatch(/"tags":\["t[01]"\]/);
  });

  it('streams 300k rows across files into full shards of a bounded size', async () => {
    const dir = tempDir('st-big');
    for (let f = 0; f < 3; f++) await writeTfRecord(path.join(dir, `in/${f}.tfrecord`), rows(f * 100_000, 100_000, (i): Record<string, FeatureValues> => (i % 4 ? {} : { w: float(i, 1, 2) })));
    const rowsPerShard = 7_000;
    const run = await runExampleGen(dir, { input: 'in/*.tfrecord', rowsPerShard, splitBy: ['id'] });
    const { rowCounts } = run.props;
    expect(rowCounts.train! + rowCounts.eval!).toBe(300_000);
    // 2:1 by hash: 200k expected in train
    expect(Math.abs(rowCounts.train! - 200_000)).toBeLessThan(3_000);
    const schema = ['id: Int64', 'score: Float32', 'label: Utf8', 'w: List<Float32>'];
    await expectShards(run.out, run.props, rowsPerShard, schema);
    // every input row exactly once, in input order within each split
    for (const split of run.props.splitNames) {
      let prev = -1n;
      let n = 0;
      for (const name of run.props.shards[split]!) {
        for (const id of (await readShard(path.join(run.out, `Split-${split}`, name))).getChild('id')!) {
          expect((id as bigint) > prev).toBe(true);
          prev = id as bigint;
          n++;
        }
      }
      expect(n).toBe(rowCounts[split]);
    }
  });
});
