/**
 * One built model with its optimizer, and the operations both steppers need: gradients of a
 * batch's weighted loss, applying gradients, evaluation sums, predictions and the state a
 * checkpoint keeps. LocalStepper drives one directly; every replica thread owns one.
 */
import type * as tfjs from '@tensorflow/tfjs';
import { DefinitionError } from '../../errors.js';
import type { BuiltModel, Tfjs } from './model-module.js';
import { batchInputs, forward, metricName, perExampleLoss, perExampleMetric } from './objective.js';
import type { EvalSums, ModelSource, TrainBatch, TrainState } from './stepper.js';

type Named = { name: string; shape: number[]; values: Float32Array };

export class ModelCore {
  private readonly vars: tfjs.Variable[];
  /** values in the flat gradient vector, which concatenates the trainable variables in order */
  readonly gradientSize: number;

  constructor(
    private readonly tf: Tfjs,
    private readonly built: BuiltModel,
    private readonly source: ModelSource,
  ) {
    this.vars = built.model.trainableWeights.map((w) => w.read() as tfjs.Variable);
    this.gradientSize = this.vars.reduce((a, v) => a + v.size, 0);
  }

  /** sum over the batch of weight * loss, as a scalar (inside a gradient tape) */
  private weightedLossSum(batch: TrainBatch, training: boolean): tfjs.Scalar {
    const tf = this.tf;
    const pred = forward(this.built.model, batchInputs(tf, this.built.plan, this.source.features, batch), training);
    const loss = perExampleLoss(tf, this.source.label.task, pred, tf.tensor1d(batch.ys));
    return batch.weights ? tf.sum(tf.mul(loss, tf.tensor1d(batch.weights))) : tf.sum(loss);
  }

  /**
   * Gradients of sum(w * loss) / totalWeight, so the gradients of a batch's slices add up to
   * those of the whole batch when every slice divides by the whole batch's weight.
   */
  private grads(batch: TrainBatch, totalWeight: number): { value: tfjs.Scalar; grads: tfjs.NamedTensorMap } {
    const tf = this.tf;
    return tf.variableGrads(() => tf.div(this.weightedLossSum(batch, true), totalWeight) as tfjs.Scalar, this.vars);
  }

  /** One optimizer step on the whole batch; its weighted mean loss. */
  async step(batch: TrainBatch): Promise<number> {
    const tf = this.tf;
    const total = batchWeight(batch);
    const { value, grads } = tf.tidy(() => this.grads(batch, total));
    this.built.optimizer.applyGradients(grads);
    tf.dispose(grads);
    const loss = (await value.data())[0]!;
    value.dispose();
    return loss;
  }

  /** This slice's share of a step: the flat gradient vector and its loss contribution. */
  async sliceGradients(batch: TrainBatch, totalWeight: number): Promise<{ grads: Float32Array; loss: number }> {
    const tf = this.tf;
    const [flat, value] = tf.tidy(() => {
      const { value, grads } = this.grads(batch, totalWeight);
      return [tf.concat(this.vars.map((v) => grads[v.name]!.reshape([-1]))), value] as const;
    });
    const [g, l] = await Promise.all([flat.data() as Promise<Float32Array>, value.data()]);
    tf.dispose([flat, value]);
    return { grads: g, loss: l[0]! };
  }

  /** Apply a flat gradient vector (as sliceGradients returns, summed over slices). */
  applyFlat(flat: Float32Array): void {
    const tf = this.tf;
    if (flat.length !== this.gradientSize)
      throw new Error(`gradient vector has ${flat.length} values, the model ${this.gradientSize}`);
    const grads: tfjs.NamedTensorMap = {};
    let offset = 0;
    for (const v of this.vars) {
      grads[v.name] = tf.tensor(flat.subarray(offset, offset + v.size), v.shape);
      offset += v.size;
    }
    this.built.optimizer.applyGradients(grads);
    tf.dispose(Object.values(grads));
  }

