/**
 * Bad input to the Evaluator fails at once, naming what is wrong: a label column the Examples
 * lack, an unknown slice feature or weight column, a split they do not have (DefinitionError
 * from the driver); a row with a missing label, or a label that is not one of the Model's
 * classes (DataError naming the shard and row).
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InputArtifact } from '../../../src/dsl/component.js';
import { DataError, DefinitionError } from '../../../src/errors.js';
import { removeTempDirs, runExampleGen, tempDir } from '../example-gen/helpers.js';
import { runTrainer, transformedPenguins } from '../trainer/helpers.js';
import { found, runEvaluator } from './helpers.js';

const penguins = JSON.parse(fs.readFileSync(new URL('../../../node_modules/vega-datasets/data/penguins.json', import.meta.url), 'utf8')) as Record<string, unknown>[];

let data: Awaited<ReturnType<typeof transformedPenguins>>;
let model: InputArtifact<'Model'>;
beforeAll(async () => {
  data = await transformedPenguins();
  const t = await runTrainer(data, { epochs: 1 });
  model = { id: 5, type: 'Model', uri: t.model, path: t.model, properties: t.result.model };
}, 300_000);
afterAll(removeTempDirs);

/** Raw Examples of the given rows, all in split eval. */
async function examplesOf(rows: Record<string, unknown>[]): Promise<InputArtifact<'Examples'>> {
  const root = tempDir('bad-rows');
  fs.writeFileSync(path.join(root, 'rows.json'), JSON.stringify(rows));
  const { props, out } = await runExampleGen(root, { input: 'rows.json', split: { eval: 1 } });
  return { id: 1, type: 'Examples', uri: out, path: out, properties: props };
}

const fails = async (p: Promise<unknown>) => p.then(() => { throw new Error('expected a failure'); }, (err: unknown) => err as Error);

describe('Evaluator bad input', () => {
  it('a label column the Examples lack is a DefinitionError naming it and listing the columns', async () => {
    const err = await fails(runEvaluator({ examples: data.raw, model }, { label: 'species' }));
    expect(err).toBeInstanceOf(DefinitionError);
    expect(err.message).toMatch(/params\.label: label column 'species' is not in the Examples \(they have Species, Island/);
  });
  it('an unknown slice feature, weight column or split is a DefinitionError naming it', async () => {
    const slice = await fails(runEvaluator({ examples: data.raw, model }, { label: 'Species', slicing: [{ features: ['island'] }] }));
    expect(slice).toBeInstanceOf(DefinitionError);
    expect(slice.message).toMatch(/slicing\.0: slice feature 'island' is not a column/);
    const inThreshold = await fails(runEvaluator({ examples: data.raw, model }, { label: 'Species', sliceThresholds: [{ slice: { values: { Region: 'x' } }, thresholds: { accuracy: { value: { lowerBound: 0 } } } }] }));
    expect(inThreshold.message).toMatch(/sliceThresholds\.0: slice feature 'Region'/);
    const weight = await fails(runEvaluator({ examples: data.raw, model }, { label: 'Species', exampleWeight: 'w' }));
    expect(weight.message).toMatch(/example weight column 'w' is not in the Examples/);
    const split = await fails(runEvaluator({ examples: data.raw, model }, { label: 'Species', splits: ['test'] }));
    expect(split.message).toMatch(/params\.splits\.0: split 'test' is not in the Examples \(they have train, eval\)/);
  });
  it('a row without its label is a DataError naming the shard and row', async () => {
    const rows = penguins.slice(0, 40).map((r, i) => (i === 17 ? { ...r, Species: null } : r));
    const err = await fails(runEvaluator({ examples: await examplesOf(rows), model }, { label: 'Species', blessWithoutThresholds: true }));
    expect(err).toBeInstanceOf(DataError);
    expect(err.message).toMatch(/split eval shard \S+ row \d+: label 'Species' is missing/);
  });
  it('a label that is not one of the Model\'s classes is a DataError naming the value and the classes', async () => {
    const rows = penguins.slice(0, 40).map((r, i) => (i === 3 ? { ...r, Species: 'Emperor' } : r));
    const err = await fails(runEvaluator({ examples: await examplesOf(rows), model }, { label: 'Species' }));
    expect(err).toBeInstanceOf(DataError);
    expect(err.message).toMatch(/row \d+: label 'Species' is "Emperor", which is not one of the Model's classes \(Adelie, Gentoo, Chinstrap\)/);
  });
  it('a regression Model trained on a scaled label is refused: raw labels would be compared with z-scores', async () => {
    // the penguin Model's files with a signature claiming a regression on beak_length = zScore(fillMissing('Beak Length (mm)'))
    const dir = tempDir('regression-model');
    fs.cpSync(model.path, dir, { recursive: true });
    const sig = JSON.parse(fs.readFileSync(path.join(dir, 'signature.json'), 'utf8'));
    fs.writeFileSync(path.join(dir, 'signature.json'), JSON.stringify({ ...sig, label: { name: 'beak_length', task: 'regression' } }));
    const scaled: InputArtifact<'Model'> = { ...model, uri: dir, path: dir, properties: { ...model.properties, transformGraph: data.transformGraph.id } };
    const err = await fails(runEvaluator({ examples: data.raw, model: scaled }, {}, [found(data.transformGraph, 'Transform.transformGraph')]));
    expect(err).toBeInstanceOf(DefinitionError);
    expect(err.message).toMatch(/the Model predicts 'beak_length', a zScore of raw 'Beak Length \(mm\)'.*train a regression model on the raw label/);
  });
  it('topK on a model that is not multiclass is refused', async () => {
    // a binary signature: the params are checked against the candidate's task
    const { checkColumns } = await import('../../../components/evaluator/driver.js');
    const { EvaluatorParams } = await import('../../../components/evaluator/spec.js');
    const signature = { label: { name: 'y', task: 'binary' } } as never;
    expect(() => checkColumns({ params: EvaluatorParams.parse({ topK: [2] }), label: 'y', columns: ['y'], splits: ['eval'], signature })).toThrow(/topK is for multiclass models; this one is binary/);
  });
});
