import * as tf from '@tensorflow/tfjs';
import { afterEach, describe, expect, it } from 'vitest';
import { buildFromSource } from '../../../src/ml/train/model-module.js';
import { LocalStepper } from '../../../src/ml/train/local-stepper.js';
import { batch, numericFeatures, source } from './train-fixtures.js';

const open: LocalStepper[] = [];
const create = async (...args: Parameters<typeof LocalStepper.create>) => {
  const s = await LocalStepper.create(...args);
  open.push(s);
  return s;
};
afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.dispose()));
});
const weightsOf = async (s: LocalStepper) => (await s.getState()).weights.map((w) => Array.from(w.values));
const maxDiff = (a: number[][], b: number[][]) =>
  Math.max(...a.flatMap((w, i) => w.map((v, j) => Math.abs(v - b[i]![j]!))));

describe('LocalStepper', () => {
  it('takes the same SGD step as tfjs-layers trainOnBatch on the same model and batch', async () => {
    const src = source('mlp', { hparams: { optimizer: 'sgd', learningRate: 0.1 } });
    const stepper = await create(src);
    const data = batch(numericFeatures, 32, 1);
    const loss = await stepper.step(data);

    const ref = await buildFromSource(tf, src); // same seed: same initial weights
    ref.model.compile({ optimizer: tf.train.sgd(0.1), loss: 'meanSquaredError' });
    const xs = numericFeatures.map((f) => tf.tensor2d(data.xs[f.name]!, [32, f.width]));
    const refLoss = (await ref.model.trainOnBatch(xs, tf.tensor2d(data.ys, [32, 1]))) as number;
    expect(loss).toBeCloseTo(refLoss, 5);
    const refWeights = ref.model.getWeights().map((w) => Array.from(w.dataSync()));
    expect(maxDiff(await weightsOf(stepper), refWeights)).toBeLessThan(1e-5);
  });

  it('reduces the loss of each task over a few epochs', async () => {
    for (const task of ['binary', 'multiclass', 'regression'] as const) {
      const stepper = await create(source('mlp', { hparams: { hidden: 16 } }, task));
      const data = batch(numericFeatures, 256, 3, task);
      const before = await stepper.evaluate(data);
      for (let i = 0; i < 100; i++) await stepper.step(data);
      const after = await stepper.evaluate(data);
      expect(after.lossSum, task).toBeLessThan(before.lossSum * 0.8);
      const metric = task === 'regression' ? 'mae' : 'accuracy';
      if (task === 'regression') expect(after.metricSums[metric]!).toBeLessThan(before.metricSums[metric]!);
      else expect(after.metricSums[metric]! / after.rows, task).toBeGreaterThan(0.8);
    }
  });

  it('evaluates sums that match its predictions', async () => {
    const stepper = await create(source('mlp'));
    const data = batch(numericFeatures, 50, 4);
    const pred = await stepper.predict({ rows: data.rows, xs: data.xs });
    expect(pred).toHaveLength(50);
    const sums = await stepper.evaluate(data);
    const sq = Array.from(pred).reduce((a, p, i) => a + (p - data.ys[i]!) ** 2, 0);
    const abs = Array.from(pred).reduce((a, p, i) => a + Math.abs(p - data.ys[i]!), 0);
    expect(sums.rows).toBe(50);
    expect(sums.lossSum).toBeCloseTo(sq, 4);
    expect(sums.metricSums.mae).toBeCloseTo(abs, 4);
  });

  it('weighs examples: weight 2 on a row steps like that row twice', async () => {
    const src = source('mlp', { hparams: { optimizer: 'sgd' } });
    const base = batch(numericFeatures, 4, 5);
    const weighted = { ...base, weights: Float32Array.from([2, 1, 1, 1]) };
    const dup = (a: Float32Array | Int32Array, w: number) => Float32Array.from([...a.slice(0, w), ...a]);
    const twice = { rows: 5, ys: dup(base.ys, 1), xs: { x0: dup(base.xs.x0!, 1), x1: dup(base.xs.x1!, 2) } };
    const [a, b] = [await create(src), await create(src)];
    expect(await a.step(weighted)).toBeCloseTo(await b.step(twice), 6);
    expect(maxDiff(await weightsOf(a), await weightsOf(b))).toBeLessThan(1e-6);
  });

  it('resumes from getState: Adam moments, iterations and learning rate included', async () => {
    const src = source('mlp');
    const data = [1, 2, 3, 4, 5].map((s) => batch(numericFeatures, 16, s));
    const first = await create(src);
    for (const d of data.slice(0, 3)) await first.step(d);
    await first.setLearningRate(0.02);
    const saved = await first.getState();
    expect(saved.optimizer.length).toBeGreaterThan(saved.weights.length); // iterations + two moments per variable
    for (const d of data.slice(3)) await first.step(d);

    const resumed = await create({ ...src, seed: 99 }); // another start: setState must overwrite it all
    await resumed.setState(saved);
    expect((await resumed.getState()).learningRate).toBeCloseTo(0.02, 7);
    for (const d of data.slice(3)) await resumed.step(d);
    expect(maxDiff(await weightsOf(first), await weightsOf(resumed))).toBeLessThan(1e-6);
  });

  it('makes no update at learning rate 0, for SGD and Adam', async () => {
    for (const optimizer of ['sgd', 'adam']) {
      const stepper = await create(source('mlp', { hparams: { optimizer } }));
      await stepper.setLearningRate(0);
      const before = await weightsOf(stepper);
      await stepper.step(batch(numericFeatures, 16, 6));
      expect(await weightsOf(stepper), optimizer).toEqual(before);
    }
  });

  it('refuses a state of another architecture, naming the weight', async () => {
    const stepper = await create(source('mlp', { hparams: { hidden: 4 } }));
    const other = await create(source('mlp', { hparams: { hidden: 5 } }));
    await expect(stepper.setState(await other.getState())).rejects.toThrow(
      /state weight 0 \(.*\) has shape \[3,5\], the model's .* has \[3,4\]/,
    );
  });
});
