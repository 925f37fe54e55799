import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { ExampleBatchBuilder } from '../../../src/io/columns.js';
import { readJsonExamples } from '../../../src/io/json.js';
import { readCsvExamples } from '../../../src/io/csv.js';
import { DataError, DefinitionError } from '../../../src/errors.js';
import { canonicalRows, readAllSplits, removeTempDirs, runExampleGen, schemaOf, sorted, tempDir, writeFiles } from './helpers.js';

const dataDir = fileURLToPath(new URL('../../../node_modules/vega-datasets/data/', import.meta.url));
const root = tempDir;
afterAll(removeTempDirs);

/** 1000 rows: a user key (50 users), an int, a float, a string that is sometimes empty */
function eventsCsv(n = 1000, offset = 0): string {
  const lines = ['user,clicks,score,channel'];
  for (let i = offset; i < offset + n; i++) lines.push(`u${i % 50},${i},${(i * 0.37).toFixed(2)},${i % 7 ? `c${i % 4}` : ''}`);
  return lines.join('\n') + '\n';
}

async function directRows(read: (b: ExampleBatchBuilder) => Promise<void>) {
  const b = new ExampleBatchBuilder();
  await read(b);
  const { table, features } = b.build();
  return { rows: canonicalRows(table), features };
}

describe('ExampleGen executor', () => {
  it('brings in penguins.json split 2:1 by row hash, rows intact', async () => {
    const run = await runExampleGen(dataDir, { input: 'penguins.json' });
    const { props, out, beats } = run;
    expect(props.splitNames).toEqual(['train', 'eval']);
    expect(props.rowCounts.train! + props.rowCounts.eval!).toBe(344);
    // 2:1 by hash: 229 expected in train, sd ~8.7
    expect(props.rowCounts.train! / 344).toBeGreaterThan(0.55);
    expect(props.rowCounts.train! / 344).toBeLessThan(0.78);
    expect(props.shards).toEqual({ train: ['data-00000-of-00001.arrow'], eval: ['data-00000-of-00001.arrow'] });
    expect(props.inputFingerprint).toBe(run.fingerprint);
    expect(props.span).toBeUndefined();

    const direct = await directRows((b) => readJsonExamples(path.join(dataDir, 'penguins.json'), b));
    expect(props.features).toEqual(direct.features);
    const splits = await readAllSplits(out, props);
    expect(schemaOf(splits.train!)).toEqual(schemaOf(splits.eval!));
    expect(splits.train!.numRows).toBe(props.rowCounts.train);
    expect(sorted([...canonicalRows(splits.train!), ...canonicalRows(splits.eval!)])).toEqual(sorted(direct.rows));

    // heartbeats: byte progress over the files, then one per shard, each ending complete
    const bytes = beats.filter((b) => b.unit === 'bytes');
    expect(bytes.length).toBeGreaterThan(0);
    expect(bytes.at(-1)!.done).toBe(bytes.at(-1)!.total);
    expect(bytes.every((b, i) => i === 0 || b.done! >= bytes[i - 1]!.done!)).toBe(true);
    expect(beats.filter((b) => b.unit === 'shards').map((b) => `${b.done}/${b.total}`)).toEqual(['1/2', '2/2']);
  });

  it('splits deterministically: the same input gives the same rows in each split', async () => {
    const a = await runExampleGen(dataDir, { input: 'penguins.json', split: { train: 3, eval: 1, test: 1 } });
    const b = await runExampleGen(dataDir, { input: 'penguins.json', split: { train: 3, eval: 1, test: 1 } });
    expect(a.props.splitNames).toEqual(['train', 'eval', 'test']);
    const ta = await readAllSplits(a.out, a.props);
    const tb = await readAllSplits(b.out, b.props);
    for (const s of a.props.splitNames) expect(canonicalRows(tb[s]!)).toEqual(canonicalRows(ta[s]!));
    for (const s of a.props.splitNames) {
      const name = a.props.shards[s]![0]!;
      expect(fs.readFileSync(path.join(b.out, `Split-${s}`, name))).toEqual(fs.readFileSync(path.join(a.out, `Split-${s}`, name)));
    }
  });

  it('keeps rows with the same splitBy key in one split', async () => {
    const dir = root('key');
    writeFiles(dir, { 'events.csv': eventsCsv() });
    const { props, out } = await runExampleGen(dir, { input: '*.csv', splitBy: ['user'], rowsPerShard: 100 });
    const splits = await readAllSplits(out, props);
    const splitOfUser = new Map<string, Set<string>>();
    for (const [split, table] of Object.entries(splits)) {
      for (const u of table.getChild('user')!) {
        const set = splitOfUser.get(u as string) ?? new Set();
        set.add(split);
        splitOfUser.set(u as string, set);
      }
    }
    expect(splitOfUser.size).toBe(50);
    expect([...splitOfUser.values()].every((s) => s.size === 1)).toBe(true);
    // with 50 keys both splits get some
    expect(props.rowCounts.train).toBeGreaterThan(0);
    expect(props.rowCounts.eval).toBeGreaterThan(0);
    // rowsPerShard 100 makes several shards per split
    for (const s of props.splitNames) expect(props.shards[s]!.length).toBe(Math.ceil(props.rowCounts[s]! / 100));
  });

  it('reads CSV into several shards per split with one schema, rows equal to the input', async () => {
    const dir = root('csv');
    writeFiles(dir, { 'in/a.csv': eventsCsv(600), 'in/b.csv': eventsCsv(400, 600) });
    const { props, out, beats } = await runExampleGen(dir, { input: 'in/*.csv', rowsPerShard: 150 });
    expect(props.rowCounts.train! + props.rowCounts.eval!).toBe(1000);
    expect(props.features.map((f) => `${f.name}:${f.kind}`)).toEqual(['user:bytes', 'clicks:int', 'score:float', 'channel:bytes']);
    const shardCount = props.shards.train!.length + props.shards.eval!.length;
    expect(shardCount).toBe(Math.ceil(props.rowCounts.train! / 150) + Math.ceil(props.rowCounts.eval! / 150));
    expect(beats.filter((b) => b.unit === 'shards').at(-1)).toMatchObject({ done: shardCount, total: shardCount });
    const splits = await readAllSplits(out, props);
    const direct = [
      ...(await directRows((b) => readCsvExamples(path.join(dir, 'in/a.csv'), b))).rows,
      ...(await directRows((b) => readCsvExamples(path.join(dir, 'in/b.csv'), b))).rows,
    ];
    expect(sorted([...canonicalRows(splits.train!), ...canonicalRows(splits.eval!)])).toEqual(sorted(direct));
    // the empty channel cells stay absent
    expect([...splits.train!.getChild('channel')!].filter((v) => v === null).length).toBeGreaterThan(0);
  });

  it('takes splits as given per folder and aligns their schemas', async () => {
    const dir = root('folders');
    writeFiles(dir, {
      // tags: single-valued here, multi-valued in eval: a List column in both
      'train/1.csv': 'id,score,extra,tags\n1,3,0.5,x\n2,4,,\n',
      'train/2.csv': 'id,score,extra\n3,5,1.5\n',
      'eval/1.jsonl': '{"id": 10, "score": 2.5, "tags": ["a", "b"]}\n{"id": 11, "score": 1, "tags": []}\n',
    });
    const { props, out, resolved } = await runExampleGen(dir, { splits: { train: 'train/*.csv', eval: 'eval/*' } });
    expect(resolved.splitFiles).toEqual({
      train: [path.join(dir, 'train/1.csv'), path.join(dir, 'train/2.csv')],
      eval: [path.join(dir, 'eval/1.jsonl')],
    });
    expect(props.splitNames).toEqual(['train', 'eval']);
    expect(props.rowCounts).toEqual({ train: 3, eval: 2 });
    expect(props.features).toEqual([
      { name: 'id', kind: 'int', valency: 'single', arrowType: 'Int64' },
      // int in the CSVs, 2.5 in the JSON: one inference over all files makes it float everywhere
      { name: 'score', kind: 'float', valency: 'single', arrowType: 'Float32' },
      { name: 'extra', kind: 'float', valency: 'single', arrowType: 'Float32' },
      { name: 'tags', kind: 'bytes', valency: 'multi', arrowType: 'List<Utf8>' },
    ]);
    const splits = await readAllSplits(out, props);
    expect(schemaOf(splits.train!)).toEqual(schemaOf(splits.eval!));
    expect(canonicalRows(splits.train!)).toEqual([
      '{"id":"1n","score":3,"extra":0.5,"tags":["x"]}',
      '{"id":"2n","score":4,"extra":null,"tags":null}',
      '{"id":"3n","score":5,"extra":1.5,"tags":null}',
    ]);
    expect(canonicalRows(splits.eval!)).toEqual([
      '{"id":"10n","score":2.5,"extra":null,"tags":["a","b"]}',
      '{"id":"11n","score":1,"extra":null,"tags":[]}',
    ]);
  });

  it('uses the latest span and version and records them', async () => {
    const dir = root('spans');
    writeFiles(dir, {
      'data/span-1/v-0/a.csv': 'x\n1\n',
      'data/span-2/v-0/a.csv': 'x\n2\n',
      'data/span-2/v-1/a.csv': 'x\n3\n4\n',
      'data/span-2/v-1/b.csv': 'x\n5\n',
    });
    const { props, out } = await runExampleGen(dir, { input: 'data/span-{SPAN}/v-{VERSION}/*.csv', split: { all: 1 } });
    expect(props).toMatchObject({ span: 2, version: 1, splitNames: ['all'], rowCounts: { all: 3 } });
    const { all } = await readAllSplits(out, props);
    expect([...all!.getChild('x')!].sort()).toEqual([3n, 4n, 5n]);
  });

  it('brings in 200k rows of Arrow (flights-200k.arrow) as several shards', async () => {
    const { props, out } = await runExampleGen(dataDir, { input: 'flights-200k.arrow', rowsPerShard: 50_000 });
    expect(props.rowCounts.train! + props.rowCounts.eval!).toBe(200_000);
    expect(props.shards.train!.length).toBe(Math.ceil(props.rowCounts.train! / 50_000));
    expect(props.features.map((f) => f.arrowType)).toEqual(['Int64', 'Int64', 'Float32']);
    const splits = await readAllSplits(out, props);
    let delay = 0n;
    for (const t of Object.values(splits)) for (const v of t.getChild('delay')!) delay += (v as bigint | null) ?? 0n;
    let expected = 0;
    const { tableFromIPC } = await import('apache-arrow');
    for (const v of tableFromIPC(fs.readFileSync(path.join(dataDir, 'flights-200k.arrow'))).getChild('delay')!) expected += (v as number) ?? 0;
    expect(delay).toBe(BigInt(expected));
  });

  it('fails with a DataError naming the file and line of a ragged CSV row', async () => {
    const dir = root('ragged');
    writeFiles(dir, { 'ok.csv': 'a,b\n1,2\n', 'bad.csv': 'a,b\n1,2\n3\n' });
    const err = await runExampleGen(dir, { input: '*.csv' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DataError);
    expect((err as Error).message).toContain(path.join(dir, 'bad.csv'));
    expect((err as Error).message).toContain('line 3');
  });

  it('fails when a feature has different kinds in given splits', async () => {
    const dir = root('conflict');
    const { tableToIPC, tableFromArrays } = await import('apache-arrow');
    writeFiles(dir, { 'train/a.csv': 'x\nabc\n', 'eval/a.arrow': tableToIPC(tableFromArrays({ x: Int32Array.from([1]) }), 'file') });
    const err = await runExampleGen(dir, { splits: { train: 'train/*', eval: 'eval/*' } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DataError);
    expect((err as Error).message).toMatch(/feature 'x' is bytes in split 'train' but int in split 'eval'/);
  });

  it('names an unknown splitBy feature and an unknown extension', async () => {
    const dir = root('misc');
    writeFiles(dir, { 'a.csv': 'a\n1\n', 'b.txt': 'a\n1\n' });
    await expect(runExampleGen(dir, { input: 'a.csv', splitBy: ['nope'] })).rejects.toThrow(/splitBy feature 'nope' is not in the data \(features: a\)/);
    await expect(runExampleGen(dir, { input: 'b.txt' })).rejects.toThrow(/b\.txt: can't tell the format/);
    const ok = await runExampleGen(dir, { input: 'b.txt', format: 'csv', split: { train: 1 } });
    expect(ok.props.rowCounts).toEqual({ train: 1 });
    const typo = await runExampleGen(dir, { input: 'a.csv', columnTypes: { A: 'int' } }).catch((e: unknown) => e);
    expect(typo).toBeInstanceOf(DefinitionError);
    expect((typo as DefinitionError).path).toEqual(['columnTypes', 'A']);
  });

  it('stops when its signal is aborted', async () => {
    const ac = new AbortController();
    ac.abort(new Error('canceled by test'));
    await expect(runExampleGen(dataDir, { input: 'penguins.json' }, { signal: ac.signal })).rejects.toThrow(/canceled by test/);
  });
});
