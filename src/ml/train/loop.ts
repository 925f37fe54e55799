/**
 * The training loop: epochs of optimizer steps taken by a Stepper, validation after each epoch,
 * Keras-style callbacks, a checkpoint every epoch (`last`, and `best` by a monitored value) and
 * resume from `last`. What takes the steps (one model here, replicas in threads) is the
 * Stepper's business (stepper.ts); this file owns epochs, logs, checkpoints and stopping.
 *
 * Epochs are numbered from 0 in history, logs, CSV rows and TensorBoard steps, as Keras does;
 * messages count from 1 ("epoch 3/4"), as Keras prints them.
 */
import { DefinitionError, TsfxError } from '../../errors.js';
import { direction, type Callback, type Mode, type TrainContext } from './callbacks.js';
import { readCheckpoint, writeCheckpoint, type Checkpoint, type HistoryEntry } from './checkpoint.js';
import type { IterateOptions } from './dataset.js';
import { take, trainEpoch, validate, type Progress } from './epoch.js';
import type { Stepper, TrainBatch, TrainState } from './stepper.js';

export { NonFiniteLossError, type Progress } from './epoch.js';

/** What the loop needs of a dataset; ExamplesDataset is one. */
export interface TrainData {
  readonly batchesPerEpoch: number;
  epoch(epoch: number, opts?: IterateOptions): AsyncIterable<TrainBatch>;
  /** endless batches from global batch `start` (used with stepsPerEpoch) */
  stream(start: number, signal?: AbortSignal): AsyncIterable<TrainBatch>;
}

export interface TrainOptions {
  stepper: Stepper;
  train: TrainData;
  validation?: TrainData;
  epochs: number;
  /** a step budget per epoch instead of one pass over the data: data epochs run on across training epochs */
  stepsPerEpoch?: number;
  callbacks?: Callback[];
  /** where `last` and `best` go; a `last` found there is resumed */
  checkpointDir?: string;
  /** which epoch is `best` (default: val_loss with validation data, else loss) */
  checkpoint?: { monitor?: string; mode?: Mode };
  /** stops training at the next batch; train() then rejects with the signal's reason */
  signal?: AbortSignal;
  onProgress?: (p: Progress) => void | Promise<void>;
  /** steps between progress reports (default 20) */
  progressEvery?: number;
  /** compute training metrics (a forward pass before each step, as Keras reports them); default true */
  trainMetrics?: boolean;
  /** the dataset seed, recorded in checkpoints */
  seed?: number;
}

export interface TrainResult {
  history: HistoryEntry[];
  /** epochs run by this call (a resume runs fewer) */
  epochsRun: number;
  initialEpoch: number;
  resumed: boolean;
  /** a callback stopped training before `epochs` */
  stoppedEarly: boolean;
}

