import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { LocalStepper } from '../../../src/ml/train/local-stepper.js';
import type { InputFeature } from '../../../src/ml/train/stepper.js';
import { missingKernel, nextBackend } from '../../../src/ml/train/training-backend.js';
import { batch, numericFeatures, source } from './train-fixtures.js';

const withIsland: InputFeature[] = [...numericFeatures, { name: 'island', dtype: 'int32', width: 1, cardinality: 3 }];
const wide: InputFeature[] = [{ name: 'signal', dtype: 'float32', width: 6 }];

describe('training backend', () => {
  it('trains an Embedding on wasm with the UnsortedSegmentSum kernel tsfx adds, as cpu does', async () => {
    const src = source('embedding', { features: withIsland }, 'binary');
    const data = [1, 2, 3].map((s) => batch(withIsland, 64, s, 'binary'));
    const run = async (backend: string) => {
      const s = await LocalStepper.create(src, { backend });
      const initial = (await s.getState()).weights[0]!.values;
      const losses = [];
      for (const d of data) losses.push(await s.step(d));
      const state = await s.getState();
      await s.dispose();
      return { s, losses, initial, weights: state.weights.map((w) => Array.from(w.values)) };
    };
    const wasm = await run('tfjs-backend-wasm');
    expect(wasm.s.backend).toMatchObject({ name: 'wasm', package: '@tensorflow/tfjs-backend-wasm' });
    expect(wasm.s.backend.reason).toContain('tsfx added wasm kernels UnsortedSegmentSum');
    const cpu = await run('tfjs-backend-cpu');
    expect(cpu.s.backend.name).toBe('cpu');
    cpu.losses.forEach((l, i) => expect(wasm.losses[i]).toBeCloseTo(l, 5));
    // the embedding table (first weight) moved, and moved the same on both backends
    const embedding = wasm.weights[0]!;
    expect(embedding).not.toEqual(Array.from(wasm.initial));
    embedding.forEach((v, i) => expect(v).toBeCloseTo(cpu.weights[0]![i]!, 5));
  });

  it('falls back from wasm to cpu for a Conv1D (no Conv2DBackpropFilter on wasm), saying why', async () => {
    const stepper = await LocalStepper.create(source('conv', { features: wide }), { backend: 'tfjs-backend-wasm' });
    expect(stepper.backend.name).toBe('cpu');
    expect(stepper.backend.reason).toMatch(
      /^tfjs-backend-wasm lacks kernel Conv2DBackpropFilter the model needs, fell back; then/,
    );
    expect(tf.getBackend()).toBe('cpu');
    const data = batch(wide, 32, 1);
    const first = await stepper.step(data);
    for (let i = 0; i < 20; i++) await stepper.step(data);
    expect(await stepper.step(data)).toBeLessThan(first);
    await stepper.dispose();
  });

  it('describes the backend with its device and package versions', async () => {
    const stepper = await LocalStepper.create(source('mlp'), { backend: 'tfjs-backend-cpu' });
    expect(stepper.description).toMatchObject({ name: 'cpu', device: 'cpu' });
    expect(stepper.description.versions).toEqual({
      'tfjs-core': tf.version_core,
      'tfjs-layers': tf.version_layers,
      'tfjs-backend-cpu': tf.version_core,
    });
    await stepper.dispose();
  });

  it('rejects an unknown backend override', async () => {
    await expect(LocalStepper.create(source('mlp'), { backend: 'tfjs-backend-webgpu' })).rejects.toThrow(
      "backend: backend 'tfjs-backend-webgpu' is not one of tfjs-node-gpu, tfjs-node, tfjs-backend-wasm, tfjs-backend-cpu",
    );
  });

  it('knows the order and what a missing kernel looks like', () => {
    expect(nextBackend('@tensorflow/tfjs-node')).toBe('tfjs-backend-wasm');
    expect(nextBackend('@tensorflow/tfjs-backend-cpu')).toBeUndefined();
    expect(missingKernel(new Error("Kernel 'Einsum' not registered for backend 'wasm'"))).toBe('Einsum');
    expect(missingKernel(new Error('shapes do not match'))).toBeUndefined();
  });
});
