/** Model sources and seeded batches for the stepper tests. */
import path from 'node:path';
import { mulberry32 } from '../../../src/random.js';
import type { InputFeature, ModelSource, Task, TrainBatch } from '../../../src/ml/train/stepper.js';

export const moduleFile = (name: string) => path.resolve('test/fixtures/model-modules', `${name}.ts`);

export const numericFeatures: InputFeature[] = [
  { name: 'x0', dtype: 'float32', width: 1 },
  { name: 'x1', dtype: 'float32', width: 2 },
];

export function source(name: string, overrides: Partial<ModelSource> = {}, task: Task = 'regression'): ModelSource {
  const label = task === 'multiclass' ? { name: 'y', task, classes: ['a', 'b', 'c'] } : { name: 'y', task };
  return { module: moduleFile(name), hparams: {}, features: numericFeatures, label, seed: 7, ...overrides };
}

/**
 * A batch drawn from `seed`: float features uniform in [-1, 1), int features below their
 * cardinality, and a label that depends on the features (so training reduces the loss).
 */
export function batch(
  features: InputFeature[],
  rows: number,
  seed: number,
  task: Task = 'regression',
  weighted = false,
): TrainBatch {
  const rnd = mulberry32(seed);
  const xs: TrainBatch['xs'] = {};
  const signal = new Float32Array(rows);
  for (const f of features) {
    const a = f.dtype === 'int32' ? new Int32Array(rows * f.width) : new Float32Array(rows * f.width);
    for (let i = 0; i < a.length; i++) {
      a[i] = f.dtype === 'int32' ? Math.floor(rnd() * (f.cardinality ?? 2)) : rnd() * 2 - 1;
      signal[Math.floor(i / f.width)]! += f.dtype === 'int32' ? a[i]! - 1 : a[i]! * (i % 2 ? 0.7 : -0.4);
    }
    xs[f.name] = a;
  }
  const ys = signal.map((s) =>
    task === 'regression' ? Math.tanh(s) : task === 'binary' ? Number(s > 0) : s < -0.3 ? 0 : s < 0.3 ? 1 : 2,
  );
  const weights = weighted ? Float32Array.from({ length: rows }, () => 0.5 + rnd()) : undefined;
  return { rows, xs, ys, ...(weights ? { weights } : {}) };
}