/** Train `stepper` for `epochs`, resuming from `checkpointDir`'s `last` checkpoint if there is one. */
export async function train(o: TrainOptions): Promise<TrainResult> {
  const { stepper, signal } = o;
  for (const key of ['epochs', 'stepsPerEpoch', 'progressEvery'] as const) {
    const v = o[key];
    if (v !== undefined && !(Number.isInteger(v) && v > 0))
      throw new DefinitionError(`must be a positive integer, got ${v}`, [key]);
  }
  const callbacks = o.callbacks ?? [];
  const names = new Set<string>();
  for (const cb of callbacks) {
    if (names.has(cb.name))
      throw new TsfxError(`two callbacks named '${cb.name}': their checkpoint state would collide`);
    names.add(cb.name);
  }
  const resume = o.checkpointDir ? await readCheckpoint(o.checkpointDir, 'last') : undefined;
  const history: HistoryEntry[] = resume?.history ?? [];
  const initialEpoch = resume ? resume.epoch + 1 : 0;
  if (resume) {
    checkFits(o.checkpointDir!, resume.state, await stepper.getState());
    await stepper.setState(resume.state);
  }
  if (resume?.done) {
    return { history, epochsRun: 0, initialEpoch, resumed: true, stoppedEarly: history.length < o.epochs };
  }

  let learningRate = resume?.state.learningRate ?? (await stepper.getState()).learningRate;
  const ctx: TrainContext = {
    stepper,
    epochs: o.epochs,
    initialEpoch,
    history,
    get learningRate() {
      return learningRate;
    },
    async setLearningRate(lr: number) {
      await stepper.setLearningRate(lr);
      learningRate = lr;
    },
    stopTraining: false,
  };
  for (const cb of callbacks) await cb.onTrainBegin?.(ctx);
  if (resume) for (const cb of callbacks) if (resume.callbacks[cb.name]) cb.setState?.(resume.callbacks[cb.name]!);
  ctx.stopTraining = resume?.stopTraining ?? false;

  const bestMonitor = o.checkpoint?.monitor ?? (o.validation ? 'val_loss' : 'loss');
  const bestSign = direction(bestMonitor, o.checkpoint?.mode ?? 'auto') === 'min' ? 1 : -1;
  let best = resume?.best;
  const stepsPerEpoch = o.stepsPerEpoch ?? o.train.batchesPerEpoch;
  // with a step budget one stream runs through all epochs: a new one per epoch would re-read what it skips
  const stream = o.stepsPerEpoch
    ? o.train.stream(initialEpoch * o.stepsPerEpoch, signal)[Symbol.asyncIterator]()
    : undefined;
  let epoch = initialEpoch;
  try {
    for (; epoch < o.epochs && !ctx.stopTraining; epoch++) {
      const last = history.at(-1);
      const kept =
        last && o.checkpointDir
          ? `the checkpoint of epoch ${last.epoch + 1} is kept in ${o.checkpointDir}`
          : 'no checkpoint was written before it';
      const eo = {
        stepper,
        epochs: o.epochs,
        stepsPerEpoch,
        signal,
        trainMetrics: o.trainMetrics ?? true,
        onProgress: o.onProgress,
        progressEvery: o.progressEvery ?? 20,
        last: last?.logs,
        kept,
      };
      const batches = stream ? take(stream, stepsPerEpoch) : o.train.epoch(epoch, { signal });
      const { logs, steps } = await trainEpoch(eo, epoch, batches);
      if (o.validation) Object.assign(logs, await validate(stepper, o.validation.epoch(0, { signal }), signal));
      logs.learning_rate = learningRate;
      history.push({ epoch, logs });
      for (const cb of callbacks) await cb.onEpochEnd?.(epoch, logs, ctx);

      if (o.checkpointDir) {
        const value = logs[bestMonitor];
        const improved =
          value !== undefined && Number.isFinite(value) && (!best || bestSign * (value - best.value) < 0);
        if (improved) best = { monitor: bestMonitor, value: value!, epoch };
        const ckpt = await checkpointOf(o, ctx, callbacks, epoch, false, best);
        await writeCheckpoint(o.checkpointDir, 'last', ckpt);
        if (improved) await writeCheckpoint(o.checkpointDir, 'best', ckpt);
      }
      await o.onProgress?.({
        epoch,
        epochs: o.epochs,
        step: steps,
        stepsPerEpoch,
        loss: logs.loss!,
        last: logs,
        at: 'epoch',
      });
    }
  } finally {
    await stream?.return?.();
  }
  for (const cb of callbacks) await cb.onTrainEnd?.(ctx);
  // the final weights (restored best ones included) as a `done` last: a retry after this returns at once
  if (o.checkpointDir && history.length) {
    await writeCheckpoint(
      o.checkpointDir,
      'last',
      await checkpointOf(o, ctx, callbacks, history.at(-1)!.epoch, true, best),
    );
  }
  const stoppedEarly = ctx.stopTraining && epoch < o.epochs;
  return { history, epochsRun: epoch - initialEpoch, initialEpoch, resumed: !!resume, stoppedEarly };
}

async function checkpointOf(
  o: TrainOptions,
  ctx: TrainContext,
  callbacks: Callback[],
  epoch: number,
  done: boolean,
  best: Checkpoint['best'],
): Promise<Checkpoint> {
  const state = await o.stepper.getState();
  const steps = o.stepsPerEpoch ?? o.train.batchesPerEpoch;
  return {
    epoch,
    done,
    stopTraining: ctx.stopTraining,
    state: { ...state, learningRate: ctx.learningRate },
    history: ctx.history,
    callbacks: Object.fromEntries(callbacks.filter((cb) => cb.getState).map((cb) => [cb.name, cb.getState!()])),
    data: { seed: o.seed ?? 0, nextEpoch: epoch + 1, nextBatch: (epoch + 1) * steps },
    best,
  };
}

/** A checkpoint of another model (a changed module) can't be resumed: say so instead of failing inside tfjs. */
function checkFits(dir: string, saved: TrainState, model: TrainState): void {
  const shapes = (s: TrainState) => s.weights.map((w) => `[${w.shape.join(',')}]`).join(' ');
  if (shapes(saved) !== shapes(model)) {
    throw new DefinitionError(
      `the checkpoint in ${dir} holds weights of shapes ${shapes(saved)}, the model has ${shapes(model)}: ` +
        'it was made by another model; remove it to start over',
    );
  }
}
