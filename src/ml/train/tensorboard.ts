/**
 * Keras' TensorBoard callback, writing the events files itself (tensorboard-events.ts):
 * `<logDir>/train/` gets epoch_loss, epoch_<metric> and epoch_learning_rate, `<logDir>/validation/`
 * gets the val_* logs under the same tags (epoch_loss, epoch_<metric>), the step being the
 * 0-based epoch; each weight's histogram (`<weight>/histogram`) goes to train/ every
 * `histogramFreq` epochs, under the names the first run's weights had. A resumed run opens new files that start with a restart marker, so
 * TensorBoard drops an epoch the killed run logged past its last checkpoint.
 */
import path from 'node:path';
import type { Callback, TrainContext } from './callbacks.js';
import type { CallbackState, Logs } from './checkpoint.js';
import { EventWriter, histogram, type Histogram } from './tensorboard-events.js';

export interface TensorBoardOptions {
  logDir: string;
  /** epochs between weight histograms; 0 writes none (default 1) */
  histogramFreq?: number;
}

export class TensorBoard implements Callback {
  readonly name = 'tensorboard';
  private train: EventWriter | undefined;
  private validation: EventWriter | undefined;
  private initialEpoch = 0;
  /** histogram tags by weight position, fixed by the first epoch ever logged: tfjs numbers its layer names per process, so a resumed model's names may differ */
  private tags: string[] | undefined;

  constructor(private readonly o: TensorBoardOptions) {}

  async onTrainBegin(ctx: TrainContext): Promise<void> {
    this.initialEpoch = ctx.initialEpoch;
    this.train = await this.open('train');
    this.validation = undefined;
    this.tags = undefined;
  }

  getState(): CallbackState {
    return { json: { tags: this.tags ?? null } };
  }

  setState(s: CallbackState): void {
    this.tags = (s.json as { tags: string[] | null }).tags ?? undefined;
  }

  private async open(sub: 'train' | 'validation'): Promise<EventWriter> {
    const w = await EventWriter.create(path.join(this.o.logDir, sub));
    if (this.initialEpoch > 0) await w.restart(this.initialEpoch);
    return w;
  }

  async onEpochEnd(epoch: number, logs: Logs, ctx: TrainContext): Promise<void> {
    const train: Record<string, number> = {};
    const val: Record<string, number> = {};
    for (const [k, v] of Object.entries(logs)) {
      if (k.startsWith('val_')) val[`epoch_${k.slice(4)}`] = v;
      else train[`epoch_${k}`] = v;
    }
    const histograms: Record<string, Histogram> = {};
    const freq = this.o.histogramFreq ?? 1;
    if (freq > 0 && epoch % freq === 0) {
      const weights = (await ctx.stepper.getState()).weights;
      if (this.tags?.length !== weights.length) this.tags = weights.map((w) => `${w.name}/histogram`);
      weights.forEach((w, i) => (histograms[this.tags![i]!] = histogram(w.values)));
    }
    await this.train!.summary(epoch, train, histograms);
    if (Object.keys(val).length) {
      this.validation ??= await this.open('validation');
      await this.validation.summary(epoch, val);
    }
  }
}
