import v8 from 'node:v8';
import vm from 'node:vm';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DataError } from '../../../src/errors.js';
import { ExamplesDataset, type ExamplesDatasetOptions } from '../../../src/ml/train/dataset.js';
import { prefetch } from '../../../src/ml/train/prefetch.js';
import type { TrainBatch } from '../../../src/ml/train/stepper.js';
import { generateExamples } from './helpers.js';

async function collect(it: AsyncIterable<TrainBatch>, limit = Infinity): Promise<TrainBatch[]> {
  const out: TrainBatch[] = [];
  for await (const b of it) {
    out.push(b);
    if (out.length >= limit) break;
  }
  return out;
}
const ids = (bs: TrainBatch[]) => bs.flatMap((b) => Array.from(b.xs.id!));

async function dataset(extra: Partial<ExamplesDatasetOptions> = {}, rows = 103) {
  const g = await generateExamples({ rows, rowsPerShard: 20, list: true });
  const features = [
    ...g.features,
    { name: 'id', dtype: 'float32' as const, width: 1 },
    { name: 'vec', dtype: 'float32' as const, width: 2 },
  ];
  return new ExamplesDataset({
    uri: g.uri,
    props: g.props,
    split: 'train',
    features,
    label: 'y',
    batchSize: 10,
    ...extra,
  });
}

