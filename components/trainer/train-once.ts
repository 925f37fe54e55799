/**
 * One training run, shared by the Trainer and every Tuner trial: the datasets over the
 * transformed Examples, the stepper (local or replicas), the callbacks (early stopping,
 * reduce-LR, CSV log, TensorBoard) and the loop, with checkpoints, log and events in `workDir`
 * so a retried attempt resumes from the last epoch. What is done with the trained weights (a
 * Model, or only a trial's score) is the caller's business.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import type { ExamplesProperties } from '../../schemas/artifacts.js';
import type { ExecutorContext, InputArtifact } from '../../src/dsl/component.js';
import { DefinitionError } from '../../src/errors.js';
import { loadModel } from '../../src/ml/fs-model-io.js';
import { EarlyStopping, ReduceLROnPlateau, type Callback } from '../../src/ml/train/callbacks.js';
import { CsvLogger } from '../../src/ml/train/csv-logger.js';
import { createStepper, type DescribedStepper } from '../../src/ml/train/create-stepper.js';
import { ExamplesDataset } from '../../src/ml/train/dataset.js';
import { train, type Progress, type TrainResult } from '../../src/ml/train/loop.js';
import type { ModelSource, TrainState } from '../../src/ml/train/stepper.js';
import { TensorBoard } from '../../src/ml/train/tensorboard.js';
import type { BackendDescription } from '../../src/ml/train/training-backend.js';
import { CHECKPOINTS_DIR, TENSORBOARD_DIR, TRAINING_LOG, type TrainerParams } from './spec.js';

/** The Trainer params one training run reads (the Tuner shares them). */
export type TrainingParams = Pick<
  TrainerParams,
  | 'weightFeature'
  | 'trainSplit'
  | 'evalSplit'
  | 'epochs'
  | 'stepsPerEpoch'
  | 'batchSize'
  | 'shuffleBuffer'
  | 'seed'
  | 'earlyStopping'
  | 'reduceLrOnPlateau'
  | 'strategy'
  | 'backend'
>;

export interface TrainOnceArgs {
  source: ModelSource;
  examples: InputArtifact<'Examples'>;
  params: TrainingParams;
  /** checkpoints, CSV log and TensorBoard events go here; a `last` checkpoint found here is resumed */
  workDir: string;
  ctx: Pick<ExecutorContext, 'log' | 'signal'>;
  onProgress?: (p: Progress) => void;
  /** the folder of a Model whose weights training starts from (ignored when resuming) */
  warmStartFrom?: string;
  /** who is training, for log lines: "Trainer", "Tuner trial 2" */
  who: string;
}

export interface TrainOnceResult {
  result: TrainResult;
  /** the trained weights (the restored best ones with early stopping) */
  state: TrainState;
  backend: BackendDescription;
  /** the epoch (0-based) whose weights `state` holds: the best one when early stopping restored it */
  modelEpoch: number;
}

