import { describe, expect, it } from 'vitest';
import { DefinitionError, UserCodeError } from '../../../src/errors.js';
import { createStepper } from '../../../src/ml/train/create-stepper.js';
import { LocalStepper } from '../../../src/ml/train/local-stepper.js';
import { ReplicaStepper } from '../../../src/ml/train/replica-stepper.js';
import type { Stepper } from '../../../src/ml/train/stepper.js';
import { batch, moduleFile, numericFeatures, source } from './train-fixtures.js';

const weightsOf = async (s: Stepper) => (await s.getState()).weights.flatMap((w) => Array.from(w.values));
const maxDiff = (a: number[], b: number[]) => Math.max(...a.map((v, i) => Math.abs(v - b[i]!)));

describe('ReplicaStepper', () => {
  it('2 replicas and 1 replica end at the same weights as one local model, from the same seed and data', async () => {
    const src = source('mlp', { hparams: { hidden: 16 } }, 'multiclass');
    // odd rows so the slices differ in size; weights so slices differ in weight too
    const data = [1, 2, 3, 4, 5, 6].map((s) => batch(numericFeatures, 101, s, 'multiclass', true));
    const run = async (s: Stepper) => {
      const losses = [];
      for (const d of data) losses.push(await s.step(d));
      const out = { losses, weights: await weightsOf(s), state: await s.getState(), evald: await s.evaluate(data[0]!) };
      await s.dispose();
      return out;
    };
    const local = await run(await LocalStepper.create(src));
    const one = await run(await ReplicaStepper.create(src, { replicas: 1 }));
    const two = await run(await ReplicaStepper.create(src, { replicas: 2 }));
    expect(maxDiff(one.weights, local.weights)).toBeLessThan(1e-6);
    expect(maxDiff(two.weights, one.weights)).toBeLessThan(1e-5);
    two.losses.forEach((l, i) => expect(l).toBeCloseTo(one.losses[i]!, 5));
    // training moved the weights: equality is not just two untouched starts
    expect(maxDiff(two.weights, await LocalStepper.create(src).then(weightsOf))).toBeGreaterThan(1e-3);
    expect(two.evald.rows).toBe(101);
    expect(two.evald.lossSum).toBeCloseTo(one.evald.lossSum, 3);
    expect(two.evald.metricSums.accuracy).toBe(one.evald.metricSums.accuracy);
    expect(two.state.optimizer.length).toBe(one.state.optimizer.length);
  });

  it('predicts in row order across replicas, and setState/setLearningRate reach every replica', async () => {
    const src = source('mlp');
    const local = await LocalStepper.create(src);
    const two = await ReplicaStepper.create(src, { replicas: 2 });
    expect(two.backend.reason).toMatch(/^2 replica thread\(s\); /);
    const d = batch(numericFeatures, 9, 3);
    for (let i = 0; i < 3; i++) await local.step(d);
    await two.setState(await local.getState());
    await two.setLearningRate(0);
    await two.step(d); // no update at lr 0, on any replica
    const want = await local.predict({ rows: 9, xs: d.xs });
    const got = await two.predict({ rows: 9, xs: d.xs });
    expect(maxDiff(Array.from(got), Array.from(want))).toBeLessThan(1e-6);
    await Promise.all([local.dispose(), two.dispose()]);
  });

  it('surfaces an error thrown in a replica thread', async () => {
    const two = await ReplicaStepper.create(source('mlp'), { replicas: 2 });
    const bad = batch(numericFeatures, 8, 1);
    delete bad.xs.x1;
    await expect(two.step(bad)).rejects.toThrow("replica 0: batch has no values for feature 'x1' (has: x0)");
    // the replicas still serve after a failed step
    expect(await two.step(batch(numericFeatures, 8, 2))).toBeGreaterThan(0);
    await two.dispose();
  });

  it('fails to start when the module throws in the replicas, with the module named', async () => {
    const err = await ReplicaStepper.create(source('throws'), { replicas: 2 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserCodeError);
    expect((err as Error).message).toMatch(
      /^replica \d: buildModel in .*throws\.ts threw: layer sizes must be positive/,
    );
    expect((err as Error).message).toContain(moduleFile('throws'));
  });

  it('rejects a replica count that is not a whole number >= 1', async () => {
    await expect(ReplicaStepper.create(source('mlp'), { replicas: 0 })).rejects.toBeInstanceOf(DefinitionError);
  });

  it('dispose terminates the threads: later calls fail, saying so', async () => {
    const two = await ReplicaStepper.create(source('mlp'), { replicas: 2 });
    await two.dispose();
    await expect(two.step(batch(numericFeatures, 4, 1))).rejects.toThrow('replica 0 was disposed');
  });

  it('createStepper picks the stepper by strategy, each describing its backend', async () => {
    const local = await createStepper(source('mlp'));
    const replicas = await createStepper(source('mlp'), { strategy: { replicas: 2 } });
    expect(local).toBeInstanceOf(LocalStepper);
    expect(replicas).toBeInstanceOf(ReplicaStepper);
    expect(replicas.description.versions).toEqual(local.description.versions);
    await Promise.all([local.dispose(), replicas.dispose()]);
  });

  // tfjs-node's library loaded by two threads at once crashed the process (SIGSEGV, malloc
  // corruption) in about 1 run of 4 of this loop; replicas now start one after another
  it('starts and disposes replicas again and again without taking the process down', async () => {
    for (let k = 0; k < 4; k++) {
      const two = await ReplicaStepper.create(source('mlp'), { replicas: 2 });
      for (let i = 0; i < 5; i++) await two.step(batch(numericFeatures, 32, i));
      await two.dispose();
    }
  });
});
