/**
 * Training callbacks as Keras users know them: the hooks (`onTrainBegin`, `onEpochEnd`,
 * `onTrainEnd`), EarlyStopping and ReduceLROnPlateau with Keras 3's semantics, and the state
 * each keeps in a checkpoint so a resumed run goes on counting patience where it stopped.
 * CsvLogger (csv-logger.ts) and TensorBoard (tensorboard.ts) implement the same interface.
 */
import { DefinitionError } from '../../errors.js';
import type { CallbackState, HistoryEntry, Logs } from './checkpoint.js';
import type { Stepper } from './stepper.js';

/** What a callback sees of the running training. */
export interface TrainContext {
  readonly stepper: Stepper;
  /** epochs asked for */
  readonly epochs: number;
  /** the first epoch this call runs (0 unless resumed) */
  readonly initialEpoch: number;
  /** every completed epoch, resumed ones included */
  readonly history: HistoryEntry[];
  /** the learning rate in effect */
  readonly learningRate: number;
  setLearningRate(lr: number): Promise<void>;
  /** set to end training after the current epoch */
  stopTraining: boolean;
}

export interface Callback {
  /** unique among a run's callbacks: keys its state in checkpoints */
  readonly name: string;
  /** before the first epoch; on a resume, before `setState` and with the restored history */
  onTrainBegin?(ctx: TrainContext): Promise<void> | void;
  /** after each epoch's validation; `logs` holds loss, metrics, val_* and learning_rate */
  onEpochEnd?(epoch: number, logs: Logs, ctx: TrainContext): Promise<void> | void;
  /** after the last epoch (not after a failure or an abort) */
  onTrainEnd?(ctx: TrainContext): Promise<void> | void;
  getState?(): CallbackState;
  setState?(state: CallbackState): void;
}

export type Mode = 'auto' | 'min' | 'max';

/** Whether a monitored quantity improves downwards ('min') or upwards ('max'). */
export function direction(monitor: string, mode: Mode): 'min' | 'max' {
  if (mode !== 'auto') return mode;
  const m = monitor.replace(/^val_/, '');
  if (/loss|error|mse|mae|mape|crossentropy/.test(m)) return 'min';
  if (/acc|auc|precision|recall|f1/.test(m)) return 'max';
  throw new DefinitionError(`cannot tell whether '${monitor}' should go up or down; set mode: 'min' or 'max'`, [
    'mode',
  ]);
}

/** The monitored value of `logs`, or a DefinitionError listing what there is (Keras only warns, and never acts). */
export function monitored(who: string, monitor: string, logs: Logs): number {
  const v = logs[monitor];
  if (v === undefined) {
    throw new DefinitionError(
      `${who} monitors '${monitor}', which the logs don't have (they have: ${Object.keys(logs).join(', ')})`,
      ['monitor'],
    );
  }
  return v;
}

export interface EarlyStoppingOptions {
  monitor?: string;
  /** an absolute change smaller than this is no improvement */
  minDelta?: number;
  /** epochs without improvement before stopping */
  patience?: number;
  mode?: Mode;
  /** stop unless the monitor beats this (and the best so far) */
  baseline?: number;
  /** at the end of training, go back to the weights of the best epoch */
  restoreBestWeights?: boolean;
  /** epochs to wait before monitoring at all */
  startFromEpoch?: number;
}

/** Keras' EarlyStopping; restoreBestWeights works (tfjs-layers 4.22's throws). */
export class EarlyStopping implements Callback {
  readonly name: string;
  private readonly o: Required<Omit<EarlyStoppingOptions, 'baseline'>> & { baseline?: number };
  private wait = 0;
  private best = Infinity;
  private bestEpoch = 0;
  stoppedEpoch = 0;
  private bestWeights: CallbackState['arrays'];

  constructor(o: EarlyStoppingOptions = {}) {
    this.o = {
      monitor: 'val_loss',
      minDelta: 0,
      patience: 0,
      mode: 'auto',
      restoreBestWeights: false,
      startFromEpoch: 0,
      ...o,
    };
    this.o.minDelta = Math.abs(this.o.minDelta);
    this.name = `early-stopping:${this.o.monitor}`;
    this.reset();
  }

  private get sign(): number {
    return direction(this.o.monitor, this.o.mode) === 'min' ? 1 : -1;
  }

  private reset(): void {
    this.wait = 0;
    this.stoppedEpoch = 0;
    this.best = this.sign * Infinity;
    this.bestEpoch = 0;
    this.bestWeights = undefined;
  }

  /** better than `ref` by more than minDelta, in the monitor's direction */
  private improves(v: number, ref: number): boolean {
    return this.sign * (v - ref) + this.o.minDelta < 0;
  }

  onTrainBegin(): void {
    this.reset();
  }