/** Train once; the stepper is disposed before this returns or throws. */
export async function trainOnce(a: TrainOnceArgs): Promise<TrainOnceResult> {
  const { source, params, ctx } = a;
  const props = a.examples.properties as ExamplesProperties;
  const dataset = (split: string, shuffle: boolean) =>
    new ExamplesDataset({
      uri: a.examples.path,
      props,
      split,
      features: source.features,
      label: source.label.name,
      ...(params.weightFeature ? { weight: params.weightFeature } : {}),
      batchSize: params.batchSize,
      shuffleBuffer: shuffle ? params.shuffleBuffer : 0,
      seed: params.seed,
    });
  if (!props.splitNames.includes(params.trainSplit))
    throw new DefinitionError(`split '${params.trainSplit}' is not in the Examples (${props.splitNames.join(', ')})`, ['params', 'trainSplit']);
  const evalSplit = params.evalSplit && props.splitNames.includes(params.evalSplit) ? params.evalSplit : undefined;
  if (params.evalSplit && !evalSplit) ctx.log(`${a.who}: no split '${params.evalSplit}' to validate on; training without validation`);

  await fs.mkdir(a.workDir, { recursive: true });
  const checkpointDir = path.join(a.workDir, CHECKPOINTS_DIR);
  const stepper = await createStepper(source, { ...(params.strategy ? { strategy: params.strategy } : {}), ...(params.backend ? { backend: params.backend } : {}) });
  ctx.log(`${a.who}: ${source.features.length} input features, ${source.label.task} label ${source.label.name}; backend ${stepper.backend.package} (${stepper.backend.reason})`);
  try {
    // a resumed attempt has a checkpoint: it carries the warm-started weights already
    if (a.warmStartFrom && !(await exists(path.join(checkpointDir, 'last')))) await warmStart(stepper, a.warmStartFrom);
    const callbacks = callbacksOf(params, a.workDir, !!evalSplit);
    const result = await train({
      stepper,
      train: dataset(params.trainSplit, true),
      ...(evalSplit ? { validation: dataset(evalSplit, false) } : {}),
      epochs: params.epochs,
      ...(params.stepsPerEpoch ? { stepsPerEpoch: params.stepsPerEpoch } : {}),
      callbacks,
      checkpointDir,
      ...(params.earlyStopping ? { checkpoint: { monitor: params.earlyStopping.monitor } } : {}),
      signal: ctx.signal,
      ...(a.onProgress ? { onProgress: a.onProgress } : {}),
      seed: params.seed,
    });
    const early = callbacks.find((c): c is EarlyStopping => c instanceof EarlyStopping);
    const restored = params.earlyStopping?.restoreBestWeights && early && result.history.some((h) => h.epoch === early.bestEpochIndex);
    const modelEpoch = restored ? early.bestEpochIndex : (result.history.at(-1)?.epoch ?? 0);
    return { result, state: await stepper.getState(), backend: stepper.description, modelEpoch };
  } finally {
    await stepper.dispose();
  }
}

function callbacksOf(params: TrainingParams, work: string, validation: boolean): Callback[] {
  const valOnly = (monitor: string) => {
    if (monitor.startsWith('val_') && !validation)
      throw new DefinitionError(`monitor '${monitor}' needs validation data; set evalSplit or monitor 'loss'`, ['params']);
    return monitor;
  };
  const out: Callback[] = [];
  if (params.earlyStopping) out.push(new EarlyStopping({ ...params.earlyStopping, monitor: valOnly(params.earlyStopping.monitor) }));
  if (params.reduceLrOnPlateau) out.push(new ReduceLROnPlateau({ ...params.reduceLrOnPlateau, monitor: valOnly(params.reduceLrOnPlateau.monitor) }));
  out.push(new CsvLogger({ file: path.join(work, TRAINING_LOG) }));
  out.push(new TensorBoard({ logDir: path.join(work, TENSORBOARD_DIR) }));
  return out;
}

/** What `tsfx run` draws for a training node: epoch, step, loss and the last validation metric. */
export function progressOf(p: Progress, prefix = ''): Parameters<ExecutorContext['heartbeat']>[0] {
  const val = Object.entries(p.last ?? {}).filter(([k]) => k.startsWith('val_'));
  const shown = [`epoch ${p.epoch + 1}/${p.epochs}`, `step ${p.step}/${p.stepsPerEpoch}`, `loss ${p.loss.toPrecision(4)}`, ...val.map(([k, v]) => `${k} ${v.toPrecision(4)}`)];
  return { done: p.epoch * p.stepsPerEpoch + p.step, total: p.epochs * p.stepsPerEpoch, unit: 'steps', message: prefix + shown.join(' · ') };
}

/** The base model's weights as the starting point (same architecture required; the optimizer starts fresh). */
async function warmStart(stepper: DescribedStepper, modelDir: string): Promise<void> {
  const base = await loadModel(modelDir);
  try {
    const now = await stepper.getState();
    const weights = base.getWeights();
    const shapes = (s: number[][]) => s.map((x) => `[${x.join(',')}]`).join(' ');
    if (shapes(weights.map((w) => w.shape)) !== shapes(now.weights.map((w) => w.shape)))
      throw new DefinitionError(
        `warm start: the base model's weights (${shapes(weights.map((w) => w.shape))}) do not fit this model's (${shapes(now.weights.map((w) => w.shape))})`,
        ['params', 'warmStart'],
      );
    const values = await Promise.all(weights.map((w) => w.data() as Promise<Float32Array>));
    await stepper.setState({ ...now, weights: now.weights.map((w, i) => ({ ...w, values: Float32Array.from(values[i]!) })) });
  } finally {
    base.dispose();
  }
}

export const exists = (p: string) => fs.stat(p).then(() => true, () => false);
