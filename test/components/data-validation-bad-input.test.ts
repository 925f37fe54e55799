/**
 * Bad input through ExampleGen -> StatisticsGen -> SchemaGen -> ExampleValidator (executors,
 * real CSV / NDJSON / TFRecord files): all-null columns, a column whose kind differs between
 * files or splits, an empty split, a feature only in eval, huge strings, NaN and infinities.
 * Each gives a clear result or a DataError naming the feature, never a crash.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DataError } from '../../src/errors.js';
import { getFeature } from '../../src/schema/index.js';
import { removeTempDirs, tempDir, writeFiles } from './example-gen/helpers.js';
import { exampleGenInto, examplesAndStats, inferSchema, rewriteSchema, validate, writeTfRecord } from './data-validation-chain.js';

afterAll(removeTempDirs);

const failure = (p: Promise<unknown>) => p.then(() => undefined, (e: unknown) => e as Error);

describe('bad input through the data validation chain', () => {
  // TFX's tf.Examples never hold a feature for an empty cell, so TFDV never sees a column that
  // is empty in every row: it is not in the statistics, so not in an inferred schema either
  it('an all-null column: left out of the statistics and the inferred schema, no anomaly', async () => {
    const root = tempDir('null');
    const rows = Array.from({ length: 6 }, (_, i) => ({ x: i, n: null }));
    writeFiles(root, { 'a.csv': `x,n\n${rows.map((r) => `${r.x},`).join('\n')}\n`, 'b.json': JSON.stringify(rows) });
    for (const input of ['a.csv', 'b.json']) {
      const r = await examplesAndStats(root, { input, split: { train: 1 } });
      expect(r.props.features.find((f) => f.name === 'n')).toMatchObject({ kind: 'bytes', valency: 'single' });
      expect(r.stats('train').features.map((f) => f.path.step[0])).toEqual(['x']);
      const { schema, artifact } = await inferSchema(r.statistics, root);
      expect(schema.feature.map((f) => f.name)).toEqual(['x']);
      expect(getFeature(schema, 'n')).toBeUndefined();
      const v = await validate(r.statistics, artifact, root);
      expect(v.props).toEqual({ splitNames: ['train'], anomalyCount: 0, anomalies: { train: [] } });
    }
  });

  it('int in one file and text in another: CSV/NDJSON widen to bytes; TFRecord is a DataError naming the feature', async () => {
    const root = tempDir('kinds');
    writeFiles(root, {
      'csv/a.csv': 'id,c\n1,5\n2,6\n',
      'csv/b.csv': 'id,c\n3,hello\n4,7\n',
      'nd/a.ndjson': '{"c":5}\n{"c":6}\n',
      'nd/b.ndjson': '{"c":"hello"}\n{"c":7}\n',
    });
    // one inference over every text input (as TFX's CSV type inference): the wider kind wins, no value is lost
    for (const input of ['csv/*.csv', 'nd/*.ndjson']) {
      const r = await examplesAndStats(root, { input, split: { train: 1 } });
      expect(r.props.features.find((f) => f.name === 'c')).toMatchObject({ kind: 'bytes', arrowType: 'Utf8' });
      const c = r.feature('train', 'c')!.stringStats!;
      expect(c.unique).toBe(4);
      expect(c.topValues!.map((t) => t.value).sort()).toEqual(['5', '6', '7', 'hello']);
    }
    const given = await examplesAndStats(root, { splits: { train: 'csv/a.csv', eval: 'csv/b.csv' } });
    expect(given.props.features.find((f) => f.name === 'c')?.kind).toBe('bytes');

    // TFRecord carries its own kinds: a clash can't be widened silently
    await writeTfRecord(path.join(root, 'tf/a.tfrecord'), [{ c: { kind: 'int', values: [1] } }]);
    await writeTfRecord(path.join(root, 'tf/b.tfrecord'), [{ c: { kind: 'bytes', values: ['x'] } }]);
    const out = tempDir('never');
    const err = await failure(exampleGenInto(root, { input: 'tf/*.tfrecord' }, out));
    expect(err).toBeInstanceOf(DataError);
    expect(err!.message).toBe(`${path.join(root, 'tf/b.tfrecord')} record 0 at byte 0: feature 'c' is bytes here but was int before`);
    const bySplit = await failure(exampleGenInto(root, { splits: { train: 'tf/a.tfrecord', eval: 'tf/b.tfrecord' } }, out));
    expect(bySplit).toBeInstanceOf(DataError);
    expect(bySplit!.message).toBe("feature 'c' is int in split 'train' but bytes in split 'eval'");
    // both fail while reading, before any shard is written
    expect(fs.readdirSync(out)).toEqual([]);
  });

  it('an empty split: 0 examples and no features (as TFDV on an empty TFRecord), validation says data missing; SchemaGen skips it', async () => {
    const root = tempDir('empty');
    writeFiles(root, { 'tr.csv': 'a,b\n1,x\n2,y\n3,x\n', 'ev.csv': 'a,b\n' });
    const r = await examplesAndStats(root, { splits: { train: 'tr.csv', eval: 'ev.csv' } });
    expect(r.props.rowCounts).toEqual({ train: 3, eval: 0 });
    const ev = r.stats('eval');
    expect(ev.numExamples ?? 0).toBe(0);
    expect(ev.features).toEqual([]);

    const trainOnly = await inferSchema(r.statistics, root, { excludeSplits: ['eval'] });
    const v = await validate(r.statistics, trainOnly.artifact, root);
    expect(v.props.anomalies).toEqual({ train: [], eval: [] });
    // TFDV's data_missing: no examples, so no per-feature verdicts
    expect(v.info('eval')).toMatchObject({ dataMissing: true, anomalyInfo: {} });
    expect(v.info('train').dataMissing ?? false).toBe(false);

    // TFDV's update_schema would deprecate every required feature the empty split lacks;
    // SchemaGen leaves empty splits out of the inference instead (components/schema-gen)
    const both = await inferSchema(r.statistics, root);
    expect(both.schema.feature.map((f) => [f.name, f.lifecycleStage])).toEqual([['a', undefined], ['b', undefined]]);
    // the empty split alone has nothing to infer from
    const evalOnly = await failure(inferSchema(r.statistics, root, { excludeSplits: ['train'] }));
    expect(evalOnly).toBeInstanceOf(DataError);
    expect(evalOnly!.message).toMatch(/every split is empty \(eval\)/);
  });

  it('a feature only in eval data: a schema from train flags SCHEMA_NEW_COLUMN', async () => {
    const root = tempDir('new-col');
    writeFiles(root, { 'tr.csv': 'a,b\n1,x\n2,y\n3,x\n', 'ev.csv': 'a,b,z\n1,x,7\n2,y,8\n' });
    const train = await examplesAndStats(root, { input: 'tr.csv', split: { train: 1 } });
    const { schema, artifact } = await inferSchema(train.statistics, root);
    expect(schema.feature.map((f) => f.name)).toEqual(['a', 'b']);
    const evalData = await examplesAndStats(root, { input: 'ev.csv', split: { eval: 1 } });
    const v = await validate(evalData.statistics, artifact, root);
    expect(v.props.anomalies).toEqual({ eval: ['z:SCHEMA_NEW_COLUMN'] });
    expect(v.info('eval').anomalyInfo.z).toMatchObject({ shortDescription: 'New column', description: 'New column (column in data but not in schema)' });
  });

  // ExampleGen with given split patterns aligns the splits on one schema, so a feature only in
  // eval is an all-null column in train; StatisticsGen leaves it out of train's statistics (as
  // TFDV on TFX's tf.Examples), so a schema from train lacks it and eval flags it
  it('given split patterns, a feature only in eval: a schema from train flags SCHEMA_NEW_COLUMN', async () => {
    const root = tempDir('new-col-splits');
    writeFiles(root, { 'tr.csv': 'a,b\n1,x\n2,y\n3,x\n', 'ev.csv': 'a,b,z\n1,x,7\n2,y,8\n' });
    const r = await examplesAndStats(root, { splits: { train: 'tr.csv', eval: 'ev.csv' } });
    // one Arrow schema for both splits: z is a column of train's shards too, null in every row
    expect(r.props.features.map((f) => f.name)).toEqual(['a', 'b', 'z']);
    expect(r.stats('train').features.map((f) => f.path.step[0])).toEqual(['a', 'b']);
    expect(r.feature('eval', 'z')!.numStats!.commonStats).toMatchObject({ numNonMissing: 2, numMissing: 0 });
    const { schema, artifact } = await inferSchema(r.statistics, root, { excludeSplits: ['eval'] });
    expect(schema.feature.map((f) => f.name)).toEqual(['a', 'b']);
    const v = await validate(r.statistics, artifact, root);
    expect(v.props.anomalies).toEqual({ train: [], eval: ['z:SCHEMA_NEW_COLUMN'] });
    expect(v.info('eval').anomalyInfo.z).toMatchObject({ shortDescription: 'New column' });
  });

  it('huge strings: a 1 MB value and 10k distinct 200-char values, exact lengths, no domain for the wide one', async () => {
    const root = tempDir('huge');
    const big = 'b'.repeat(1 << 20);
    const lines = Array.from({ length: 10_000 }, (_, i) => JSON.stringify({ s: `v${i}`.padEnd(200, '.'), big: i === 0 ? big : 'x' }));
    writeFiles(root, { 'h.ndjson': `${lines.join('\n')}\n` });
    const r = await examplesAndStats(root, { input: 'h.ndjson', split: { train: 1 }, rowsPerShard: 3000 });
    const s = r.feature('train', 's')!.stringStats!;
    expect(s.unique).toBe(10_000);
    expect(s.avgLength).toBeCloseTo(200, 4);
    expect(s.topValues).toHaveLength(20);
    expect(s.topValues!.every((t) => t.frequency === 1 && t.value.length === 200)).toBe(true);
    const b = r.feature('train', 'big')!.stringStats!;
    expect(b.avgLength).toBeCloseTo(((1 << 20) + 9_999) / 10_000, 2);
    expect(b.topValues![0]).toEqual({ value: 'x', frequency: 9_999 });
    expect(b.topValues![1]!.value).toHaveLength(1 << 20);
    const { schema, artifact } = await inferSchema(r.statistics, root);
    expect(getFeature(schema, 's')!.domain).toBeUndefined();
    expect(getFeature(schema, 's')!.stringDomain).toBeUndefined();
    expect(schema.stringDomain?.map((d) => d.name) ?? []).not.toContain('s');
    const v = await validate(r.statistics, artifact, root);
    expect(v.props.anomalyCount).toBe(0);
  }, 60_000);

  it('NaN and infinities in a float column (CSV and TFRecord): counted, TFDV min/max/mean, FLOAT_TYPE_HAS_NAN', async () => {
    const root = tempDir('nan');
    const values = [1.5, NaN, Infinity, -Infinity, 2.5, 0];
    writeFiles(root, { 'f.csv': 'f\n1.5\nnan\ninf\n-inf\n2.5\n0\n' });
    await writeTfRecord(path.join(root, 'f.tfrecord'), values.map((v) => ({ f: { kind: 'float' as const, values: [v] } })));
    for (const input of ['f.csv', 'f.tfrecord']) {
      const r = await examplesAndStats(root, { input, split: { train: 1 } });
      const n = r.feature('train', 'f')!.numStats!;
      expect(n.commonStats).toMatchObject({ numNonMissing: 6, numMissing: 0, totNumValues: 6 });
      expect(n.histograms.map((h) => [h.type, h.numNan])).toEqual([['STANDARD', 1], ['QUANTILES', 1]]);
      // min/max keep the infinities; the mean of +inf and -inf is NaN
      expect(n.min).toBe(-Infinity);
      expect(n.max).toBe(Infinity);
      expect(n.mean).toBeNaN();
      expect(n.numZeros).toBe(1);

      const { schema, artifact, out } = await inferSchema(r.statistics, root);
      getFeature(schema, 'f')!.floatDomain = { disallowNan: true };
      rewriteSchema(out, schema);
      const v = await validate(r.statistics, artifact, root);
      expect(v.props.anomalies).toEqual({ train: ['f:FLOAT_TYPE_HAS_NAN'] });
      expect(v.info('train').anomalyInfo.f).toMatchObject({ shortDescription: 'Invalid values', description: 'Float feature has NaN values.' });
    }
  });
});