  async onEpochEnd(epoch: number, logs: Logs, ctx: TrainContext): Promise<void> {
    const current = monitored('EarlyStopping', this.o.monitor, logs);
    if (epoch < this.o.startFromEpoch) return;
    // as Keras: before any improvement, the first monitored epoch's weights are the best
    if (this.o.restoreBestWeights && !this.bestWeights) {
      this.bestWeights = (await ctx.stepper.getState()).weights;
      this.bestEpoch = epoch;
    }
    this.wait++;
    if (this.improves(current, this.best)) {
      this.best = current;
      this.bestEpoch = epoch;
      if (this.o.restoreBestWeights) this.bestWeights = (await ctx.stepper.getState()).weights;
      if (this.o.baseline === undefined || this.improves(current, this.o.baseline)) this.wait = 0;
      return;
    }
    if (this.wait >= this.o.patience && epoch > 0) {
      this.stoppedEpoch = epoch;
      ctx.stopTraining = true;
    }
  }

  async onTrainEnd(ctx: TrainContext): Promise<void> {
    if (!this.o.restoreBestWeights || !this.bestWeights) return;
    const state = await ctx.stepper.getState();
    await ctx.stepper.setState({ ...state, weights: this.bestWeights });
  }

  /** the epoch whose weights restoreBestWeights brings back */
  get bestEpochIndex(): number {
    return this.bestEpoch;
  }

  getState(): CallbackState {
    return {
      json: { wait: this.wait, best: this.best, bestEpoch: this.bestEpoch, stoppedEpoch: this.stoppedEpoch },
      arrays: this.bestWeights,
    };
  }

  setState(s: CallbackState): void {
    const j = s.json as { wait: number; best: number; bestEpoch: number; stoppedEpoch: number };
    Object.assign(this, { wait: j.wait, best: j.best, bestEpoch: j.bestEpoch, stoppedEpoch: j.stoppedEpoch });
    this.bestWeights = s.arrays?.length ? s.arrays : undefined;
  }
}

export interface ReduceLROnPlateauOptions {
  monitor?: string;
  /** new lr = lr * factor; below 1 */
  factor?: number;
  patience?: number;
  mode?: Mode;
  minDelta?: number;
  /** epochs after a reduction during which nothing counts */
  cooldown?: number;
  minLr?: number;
}

/** Keras' ReduceLROnPlateau (keras/src/callbacks/reduce_lr_on_plateau.py), state kept across resumes. */
export class ReduceLROnPlateau implements Callback {
  readonly name: string;
  private readonly o: Required<ReduceLROnPlateauOptions>;
  private best = Infinity;
  private wait = 0;
  private cooldownCounter = 0;

  constructor(o: ReduceLROnPlateauOptions = {}) {
    this.o = {
      monitor: 'val_loss',
      factor: 0.1,
      patience: 10,
      mode: 'auto',
      minDelta: 1e-4,
      cooldown: 0,
      minLr: 0,
      ...o,
    };
    if (!(this.o.factor < 1))
      throw new DefinitionError(`ReduceLROnPlateau needs a factor below 1, got ${this.o.factor}`, ['factor']);
    this.name = `reduce-lr-on-plateau:${this.o.monitor}`;
    this.reset();
  }

  private get sign(): number {
    return direction(this.o.monitor, this.o.mode) === 'min' ? 1 : -1;
  }

  private reset(): void {
    this.best = this.sign * Infinity;
    this.wait = 0;
    this.cooldownCounter = 0;
  }

  onTrainBegin(): void {
    this.reset();
  }

  async onEpochEnd(_epoch: number, logs: Logs, ctx: TrainContext): Promise<void> {
    const current = monitored('ReduceLROnPlateau', this.o.monitor, logs);
    if (this.cooldownCounter > 0) {
      this.cooldownCounter--;
      this.wait = 0;
    }
    if (this.sign * (current - this.best) + this.o.minDelta < 0) {
      this.best = current;
      this.wait = 0;
    } else if (this.cooldownCounter === 0) {
      this.wait++;
      if (this.wait >= this.o.patience) {
        const old = ctx.learningRate;
        // Keras compares against the float32 minLr, the optimizer's own precision
        if (old > Math.fround(this.o.minLr)) {
          await ctx.setLearningRate(Math.max(old * this.o.factor, this.o.minLr));
          this.cooldownCounter = this.o.cooldown;
          this.wait = 0;
        }
      }
    }
  }

  getState(): CallbackState {
    return { json: { best: this.best, wait: this.wait, cooldownCounter: this.cooldownCounter } };
  }

  setState(s: CallbackState): void {
    const j = s.json as { best: number; wait: number; cooldownCounter: number };
    Object.assign(this, j);
  }
}
