/**
 * The contract between the training loop (src/ml/train/loop.ts) and what takes its optimizer
 * steps: one model in this thread (local-stepper.ts) or n replicas in worker threads averaging
 * their gradients each step (replica-stepper.ts). The loop owns epochs, callbacks, checkpoints
 * and logs; a Stepper owns the model, the optimizer and the backend it runs on.
 *
 * Batches are plain typed arrays (row-major), so they cross into worker threads without tfjs.
 */

/** One feature the model reads, as the transformed Examples hold it. */
export interface InputFeature {
  /** the transformed feature's name; a model input of the same name receives it */
  name: string;
  dtype: 'float32' | 'int32';
  /** values per example (1 for a scalar feature, k for a one-hot of k) */
  width: number;
  /** for an integer id feature made by a vocabulary or a hash: how many distinct ids (Embedding's inputDim) */
  cardinality?: number;
}

export type Task = 'binary' | 'multiclass' | 'regression';

/** What builds the same model in any thread: the user's module, its hparams and the feature spec. */
export interface ModelSource {
  /** absolute path of the user's model module (TS or JS); imported in every replica thread */
  module: string;
  /** already validated against the module's exported zod schema */
  hparams: Record<string, unknown>;
  features: InputFeature[];
  label: { name: string; task: Task; classes?: string[] };
  /** seeds weight initialisation, so replicas start from the same weights */
  seed: number;
}

export interface TrainBatch {
  rows: number;
  /** per input feature name: rows * width values, row-major */
  xs: Record<string, Float32Array | Int32Array>;
  /** rows labels: class ids for classification, values for regression */
  ys: Float32Array;
  /** optional per-example weights */
  weights?: Float32Array;
}

export interface EvalSums {
  rows: number;
  /** sum over examples of the loss (mean = lossSum / rows) */
  lossSum: number;
  /** per metric, sum over examples (accuracy: count correct) */
  metricSums: Record<string, number>;
}

/** Weights and optimizer state as plain arrays: what a checkpoint stores. */
export interface TrainState {
  weights: { name: string; shape: number[]; values: Float32Array }[];
  optimizer: { name: string; shape: number[]; values: Float32Array }[];
  learningRate: number;
}

export interface Stepper {
  /** backend actually used, and why (fallbacks included) */
  readonly backend: { name: string; package: string; reason: string };
  /** one optimizer step on the whole batch; returns its mean loss */
  step(batch: TrainBatch): Promise<number>;
  /** loss and metric sums on a batch, no update */
  evaluate(batch: TrainBatch): Promise<EvalSums>;
  /** predictions for a batch: rows * outputWidth values */
  predict(batch: Omit<TrainBatch, 'ys'>): Promise<Float32Array>;
  getState(): Promise<TrainState>;
  setState(state: TrainState): Promise<void>;
  setLearningRate(lr: number): Promise<void>;
  dispose(): Promise<void>;
}