  /** A forward and backward pass on two all-zero rows, no update: fails if a kernel is missing. */
  probe(): void {
    const rows = 2;
    const xs: TrainBatch['xs'] = {};
    for (const f of this.source.features)
      xs[f.name] = f.dtype === 'int32' ? new Int32Array(rows * f.width) : new Float32Array(rows * f.width);
    const batch = { rows, xs, ys: new Float32Array(rows) };
    this.tf.tidy(() => {
      const { value, grads } = this.grads(batch, rows);
      return [value, ...Object.values(grads)].map((t) => t.dataSync());
    });
  }

  async evaluate(batch: TrainBatch): Promise<EvalSums> {
    const tf = this.tf;
    const task = this.source.label.task;
    const [loss, metric] = tf.tidy(() => {
      const pred = forward(this.built.model, batchInputs(tf, this.built.plan, this.source.features, batch), false);
      const ys = tf.tensor1d(batch.ys);
      return [tf.sum(perExampleLoss(tf, task, pred, ys)), tf.sum(perExampleMetric(tf, task, pred, ys))];
    });
    const [l, m] = await Promise.all([loss.data(), metric.data()]);
    tf.dispose([loss, metric]);
    return { rows: batch.rows, lossSum: l[0]!, metricSums: { [metricName(task)]: m[0]! } };
  }

  async predict(batch: Omit<TrainBatch, 'ys'>): Promise<Float32Array> {
    const tf = this.tf;
    const out = tf.tidy(() =>
      forward(this.built.model, batchInputs(tf, this.built.plan, this.source.features, batch), false),
    );
    const values = (await out.data()) as Float32Array;
    out.dispose();
    return values;
  }

  async getState(): Promise<TrainState> {
    const named = async (name: string, t: tfjs.Tensor): Promise<Named> => ({
      name,
      shape: t.shape,
      values: Float32Array.from(await t.data()),
    });
    const weights = await Promise.all(this.built.model.weights.map((w) => named(w.originalName, w.read())));
    const optimizer = await Promise.all((await this.built.optimizer.getWeights()).map((w) => named(w.name, w.tensor)));
    return { weights, optimizer, learningRate: this.learningRate };
  }

  /** Load weights by position (names of auto-named layers differ between builds), checking shapes. */
  async setState(state: TrainState): Promise<void> {
    const tf = this.tf;
    const model = this.built.model;
    if (state.weights.length !== model.weights.length)
      throw new DefinitionError(
        `state has ${state.weights.length} weights, the model from ${this.source.module} has ${model.weights.length}`,
      );
    model.weights.forEach((w, i) => {
      const s = state.weights[i]!;
      if (s.shape.join(',') !== w.shape.join(','))
        throw new DefinitionError(
          `state weight ${i} (${s.name}) has shape [${s.shape}], the model's ${w.originalName} has [${w.shape}]`,
        );
    });
    const tensors = state.weights.map((s) => tf.tensor(s.values, s.shape));
    model.setWeights(tensors);
    tf.dispose(tensors);
    const opt = state.optimizer.map((s) => ({ name: s.name, tensor: tf.tensor(s.values, s.shape) }));
    await this.built.optimizer.setWeights(opt);
    tf.dispose(opt.map((o) => o.tensor));
    this.learningRate = state.learningRate;
  }

  get learningRate(): number {
    return (this.built.optimizer as unknown as { learningRate: number }).learningRate;
  }

  /** SGD and Momentum cache -lr in a tensor (setLearningRate); the others read the field each step. */
  set learningRate(lr: number) {
    const opt = this.built.optimizer as unknown as { learningRate: number; setLearningRate?: (lr: number) => void };
    if (typeof opt.setLearningRate === 'function') opt.setLearningRate(lr);
    else opt.learningRate = lr;
  }

  dispose(): void {
    this.built.model.dispose();
    this.built.optimizer.dispose();
  }
}

/** The batch's total example weight (its rows when unweighted). */
export function batchWeight(batch: Pick<TrainBatch, 'rows' | 'weights'>): number {
  if (!batch.weights) return batch.rows;
  let s = 0;
  for (const w of batch.weights) s += w;
  return s;
}
