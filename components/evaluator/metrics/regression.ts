/**
 * Regression metrics, streaming and mergeable. R^2's denominator (the weighted spread of the
 * labels) is kept as a running weighted mean and M2 (West's update, Chan's merge) rather than
 * sum(y^2) - sum(y)^2 / n, which cancels catastrophically for labels far from 0.
 */
import { checkFinite, checkLengths, checkWeight, ratio, type ExampleRef } from './inputs.js';

/** Every regression metric; a NaN value has its reason in `reasons`. */
export interface RegressionMetrics {
  exampleCount: number;
  weightedExampleCount: number;
  meanLabel: number;
  meanPrediction: number;
  mse: number;
  rmse: number;
  mae: number;
  /** 1 - sum(w (y - p)^2) / sum(w (y - mean_w(y))^2); NaN when the labels are constant */
  r2: number;
  reasons: Partial<Record<'meanLabel' | 'meanPrediction' | 'mse' | 'rmse' | 'mae' | 'r2', string>>;
}

/** Streaming regression metrics over real labels and predictions. */
export class RegressionAccumulator {
  private count = 0;
  private sumW = 0;
  private sumWPred = 0;
  private sumWSquaredError = 0;
  private sumWAbsError = 0;
  private labelMean = 0;
  private labelM2 = 0;

  /** Adds one example; `ref` names it in errors. */
  add(label: number, prediction: number, weight?: number, ref: ExampleRef = this.count): this {
    const y = checkFinite(label, 'label', ref);
    const p = checkFinite(prediction, 'prediction', ref);
    const w = checkWeight(weight, ref);
    this.count++;
    if (w === 0) return this;
    const e = y - p;
    this.sumW += w;
    this.sumWPred += w * p;
    this.sumWSquaredError += w * e * e;
    this.sumWAbsError += w * Math.abs(e);
    const delta = y - this.labelMean;
    this.labelMean += (w / this.sumW) * delta;
    this.labelM2 += w * delta * (y - this.labelMean);
    return this;
  }

  /** Adds parallel arrays of labels, predictions and (optional) weights. */
  addBatch(labels: ArrayLike<number>, predictions: ArrayLike<number>, weights?: ArrayLike<number>): this {
    checkLengths(labels.length, { predictions: predictions.length, weights: weights?.length });
    for (let i = 0; i < labels.length; i++) this.add(labels[i]!, predictions[i]!, weights?.[i], this.count);
    return this;
  }

  /** Folds another accumulator into this one. */
  merge(other: RegressionAccumulator): this {
    const w = this.sumW + other.sumW;
    if (other.sumW > 0) {
      const delta = other.labelMean - this.labelMean;
      this.labelM2 += other.labelM2 + (delta * delta * this.sumW * other.sumW) / w;
      this.labelMean += (delta * other.sumW) / w;
    }
    this.count += other.count;
    this.sumW = w;
    this.sumWPred += other.sumWPred;
    this.sumWSquaredError += other.sumWSquaredError;
    this.sumWAbsError += other.sumWAbsError;
    return this;
  }

  /** All metrics of the examples added so far. */
  result(): RegressionMetrics {
    const reasons: RegressionMetrics['reasons'] = {};
    if (this.sumW === 0) {
      const why = this.count === 0 ? 'no examples' : 'every example has weight 0';
      for (const k of ['meanLabel', 'meanPrediction', 'mse', 'rmse', 'mae', 'r2'] as const)
        reasons[k] = `${k} is undefined: ${why}`;
    } else if (this.labelM2 === 0) {
      reasons.r2 = 'r2 is undefined: every label has the same value, so there is no variance to explain';
    }
    const mse = ratio(this.sumWSquaredError, this.sumW);
    return {
      exampleCount: this.count,
      weightedExampleCount: this.sumW,
      meanLabel: this.sumW === 0 ? NaN : this.labelMean,
      meanPrediction: ratio(this.sumWPred, this.sumW),
      mse,
      rmse: Math.sqrt(mse),
      mae: ratio(this.sumWAbsError, this.sumW),
      r2: this.sumW === 0 || this.labelM2 === 0 ? NaN : 1 - this.sumWSquaredError / this.labelM2,
      reasons,
    };
  }
}

/** One-shot regression metrics of parallel arrays. */
export function regressionMetrics(
  labels: ArrayLike<number>,
  predictions: ArrayLike<number>,
  options: { weights?: ArrayLike<number> } = {},
): RegressionMetrics {
  return new RegressionAccumulator().addBatch(labels, predictions, options.weights).result();
}
