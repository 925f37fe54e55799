/**
 * The predictor's layouts and tasks on small hand-made Model parts, against model.predict on
 * tensors built here by hand: named inputs (a float and an int32 id) with a binary output, one
 * concatenated input with a regression output; and parts that do not belong together.
 */
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { ensureBackend } from '../../src/ml/backend.js';
import { createModelPredictor, parseSignature } from '../../src/ml/model-predictor.js';
import { analyzeBatches, rawBatchFromRows, tracePreprocessing } from '../../src/ml/transform/index.js';

await ensureBackend();

const rows = Array.from({ length: 40 }, (_, i) => ({ x: (i * 7) % 13, color: ['red', 'green', 'blue'][i % 3]!, y: 1 }));
const graph = analyzeBatches(
  tracePreprocessing((f) => ({ x: f.zScore('x'), color: f.vocabulary('color') })),
  () => [rawBatchFromRows(rows)],
);
const colors = rows.map((r) => r.color);
// the transformed values, computed here: z-score with the biased variance, vocabulary ids by frequency then bytes
const mean = rows.reduce((a, r) => a + r.x, 0) / rows.length;
const std = Math.sqrt(rows.reduce((a, r) => a + (r.x - mean) ** 2, 0) / rows.length);
const counts = new Map(colors.map((c) => [c, colors.filter((x) => x === c).length]));
const ids = [...counts.keys()].sort((a, b) => counts.get(b)! - counts.get(a)! || (b < a ? -1 : 1));
const z = rows.map((r) => (r.x - mean) / std);
const id = rows.map((r) => ids.indexOf(r.color));

const signature = (modelInputs: object, task: string, width: number, classes?: string[]) =>
  parseSignature({
    format: 'tsfx-model-signature/1',
    rawInputs: [
      { name: 'x', kind: 'float' },
      { name: 'color', kind: 'string' },
    ],
    transformedInputs: [
      { name: 'x', dtype: 'float32', width: 1 },
      { name: 'color', dtype: 'int32', width: 1, cardinality: 3 },
    ],
    modelInputs,
    label: { name: 'y', task, ...(classes ? { classes } : {}) },
    output: { width, meaning: 'test' },
  });

const close = (a: number[], b: ArrayLike<number>) => a.forEach((v, i) => expect(v).toBeCloseTo(b[i]!, 6));

describe('model predictor layouts', () => {
  it('named inputs (float and int32 ids), binary: P(class 1) and the class at 0.5', async () => {
    const x = tf.input({ shape: [1], name: 'x' });
    const color = tf.input({ shape: [1], name: 'color', dtype: 'int32' });
    const emb = tf.layers.flatten().apply(tf.layers.embedding({ inputDim: 3, outputDim: 2 }).apply(color));
    const joined = tf.layers.concatenate().apply([x, emb as tf.SymbolicTensor]) as tf.SymbolicTensor;
    const out = tf.layers.dense({ units: 1, activation: 'sigmoid', kernelInitializer: 'ones' }).apply(joined);
    const model = tf.model({ inputs: [x, color], outputs: out as tf.SymbolicTensor });
    const p = createModelPredictor({
      signature: signature({ kind: 'named', names: ['x', 'color'] }, 'binary', 1, ['no', 'yes']),
      graph,
      model,
    });
    const got = await p.predictRows(rows);
    const want = (model.predict([tf.tensor2d(z, [40, 1]), tf.tensor2d(id, [40, 1], 'int32')]) as tf.Tensor).dataSync();
    close(got.values, want);
    expect(got.classIds).toEqual(got.values.map((v) => (v >= 0.5 ? 1 : 0)));
    expect(got.classNames).toEqual(got.classIds!.map((i) => ['no', 'yes'][i]));
    // both classes occur, so the threshold was exercised
    expect(new Set(got.classIds).size).toBe(2);
  });

  it('one concatenated input, regression: the value, no classes', async () => {
    const model = tf.sequential({ layers: [tf.layers.dense({ inputShape: [2], units: 1 })] });
    const p = createModelPredictor({
      signature: signature({ kind: 'concat', features: ['color', 'x'] }, 'regression', 1),
      graph,
      model,
    });
    const got = await p.predictRows(rows);
    // the signature's order, not the graph's: color's id first, then x's z-score
    const x = tf.tensor2d(
      rows.flatMap((_, i) => [id[i]!, z[i]!]),
      [40, 2],
    );
    close(got.values, (model.predict(x) as tf.Tensor).dataSync());
    expect(got.classIds).toBeUndefined();
  });

  it('refuses parts that do not belong together', async () => {
    const model = tf.sequential({ layers: [tf.layers.dense({ inputShape: [2], units: 1 })] });
    expect(() =>
      createModelPredictor({
        signature: signature({ kind: 'concat', features: ['x', 'color'] }, 'multiclass', 3),
        graph,
        model,
      }),
    ).toThrow('model.json: the model outputs 1 values per row, the signature says 3');
    const unknown = createModelPredictor({
      signature: signature({ kind: 'concat', features: ['x', 'size'] }, 'regression', 1),
      graph,
      model,
    });
    await expect(unknown.predictRows(rows)).rejects.toThrow(/'size', which transformedInputs lacks/);
  });
});
