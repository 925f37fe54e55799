/**
 * Predicting from raw features with the Trainer's real Model folder: the raw eval rows, sent as
 * TF Serving `instances`, come back with the accuracy the Trainer recorded for its last epoch,
 * for a model fed concatenated features (the penguin example) and one fed named inputs (an
 * int32 Embedding input among them). Bad rows are DataErrors naming the instance and feature.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DataError } from '../../src/errors.js';
import { parseSignature, type ModelPredictor } from '../../src/ml/model-predictor.js';
import type { PreprocessingFn } from '../../src/ml/transform/index.js';
import { penguinPreprocessing } from '../components/trainer/helpers.js';
import { removeTempDirs } from '../components/example-gen/helpers.js';
import { predictorOfFolder, trainPenguins, type TrainedPenguins } from '../helpers/penguin-model.js';

afterAll(removeTempDirs);

/** Accuracy of predicted class names against the data's Species. */
function accuracy(names: string[], t: TrainedPenguins): number {
  const species = t.evalRows.map((r) => r.Species);
  return names.filter((n, i) => n === species[i]).length / names.length;
}

describe('model predictor on the penguin MLP (concatenated inputs)', () => {
  let t: TrainedPenguins;
  let p: ModelPredictor;
  beforeAll(async () => {
    t = await trainPenguins();
    p = await predictorOfFolder(t.model);
  }, 120_000);

  it('predicts the raw eval rows with the accuracy the Trainer recorded', async () => {
    expect(p.signature.modelInputs.kind).toBe('concat');
    const out = await p.predictRows(t.evalRows);
    expect(out.rows).toBe(t.evalRows.length);
    expect(out.width).toBe(3);
    expect(out.values).toHaveLength(out.rows * 3);
    // probabilities: every row sums to 1
    for (let r = 0; r < out.rows; r++)
      expect(out.values.slice(r * 3, r * 3 + 3).reduce((a, b) => a + b)).toBeCloseTo(1, 5);
    const recorded = t.properties.final.val_accuracy!;
    expect(recorded).toBeGreaterThan(0.9);
    expect(accuracy(out.classNames!, t)).toBeCloseTo(recorded, 6);
    expect(out.classIds!.map((i) => p.signature.label.classes![i])).toEqual(out.classNames);
  });

  it('gives the same numbers from the columnar batch and from row objects', async () => {
    const rows = await p.predictRows(t.evalRows);
    const batch = await p.predictBatch(t.evalBatch);
    expect(batch.values).toEqual(rows.values);
  });

  it('fills a missing Sex (null) as the transform says, and predicts a single row', async () => {
    const row = { ...t.evalRows[0]!, Sex: null };
    const out = await p.predictRows([row]);
    expect(out.rows).toBe(1);
    expect(p.signature.label.classes).toContain(out.classNames![0]);
  });

  it('names the instance and the raw feature a row lacks', async () => {
    const rows = t.evalRows.slice(0, 3).map((r) => ({ ...r }));
    delete rows[2]!['Island'];
    await expect(p.predictRows(rows)).rejects.toThrow(DataError);
    await expect(p.predictRows(rows)).rejects.toThrow(
      /^instance 2: raw feature 'Island' missing \(the model reads .*Island/,
    );
  });

  it('names the instance and feature of a value of the wrong type', async () => {
    const bad = async (patch: Record<string, unknown>) => {
      const rows = t.evalRows.slice(0, 2).map((r) => ({ ...r }));
      Object.assign(rows[1]!, patch);
      return p.predictRows(rows).then(
        () => 'no error',
        (e: Error) => `${e.name}: ${e.message}`,
      );
    };
    expect(await bad({ 'Body Mass (g)': '4200' })).toBe(
      `DataError: instance 1 feature 'Body Mass (g)': expected a number, got "4200"`,
    );
    expect(await bad({ 'Body Mass (g)': Number.NaN })).toMatch(
      /^DataError: instance 1 feature 'Body Mass \(g\)': NaN is not a finite number/,
    );
    expect(await bad({ Island: 3 })).toBe(`DataError: instance 1 feature 'Island': expected a string, got 3`);
    // Island has no fillMissing: the transform refuses a missing one, naming feature and row
    expect(await bad({ Island: null })).toMatch(/^DataError: feature 'Island' row 1: value is missing/);
    expect(await bad({ Island: ['Dream', 'Biscoe'] })).toMatch(/^DataError: feature 'Island' row 1: has 2 values/);
    await expect(p.predictRows([42 as never])).rejects.toThrow(
      /^instance 0: expected an object keyed by raw feature names/,
    );
  });

  it('refuses a signature that does not parse, naming the file', () => {
    const file = path.join(t.model, 'signature.json');
    const json = JSON.parse(fs.readFileSync(file, 'utf8'));
    expect(() => parseSignature({ ...json, modelInputs: { kind: 'stacked' } }, file)).toThrow(
      new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: not a model signature: .* at modelInputs.kind$`),
    );
  });
});

const islandIds: PreprocessingFn = (f) => ({ ...penguinPreprocessing(f), island: f.vocabulary('Island') });

describe('model predictor on a model with named inputs', () => {
  it('feeds each transformed feature to its input (island as int32 ids) and matches the recorded accuracy', async () => {
    const module = path.resolve('test/fixtures/model-modules/penguin-named.ts');
    const t = await trainPenguins({ module, epochs: 30, batchSize: 16 }, islandIds);
    const p = await predictorOfFolder(t.model);
    expect(p.signature.modelInputs).toMatchObject({ kind: 'named' });
    expect(p.signature.transformedInputs.find((f) => f.name === 'island')).toMatchObject({ dtype: 'int32', width: 1 });
    expect(p.model.inputs.find((i) => i.sourceLayer.name === 'island')!.dtype).toBe('int32');
    const out = await p.predictRows(t.evalRows);
    const recorded = t.properties.final.val_accuracy!;
    expect(recorded).toBeGreaterThan(0.8);
    expect(accuracy(out.classNames!, t)).toBeCloseTo(recorded, 6);
  }, 120_000);
});
