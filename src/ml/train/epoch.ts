/**
 * One training epoch and one validation pass: the loop's inner parts (loop.ts). Losses are
 * averaged over examples, as Keras' loss tracker weighs each batch's mean by its size.
 */
import { TsfxError } from '../../errors.js';
import type { Logs } from './checkpoint.js';
import type { EvalSums, Stepper, TrainBatch } from './stepper.js';

/** The training loss became NaN or infinite: not retryable (the same data and weights do it again). */
export class NonFiniteLossError extends TsfxError {
  override name = 'NonFiniteLossError';
  override readonly retryable = false;
  constructor(
    readonly epoch: number,
    readonly step: number,
    readonly loss: number,
    epochs: number,
    kept: string,
  ) {
    super(`training loss is ${loss} at epoch ${epoch + 1}/${epochs}, step ${step + 1}: training stopped; ${kept}`);
  }
}

/** What the loop reports every few steps (heartbeats, `tsfx run`'s live view). */
export interface Progress {
  /** 0-based */
  epoch: number;
  epochs: number;
  /** steps done in this epoch */
  step: number;
  stepsPerEpoch: number;
  /** mean training loss of this epoch so far */
  loss: number;
  /** the last completed epoch's logs (val_* included), if any */
  last?: Logs;
  /** 'epoch' once per epoch, after its checkpoint */
  at: 'step' | 'epoch';
}

export interface EpochOptions {
  stepper: Stepper;
  epochs: number;
  stepsPerEpoch: number;
  signal?: AbortSignal;
  trainMetrics: boolean;
  onProgress?: (p: Progress) => void | Promise<void>;
  progressEvery: number;
  /** the last completed epoch's logs, for progress reports */
  last?: Logs;
  /** for the NaN message: what the failure leaves in place */
  kept: string;
}

type Sums = { rows: number; lossSum: number; metricSums: Record<string, number> };

export const aborted = (signal: AbortSignal): unknown =>
  signal.reason ?? new DOMException('training aborted', 'AbortError');

function addMetrics(into: Sums, s: EvalSums): void {
  for (const [k, v] of Object.entries(s.metricSums)) into.metricSums[k] = (into.metricSums[k] ?? 0) + v;
}

/** Steps over `batches`; returns the epoch's training logs (loss and metrics) and the steps taken. */
export async function trainEpoch(
  o: EpochOptions,
  epoch: number,
  batches: AsyncIterable<TrainBatch>,
): Promise<{ logs: Logs; steps: number }> {
  const sums: Sums = { rows: 0, lossSum: 0, metricSums: {} };
  let step = 0;
  for await (const batch of batches) {
    if (o.signal?.aborted) throw aborted(o.signal);
    // Keras reports training metrics on each batch before its update: a forward pass first
    if (o.trainMetrics) addMetrics(sums, await o.stepper.evaluate(batch));
    const loss = await o.stepper.step(batch);
    if (!Number.isFinite(loss)) throw new NonFiniteLossError(epoch, step, loss, o.epochs, o.kept);
    sums.rows += batch.rows;
    sums.lossSum += loss * batch.rows;
    step++;
    if (o.onProgress && step % o.progressEvery === 0) {
      const loss = sums.lossSum / sums.rows;
      await o.onProgress({
        epoch,
        epochs: o.epochs,
        step,
        stepsPerEpoch: o.stepsPerEpoch,
        loss,
        last: o.last,
        at: 'step',
      });
    }
  }
  if (o.signal?.aborted) throw aborted(o.signal);
  if (sums.rows === 0) throw new TsfxError(`epoch ${epoch + 1}/${o.epochs} had no training batch`);
  const logs: Logs = { loss: sums.lossSum / sums.rows };
  for (const [k, v] of Object.entries(sums.metricSums)) logs[k] = v / sums.rows;
  return { logs, steps: step };
}

/** Mean loss and metrics over one pass of `batches`, as val_* logs. */
export async function validate(
  stepper: Stepper,
  batches: AsyncIterable<TrainBatch>,
  signal?: AbortSignal,
): Promise<Logs> {
  const sums: Sums = { rows: 0, lossSum: 0, metricSums: {} };
  for await (const batch of batches) {
    if (signal?.aborted) throw aborted(signal);
    const s = await stepper.evaluate(batch);
    sums.rows += s.rows;
    sums.lossSum += s.lossSum;
    addMetrics(sums, s);
  }
  if (sums.rows === 0) return {};
  const logs: Logs = { val_loss: sums.lossSum / sums.rows };
  for (const [k, v] of Object.entries(sums.metricSums)) logs[`val_${k}`] = v / sums.rows;
  return logs;
}

/** The first `n` items of `it`, leaving it open for the next epoch. */
export async function* take<T>(it: AsyncIterator<T>, n: number): AsyncGenerator<T> {
  for (let i = 0; i < n; i++) {
    const r = await it.next();
    if (r.done) return;
    yield r.value;
  }
}
