/**
 * Test helpers for the training library: a small but real tfjs Stepper (a tf.Sequential over
 * the concatenated features, gradients by tf.variableGrads, an Adam optimizer) and generated
 * Examples artifacts written as Arrow shards the way ExampleGen writes them.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { Field, Float32, List, Table, tableFromArrays, vectorFromArray } from 'apache-arrow';
import type { ExamplesProperties } from '../../../schemas/artifacts.js';
import { writeSplitShards } from '../../../src/io/arrow-shards.js';
import { SeededRandom } from '../../../src/ml/train/rng.js';
import type { EvalSums, InputFeature, Stepper, Task, TrainBatch, TrainState } from '../../../src/ml/train/stepper.js';

export const tmpDir = (prefix = 'tsfx-train-') => fs.mkdtempSync(path.join(os.tmpdir(), prefix));

export interface TestStepperOptions {
  features: InputFeature[];
  task: Task;
  classes?: number;
  hidden?: number[];
  seed?: number;
  learningRate?: number;
}

/** One model in this thread, as LocalStepper will be, minus the user's module. */
export class TestStepper implements Stepper {
  readonly backend = { name: tf.getBackend(), package: '@tensorflow/tfjs', reason: 'test stepper' };
  readonly model: tf.Sequential;
  readonly optimizer: tf.AdamOptimizer;
  /** steps taken, to check what a resumed run skipped */
  steps = 0;

  constructor(private readonly o: TestStepperOptions) {
    const width = o.features.reduce((s, f) => s + f.width, 0);
    const seed = o.seed ?? 1;
    this.model = tf.sequential();
    (o.hidden ?? [8]).forEach((units, i) =>
      this.model.add(
        tf.layers.dense({
          units,
          activation: 'relu',
          kernelInitializer: tf.initializers.glorotUniform({ seed: seed + i }),
          ...(i === 0 ? { inputShape: [width] } : {}),
        }),
      ),
    );
    const out = o.task === 'multiclass' ? (o.classes ?? 3) : 1;
    const activation = o.task === 'multiclass' ? 'softmax' : o.task === 'binary' ? 'sigmoid' : 'linear';
    this.model.add(
      tf.layers.dense({
        units: out,
        activation,
        kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 100 }),
      }),
    );
    this.optimizer = tf.train.adam(o.learningRate ?? 0.01);
  }

  private input(batch: Omit<TrainBatch, 'ys'>): tf.Tensor2D {
    const parts = this.o.features.map((f) => tf.tensor2d(Float32Array.from(batch.xs[f.name]!), [batch.rows, f.width]));
    return parts.length === 1 ? parts[0]! : tf.concat2d(parts, 1);
  }

  /** per-example losses and metric values */
  private perExample(batch: TrainBatch): { loss: tf.Tensor; metric: tf.Tensor } {
    const p = this.model.apply(this.input(batch)) as tf.Tensor2D;
    const y = tf.tensor1d(batch.ys);
    const eps = 1e-7;
    if (this.o.task === 'multiclass') {
      const picked = tf.sum(tf.mul(p, tf.oneHot(tf.cast(y, 'int32'), p.shape[1])), 1);
      return {
        loss: tf.neg(tf.log(tf.clipByValue(picked, eps, 1))),
        metric: tf.cast(tf.equal(tf.argMax(p, 1), tf.cast(y, 'int32')), 'float32'),
      };
    }
    const q = p.reshape([batch.rows]);
    if (this.o.task === 'binary') {
      const c = tf.clipByValue(q, eps, 1 - eps);
      const loss = tf.neg(tf.add(tf.mul(y, tf.log(c)), tf.mul(tf.sub(1, y), tf.log(tf.sub(1, c)))));
      return { loss, metric: tf.cast(tf.equal(tf.greater(q, 0.5), tf.greater(y, 0.5)), 'float32') };
    }
    const d = tf.sub(q, y);
    return { loss: tf.square(d), metric: tf.abs(d) };
  }

  private metricName(): string {
    return this.o.task === 'regression' ? 'mae' : 'accuracy';
  }

  async step(batch: TrainBatch): Promise<number> {
    const vars = this.model.trainableWeights.map((w) => w.read() as tf.Variable);
    const { value, grads } = tf.variableGrads(
      () => tf.tidy(() => tf.mean(this.perExample(batch).loss) as tf.Scalar),
      vars,
    );
    this.optimizer.applyGradients(grads as tf.NamedTensorMap as never);
    const loss = (await value.data())[0]!;
    tf.dispose([value, ...Object.values(grads)]);
    this.steps++;
    return loss;
  }

  async evaluate(batch: TrainBatch): Promise<EvalSums> {
    const [l, m] = tf.tidy(() => {
      const { loss, metric } = this.perExample(batch);
      return [tf.sum(loss), tf.sum(metric)];
    });
    const out = {
      rows: batch.rows,
      lossSum: (await l!.data())[0]!,
      metricSums: { [this.metricName()]: (await m!.data())[0]! },
    };
    tf.dispose([l!, m!]);
    return out;
  }

  async predict(batch: Omit<TrainBatch, 'ys'>): Promise<Float32Array> {
    const p = tf.tidy(() => this.model.apply(this.input(batch)) as tf.Tensor);
    const v = (await p.data()) as Float32Array;
    p.dispose();
    return v;
  }

  async getState(): Promise<TrainState> {
    const weights = this.model.weights.map((w) => ({
      name: w.name,
      shape: w.shape as number[],
      values: Float32Array.from(w.read().dataSync()),
    }));
    const named = await this.optimizer.getWeights();
    const optimizer = named.map((n) => ({
      name: n.name,
      shape: n.tensor.shape,
      values: Float32Array.from(n.tensor.dataSync()),
    }));
    return { weights, optimizer, learningRate: this.learningRate };
  }

  async setState(state: TrainState): Promise<void> {
    this.model.setWeights(state.weights.map((w) => tf.tensor(w.values, w.shape)));
    if (state.optimizer.length)
      await this.optimizer.setWeights(
        state.optimizer.map((o) => ({ name: o.name, tensor: tf.tensor(o.values, o.shape) })),
      );
    await this.setLearningRate(state.learningRate);
  }

  get learningRate(): number {
    return (this.optimizer as unknown as { learningRate: number }).learningRate;
  }

  async setLearningRate(lr: number): Promise<void> {
    // Adam reads its learningRate field on every step
    (this.optimizer as unknown as { learningRate: number }).learningRate = lr;
  }

  async dispose(): Promise<void> {
    this.model.dispose();
    this.optimizer.dispose();
  }
}

