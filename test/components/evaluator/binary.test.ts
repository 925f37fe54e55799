/**
 * A binary Model through the Evaluator: penguins labelled Adelie yes/no, trained by the
 * Trainer (a 2-class vocabulary label is binary), scored on the raw rows. AUC, the confusion
 * matrices at the decision thresholds, ROC/PR points and calibration buckets per slice, and the
 * binary accuracy agreeing with the Trainer's validation on the same rows.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { InputArtifact } from '../../../src/dsl/component.js';
import { removeTempDirs, tempDir } from '../example-gen/helpers.js';
import { examplesToStatistics, penguins } from '../schema-gen/helpers.js';
import { runTrainer, transformedPenguins } from '../trainer/helpers.js';
import { found, runEvaluator } from './helpers.js';

let data: Awaited<ReturnType<typeof transformedPenguins>>;
let model: InputArtifact<'Model'>;
let valAccuracy: number;
beforeAll(async () => {
  const root = tempDir('adelie');
  const rows = (JSON.parse(fs.readFileSync(penguins, 'utf8')) as Record<string, unknown>[]).map(({ Species, ...r }) => ({ ...r, Adelie: Species === 'Adelie' ? 'yes' : 'no' }));
  fs.writeFileSync(path.join(root, 'adelie.json'), JSON.stringify(rows));
  data = await transformedPenguins(
    (f) => ({
      adelie: f.vocabulary('Adelie'),
      island: f.oneHot(f.vocabulary('Island')),
      beak_length: f.zScore(f.fillMissing('Beak Length (mm)', f.mean('Beak Length (mm)'))),
      beak_depth: f.zScore(f.fillMissing('Beak Depth (mm)', f.mean('Beak Depth (mm)'))),
    }),
    () => examplesToStatistics(root, { input: 'adelie.json' }),
  );
  // the fixture MLP: a sigmoid unit for a binary label, one named input per feature
  const t = await runTrainer(data, { module: '../test/fixtures/model-modules/mlp.ts', label: 'adelie', epochs: 20, batchSize: 16, hparams: { hidden: 8, learningRate: 0.02 } });
  model = { id: 8, type: 'Model', uri: t.model, path: t.model, properties: t.result.model };
  valAccuracy = (t.result.model as { final: { val_accuracy: number } }).final.val_accuracy;
}, 300_000);
afterAll(removeTempDirs);

it('computes binary metrics and plot data per slice on raw rows', async () => {
  expect((model.properties as { task: string }).task).toBe('binary');
  const r = await runEvaluator({ examples: data.raw, model }, {
    slicing: [{ features: ['Island'] }],
    decisionThresholds: [0.25, 0.5, 0.75],
    calibrationBuckets: 5,
    thresholds: { aucRoc: { value: { lowerBound: 0.9 } }, logLoss: { value: { upperBound: 0.6 } } },
  }, [found(data.transformGraph, 'Transform.transformGraph')]);
  expect(r.drove.resolved.label).toBe('Adelie');
  const m = r.read(r.evaluation, 'metrics.json');
  const overall = m.slices[0].metrics;
  expect(m.task).toBe('binary');
  expect(Object.keys(overall).sort()).toEqual(['accuracy', 'aucPr', 'aucRoc', 'calibration', 'exampleCount', 'logLoss', 'meanLabel', 'meanPrediction', 'precision', 'recall', 'weightedExampleCount']);
  expect(overall.aucRoc).toBeGreaterThan(0.9);
  // Keras' binary accuracy on the same eval rows, thresholded at 0.5 the same way
  expect(overall.accuracy).toBeCloseTo(valAccuracy, 5);
  // class 1 is the label vocabulary's second entry; the mean label is its share of the rows
  const classes: string[] = m.classes;
  const labels = (await import('../../../src/io/arrow-shards.js')).readSplit(data.raw.path, data.raw.properties as never, 'eval');
  const adelie = ((await labels).getChild('Adelie')!.toArray() as string[]).filter((v) => v === classes[1]).length;
  expect(overall.meanLabel).toBeCloseTo(adelie / overall.exampleCount, 12);

  const plots = r.read(r.evaluation, 'plots.json');
  for (const s of plots.slices) {
    const p = s.candidate;
    const n = m.slices.find((x: { slice: string }) => x.slice === s.slice).metrics.exampleCount;
    expect(p.confusionMatrices.map((c: { threshold: number }) => c.threshold)).toEqual([0.25, 0.5, 0.75]);
    for (const c of p.confusionMatrices) expect(c.tp + c.fp + c.tn + c.fn).toBe(n);
    expect(p.calibration).toHaveLength(5);
    expect(p.calibration.reduce((a: number, b: { count: number }) => a + b.count, 0)).toBe(n);
    expect(p.roc[0]).toMatchObject({ threshold: null });
    if (s.slice === 'Overall') {
      expect(p.roc[0]).toMatchObject({ fpr: 0, tpr: 0 });
      expect(p.roc.at(-1)).toMatchObject({ fpr: 1, tpr: 1 });
      expect(p.pr[0]).toMatchObject({ precision: 1, recall: 0 });
      expect(p.pr.at(-1).recall).toBe(1);
      // the 0.5 matrix is where accuracy / precision / recall are read
      const half = p.confusionMatrices[1];
      expect(half.accuracy).toBe(overall.accuracy);
      expect(half.precision).toBe(overall.precision);
    }
  }
  expect(r.result.blessing.blessed).toBe(true);
});