describe('ExamplesDataset', () => {
  it('hands out every row once per epoch in stored order without a shuffle buffer, the last batch smaller', async () => {
    const ds = await dataset();
    const bs = await collect(ds.epoch(0));
    expect(bs.map((b) => b.rows)).toEqual([10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 3]);
    expect(ds.batchesPerEpoch).toBe(11);
    expect(ids(bs)).toEqual(Array.from({ length: 103 }, (_, i) => i));
    // the list column keeps its row: vec = [id, -id]
    const b = bs[3]!;
    for (let r = 0; r < b.rows; r++)
      expect([b.xs.vec![2 * r], b.xs.vec![2 * r + 1]]).toEqual([b.xs.id![r], -b.xs.id![r]!]);
    // label y = x0 + x1 > 1
    for (let r = 0; r < b.rows; r++) expect(b.ys[r]).toBe(b.xs.x0![r]! + b.xs.x1![r]! > 1 ? 1 : 0);
  });

  it('shuffles deterministically per (seed, epoch) and still covers every row once', async () => {
    const ds = await dataset({ shuffleBuffer: 32, seed: 5 });
    const e0 = ids(await collect(ds.epoch(0)));
    const e0again = ids(await collect(ds.epoch(0)));
    const e1 = ids(await collect(ds.epoch(1)));
    expect(e0).toEqual(e0again);
    expect(e0).not.toEqual(e1);
    expect(e0).not.toEqual([...e0].sort((a, b) => a - b));
    expect([...e0].sort((a, b) => a - b)).toEqual(Array.from({ length: 103 }, (_, i) => i));
    expect([...e1].sort((a, b) => a - b)).toEqual(Array.from({ length: 103 }, (_, i) => i));
    const other = await dataset({ shuffleBuffer: 32, seed: 6 });
    expect(ids(await collect(other.epoch(0)))).not.toEqual(e0);
  });

  it('skipBatches resumes an epoch on exactly the batches it had left; dropRemainder drops the short one', async () => {
    const ds = await dataset({ shuffleBuffer: 16, seed: 3 });
    const full = await collect(ds.epoch(2));
    const rest = await collect(ds.epoch(2, { skipBatches: 4 }));
    expect(ids(rest)).toEqual(ids(full.slice(4)));
    const dropped = await dataset({ dropRemainder: true });
    expect((await collect(dropped.epoch(0))).map((b) => b.rows)).toEqual(Array(10).fill(10));
  });

  it('stream chains data epochs from any global batch (a step budget)', async () => {
    const ds = await dataset({ shuffleBuffer: 16, seed: 3 });
    const e0 = await collect(ds.epoch(0));
    const e1 = await collect(ds.epoch(1));
    const all = [...e0, ...e1];
    expect(ids(await collect(ds.stream(0), 22))).toEqual(ids(all));
    expect(ids(await collect(ds.stream(7), 10))).toEqual(ids(all.slice(7, 17)));
  });

  it('reads an Int64 column as int32 ids and a weight column', async () => {
    const g = await generateExamples({ rows: 30, rowsPerShard: 20, ints: true });
    const features = [
      { name: 'cat', dtype: 'int32' as const, width: 1, cardinality: 5 },
      { name: 'id', dtype: 'float32' as const, width: 1 },
    ];
    const ds = new ExamplesDataset({
      uri: g.uri,
      props: g.props,
      split: 'train',
      features,
      label: 'y',
      weight: 'w',
      batchSize: 8,
    });
    const bs = await collect(ds.epoch(0));
    expect(bs[0]!.xs.cat).toBeInstanceOf(Int32Array);
    expect(bs.flatMap((b) => Array.from(b.xs.cat!))).toEqual(Array.from({ length: 30 }, (_, i) => i % 5));
    expect(bs.flatMap((b) => Array.from(b.weights!))).toEqual(Array.from({ length: 30 }, (_, i) => 1 + (i % 2)));
  });

  it('a split with other rows than its properties say is a DataError; so is a bad batch size', async () => {
    const g = await generateExamples({ rows: 30, rowsPerShard: 20 });
    const props = { ...g.props, rowCounts: { train: 31 } };
    const ds = new ExamplesDataset({
      uri: g.uri,
      props,
      split: 'train',
      features: g.features,
      label: 'y',
      batchSize: 8,
    });
    await expect(collect(ds.epoch(0))).rejects.toThrow(
      /Split-train: split 'train' has 30 rows but its properties say 31/,
    );
    expect(
      () => new ExamplesDataset({ uri: g.uri, props, split: 'train', features: g.features, label: 'y', batchSize: 0 }),
    ).toThrow(/batchSize: must be a positive integer/);
  });

  it('a null label is a DataError naming the shard, the label and the row', async () => {
    const g = await generateExamples({ rows: 50, rowsPerShard: 20, nullLabelAt: 27 });
    const ds = new ExamplesDataset({
      uri: g.uri,
      props: g.props,
      split: 'train',
      features: g.features,
      label: 'y',
      batchSize: 8,
    });
    const err = await collect(ds.epoch(0)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DataError);
    const msg = (err as DataError).message;
    expect(msg).toContain(path.join(g.uri, 'Split-train', 'data-00001-of-00003.arrow'));
    expect(msg).toContain("label 'y' is null");
    expect(msg).toContain('row 10'); // 3 shards of 17 rows: row 27 is row 10 of the second
  });

  it('a label or feature the shards lack, or of the wrong width, is a DataError naming the file and column', async () => {
    const g = await generateExamples({ rows: 30, rowsPerShard: 20, list: true });
    const mk = (o: Partial<ExamplesDatasetOptions>) =>
      new ExamplesDataset({
        uri: g.uri,
        props: g.props,
        split: 'train',
        features: g.features,
        label: 'y',
        batchSize: 8,
        ...o,
      });
    await expect(collect(mk({ label: 'species' }).epoch(0))).rejects.toThrow(
      /data-00000-of-00002\.arrow: label 'species' is not a column of this shard \(it has: x0, x1, id, y, vec\)/,
    );
    await expect(collect(mk({ features: [{ name: 'vec', dtype: 'float32', width: 3 }] }).epoch(0))).rejects.toThrow(
      /row 0: feature 'vec' has 2 values, the model expects 3/,
    );
    await expect(collect(mk({ features: [{ name: 'x0', dtype: 'float32', width: 2 }] }).epoch(0))).rejects.toThrow(
      /feature 'x0' is a scalar column but the model expects 2/,
    );
    expect(() => mk({ split: 'eval' })).toThrow(/unknown split 'eval'/);
  });

  it('memory stays bounded as rows grow (shuffle buffer, one record batch, prefetched batches)', async () => {
    v8.setFlagsFromString('--expose-gc');
    const gc = vm.runInNewContext('gc') as () => void;
    // 8 float features = 36 bytes a row with the label: 1.2M rows are 43 MB of data
    const peak = async (rows: number) => {
      const g = await generateExamples({ rows, rowsPerShard: 50_000, scalars: 8 });
      const ds = new ExamplesDataset({
        uri: g.uri,
        props: g.props,
        split: 'train',
        features: g.features,
        label: 'y',
        batchSize: 256,
        shuffleBuffer: 10_000,
        seed: 1,
        prefetch: 2,
      });
      gc();
      const base = process.memoryUsage();
      let max = 0;
      let n = 0;
      let seen = 0;
      for await (const b of ds.epoch(0)) {
        seen += b.rows;
        if (++n % 200 === 0) {
          gc();
          const m = process.memoryUsage();
          max = Math.max(max, m.heapUsed + m.arrayBuffers - base.heapUsed - base.arrayBuffers);
        }
      }
      expect(seen).toBe(rows);
      return max;
    };
    const small = await peak(200_000);
    const large = await peak(1_200_000);
    // the large set has 36 MB more data; what is held grows by far less than that
    console.log(
      `dataset memory above baseline: ${(small / 1e6).toFixed(1)} MB at 200k rows, ${(large / 1e6).toFixed(1)} MB at 1.2M rows`,
    );
    expect(large - small).toBeLessThan(8e6);
  }, 300_000);
});

describe('prefetch', () => {
  it('makes the next item while the consumer works on the current one', async () => {
    const made: number[] = [];
    async function* source() {
      for (let i = 0; i < 4; i++) {
        await new Promise((r) => setTimeout(r, 5));
        made.push(i);
        yield i;
      }
    }
    const seenWhenGot: number[] = [];
    for await (const v of prefetch(source(), 1)) {
      await new Promise((r) => setTimeout(r, 40)); // a slow step
      seenWhenGot.push(made.length - 1 - v);
    }
    // while item v trained, item v+1 was made (except after the last one)
    expect(seenWhenGot).toEqual([1, 1, 1, 0]);
  });
});
