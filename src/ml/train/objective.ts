/**
 * The training objective by task, as Keras compiles it: binary cross-entropy on a sigmoid unit,
 * sparse categorical cross-entropy on k softmax units, mean squared error for regression; and
 * the metric that goes with each (accuracy, or mean absolute error). Also turns a TrainBatch's
 * typed arrays into the model's input tensors. Used inside tf.tidy by the steppers.
 */
import type * as tfjs from '@tensorflow/tfjs';
import type { InputPlan, Tfjs } from './model-module.js';
import type { InputFeature, Task, TrainBatch } from './stepper.js';

/** Keras's epsilon: probabilities are clipped to [eps, 1 - eps] before the log. */
const EPSILON = 1e-7;

/** Per-example loss, shape [rows]. */
export function perExampleLoss(tf: Tfjs, task: Task, pred: tfjs.Tensor, ys: tfjs.Tensor1D): tfjs.Tensor {
  const rows = ys.shape[0];
  if (task === 'regression') return tf.squaredDifference(pred.reshape([rows]), ys);
  const p = tf.clipByValue(pred, EPSILON, 1 - EPSILON);
  if (task === 'binary') {
    const q = p.reshape([rows]);
    // -(y log q + (1 - y) log(1 - q))
    return tf.neg(tf.add(tf.mul(ys, tf.log(q)), tf.mul(tf.sub(1, ys), tf.log(tf.sub(1, q)))));
  }
  const k = pred.shape[1]!;
  return tf.neg(tf.sum(tf.mul(tf.oneHot(ys.toInt(), k), tf.log(p)), 1));
}

/** The metric each task reports. */
export const metricName = (task: Task): string => (task === 'regression' ? 'mae' : 'accuracy');

/** Per-example metric, shape [rows]: 1/0 for a correct/wrong class, |error| for regression. */
export function perExampleMetric(tf: Tfjs, task: Task, pred: tfjs.Tensor, ys: tfjs.Tensor1D): tfjs.Tensor {
  const rows = ys.shape[0];
  if (task === 'regression') return tf.abs(tf.sub(pred.reshape([rows]), ys));
  if (task === 'binary') return tf.equal(tf.greater(pred.reshape([rows]), 0.5).toFloat(), ys).toFloat();
  return tf.equal(tf.argMax(pred, 1), ys.toInt()).toFloat();
}

/** The model's inputs for a batch, in its input order (or all features concatenated). */
export function batchInputs(
  tf: Tfjs,
  plan: InputPlan,
  features: InputFeature[],
  batch: Pick<TrainBatch, 'rows' | 'xs'>,
): tfjs.Tensor[] {
  const { rows, xs } = batch;
  const get = (name: string) => {
    const v = xs[name];
    if (!v) throw new Error(`batch has no values for feature '${name}' (has: ${Object.keys(xs).join(', ')})`);
    return v;
  };
  if (plan.kind === 'concat') {
    const out = new Float32Array(rows * plan.width);
    let offset = 0;
    for (const f of features) {
      const v = get(f.name);
      for (let r = 0; r < rows; r++)
        for (let j = 0; j < f.width; j++) out[r * plan.width + offset + j] = v[r * f.width + j]!;
      offset += f.width;
    }
    return [tf.tensor2d(out, [rows, plan.width])];
  }
  const byName = new Map(features.map((f) => [f.name, f]));
  return plan.names.map((name) => {
    const f = byName.get(name)!;
    return tf.tensor2d(get(name), [rows, f.width], f.dtype);
  });
}

/** Run the model on its inputs: one tensor for single-input models, as tfjs expects. */
export function forward(model: tfjs.LayersModel, inputs: tfjs.Tensor[], training: boolean): tfjs.Tensor {
  return model.apply(inputs.length === 1 ? inputs[0]! : inputs, { training }) as tfjs.Tensor;
}