export interface GeneratedExamples {
  uri: string;
  props: ExamplesProperties;
  features: InputFeature[];
}

export interface GenerateOptions {
  rows: number;
  rowsPerShard: number;
  split?: string;
  seed?: number;
  /** float columns x0..x{n-1} */
  scalars?: number;
  /** add a List<Float32> column `vec` of 2 values */
  list?: boolean;
  /** add an Int64 column `cat` (row % 5) and a Float32 weight column `w` (1 + row % 2) */
  ints?: boolean;
  /** make the label of this row null */
  nullLabelAt?: number;
}

/**
 * Rows with float features x0.., an id column `id` (the row number, to follow the order), and
 * a binary label `y` = (x0 + x1 > 1), in Examples shards under a new folder.
 */
export async function generateExamples(o: GenerateOptions, uri = tmpDir('tsfx-examples-')): Promise<GeneratedExamples> {
  const split = o.split ?? 'train';
  const n = o.scalars ?? 2;
  const rng = new SeededRandom(o.seed ?? 7);
  const cols: Record<string, Float32Array> = {};
  for (let k = 0; k < n; k++) cols[`x${k}`] = new Float32Array(o.rows).map(() => rng.next());
  const id = new Float32Array(o.rows).map((_, i) => i);
  const y: (number | null)[] = Array.from({ length: o.rows }, (_, i) =>
    i === o.nullLabelAt ? null : cols.x0![i]! + (cols.x1?.[i] ?? 0) > 1 ? 1 : 0,
  );
  let table: Table = tableFromArrays({ ...cols, id });
  const extra: Record<string, unknown> = { y: vectorFromArray(y, new Float32()) };
  if (o.list)
    extra.vec = vectorFromArray(
      Array.from({ length: o.rows }, (_, i) => [i, -i]),
      new List(new Field('item', new Float32(), true)),
    );
  if (o.ints) {
    extra.cat = vectorFromArray(BigInt64Array.from({ length: o.rows }, (_, i) => BigInt(i % 5)));
    extra.w = vectorFromArray(Float32Array.from({ length: o.rows }, (_, i) => 1 + (i % 2)));
  }
  const base = table;
  table = new Table({
    ...Object.fromEntries(base.schema.fields.map((f) => [f.name, base.getChildAt(base.schema.fields.indexOf(f))!])),
    ...extra,
  } as never);
  const shards = await writeSplitShards(table, uri, split, { rowsPerShard: o.rowsPerShard });
  const props: ExamplesProperties = {
    splitNames: [split],
    rowCounts: { [split]: o.rows },
    shards: { [split]: shards },
    features: [],
    format: 'arrow-ipc-file',
  };
  const features: InputFeature[] = Array.from({ length: n }, (_, k) => ({ name: `x${k}`, dtype: 'float32', width: 1 }));
  return { uri, props, features };
}
