import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Table } from 'apache-arrow';
import { afterAll, describe, expect, it } from 'vitest';
import { ExampleBatchBuilder } from '../../src/io/columns.js';
import { iterateSplit, readShard, readSplit, shardName, writeShard, writeSplitShards } from '../../src/io/arrow-shards.js';
import { DataError } from '../../src/errors.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsfx-shards-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** rows with an int, a float, a string (sometimes absent) and a multi-valued int feature */
function sampleTable(rows: number): Table {
  const b = new ExampleBatchBuilder();
  for (let i = 0; i < rows; i++) {
    const r = b.beginRow();
    const id = b.column('id', 'int');
    id.present(r);
    id.pushInt(i);
    const x = b.column('x', 'float');
    x.present(r);
    x.pushFloat(i / 4);
    const s = b.column('s', 'bytes');
    if (i % 3) {
      s.present(r);
      s.pushString(`row-${i}`);
    }
    const tags = b.column('tags', 'int');
    tags.present(r);
    for (let k = 0; k < i % 3; k++) tags.pushInt(k);
  }
  return b.build().table;
}

const rowsOf = (t: Table) => t.toArray().map((r) => JSON.stringify(r.toJSON(), (_k, v) => (typeof v === 'bigint' ? `${v}n` : v)));

describe('Arrow shards', () => {
  it('names shards data-00000-of-00004.arrow', () => {
    expect(shardName(0, 4)).toBe('data-00000-of-00004.arrow');
    expect(shardName(12, 100)).toBe('data-00012-of-00100.arrow');
  });

  it('writes a split as several Arrow IPC files and reads them back equal', async () => {
    const table = sampleTable(1000);
    const seen: string[] = [];
    const names = await writeSplitShards(table, path.join(dir, 'ex1'), 'train', { rowsPerShard: 300, onShard: (n) => seen.push(n) });
    expect(names).toEqual(['data-00000-of-00004.arrow', 'data-00001-of-00004.arrow', 'data-00002-of-00004.arrow', 'data-00003-of-00004.arrow']);
    expect(seen).toEqual(names);
    expect(fs.readdirSync(path.join(dir, 'ex1', 'Split-train')).sort()).toEqual(names);
    const first = fs.readFileSync(path.join(dir, 'ex1', 'Split-train', names[0]!));
    expect(first.subarray(0, 6).toString()).toBe('ARROW1');

    const props = { splitNames: ['train'], shards: { train: names } };
    const shards: Table[] = [];
    for await (const { shard, table: t } of iterateSplit(path.join(dir, 'ex1'), props, 'train')) {
      expect(names).toContain(shard);
      shards.push(t);
    }
    // rows spread evenly: 250 each, not 300/300/300/100
    expect(shards.map((t) => t.numRows)).toEqual([250, 250, 250, 250]);
    const back = await readSplit(path.join(dir, 'ex1'), props, 'train');
    expect(back.numRows).toBe(1000);
    expect(back.schema.fields.map((f) => `${f.name}:${f.type}`)).toEqual(table.schema.fields.map((f) => `${f.name}:${f.type}`));
    expect(rowsOf(back)).toEqual(rowsOf(table));
  });

  it('keeps an empty split as one shard holding the schema', async () => {
    const table = sampleTable(5).slice(0, 0);
    const names = await writeSplitShards(table, path.join(dir, 'ex2'), 'eval', { rowsPerShard: 10 });
    expect(names).toEqual(['data-00000-of-00001.arrow']);
    const back = await readShard(path.join(dir, 'ex2', 'Split-eval', names[0]!));
    expect(back.numRows).toBe(0);
    expect(back.schema.fields.map((f) => f.name)).toEqual(['id', 'x', 's', 'tags']);
  });

  it('throws on a split the artifact does not have', async () => {
    await expect(readSplit(dir, { splitNames: ['train'], shards: { train: [] } }, 'test')).rejects.toThrow(/unknown split 'test'/);
  });

  it('never leaves a partial shard under the final name, nor a temp file', async () => {
    const target = path.join(dir, 'ex3', 'Split-train', shardName(0, 1));
    // a directory where the shard should go makes the final rename fail after the data is written
    fs.mkdirSync(path.join(target, 'blocker'), { recursive: true });
    await expect(writeShard(sampleTable(10), target)).rejects.toThrow();
    expect(fs.statSync(target).isDirectory()).toBe(true);
    expect(fs.readdirSync(path.dirname(target))).toEqual([shardName(0, 1)]);
  });

  it('reports a truncated or foreign shard as a DataError naming it', async () => {
    const good = path.join(dir, 'ex4', 'data-00000-of-00001.arrow');
    await writeShard(sampleTable(100), good);
    const bytes = fs.readFileSync(good);
    const cut = path.join(dir, 'ex4', 'cut.arrow');
    fs.writeFileSync(cut, bytes.subarray(0, bytes.length - 20));
    const e1 = await readShard(cut).catch((e: unknown) => e);
    expect(e1).toBeInstanceOf(DataError);
    expect((e1 as Error).message).toContain(cut);
    const foreign = path.join(dir, 'ex4', 'foreign.arrow');
    fs.writeFileSync(foreign, 'id\n1\n');
    await expect(readShard(foreign)).rejects.toThrow(/no ARROW1 magic/);
  });
});
