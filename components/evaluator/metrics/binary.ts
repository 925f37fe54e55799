/**
 * Binary classification metrics, streaming: add examples (or whole batches), merge accumulators
 * from other workers, read the result. Sums make everything mergeable; AUC keeps the examples.
 */
import { binaryAucs } from './auc.js';
import {
  checkBinaryLabel,
  checkLengths,
  checkProbability,
  checkWeight,
  GrowableF64,
  ratio,
  type ExampleRef,
} from './inputs.js';
import { DefinitionError } from '../../../src/errors.js';

/** scikit-learn's log_loss clips probabilities to [eps, 1 - eps] with eps = float64 machine epsilon. */
const LOG_LOSS_EPS = 2.220446049250313e-16;

/** Weighted confusion counts at one threshold: an example is predicted positive when prediction > threshold (TFMA, Keras). */
export interface BinaryConfusion {
  threshold: number;
  tp: number;
  fp: number;
  tn: number;
  fn: number;
  /** tp / (tp + fp); NaN when nothing is predicted positive */
  precision: number;
  /** tp / (tp + fn); NaN when there are no positives */
  recall: number;
  /** (tp + tn) / total weight */
  accuracy: number;
}

/** Every binary metric; a NaN value has its reason in `reasons`. */
export interface BinaryMetrics {
  exampleCount: number;
  weightedExampleCount: number;
  meanLabel: number;
  meanPrediction: number;
  aucRoc: number;
  /** average precision exactly as sklearn.metrics.average_precision_score (step-wise, not trapezoid) */
  aucPr: number;
  /** accuracy, precision and recall at `threshold` (default 0.5) */
  accuracy: number;
  precision: number;
  recall: number;
  threshold: number;
  logLoss: number;
  /** sum(weight * prediction) / sum(weight * label) */
  calibration: number;
  /** one per requested threshold, in the order given */
  confusionMatrices: BinaryConfusion[];
  reasons: Partial<
    Record<
      | 'meanLabel'
      | 'meanPrediction'
      | 'aucRoc'
      | 'aucPr'
      | 'accuracy'
      | 'precision'
      | 'recall'
      | 'logLoss'
      | 'calibration',
      string
    >
  >;
}

/** Options of a binary accumulator. */
export interface BinaryOptions {
  /** the threshold of accuracy/precision/recall (default 0.5) */
  threshold?: number;
  /** thresholds of the confusion matrices (default [0.5]) */
  thresholds?: number[];
}

function checkThreshold(t: number, path: string): number {
  if (!Number.isFinite(t)) throw new DefinitionError(`threshold must be a finite number, got ${t}`, [path]);
  return t;
}

/** Streaming binary metrics over labels 0/1 and predicted probabilities of the positive class. */
export class BinaryAccumulator {
  readonly threshold: number;
  readonly thresholds: number[];
  private readonly predictions = new GrowableF64();
  private readonly labels = new GrowableF64();
  private readonly weights = new GrowableF64();
  private count = 0;
  private sumW = 0;
  private sumWLabel = 0;
  private sumWPred = 0;
  private sumWLogLoss = 0;

  constructor(options: BinaryOptions = {}) {
    this.threshold = checkThreshold(options.threshold ?? 0.5, 'threshold');
    this.thresholds = (options.thresholds ?? [0.5]).map((t, i) => checkThreshold(t, `thresholds.${i}`));
  }

  /** Adds one example; `ref` names it in errors (defaults to its running index). */
  add(label: number | boolean, prediction: number, weight?: number, ref: ExampleRef = this.count): this {
    const y = checkBinaryLabel(label, ref);
    const p = checkProbability(prediction, ref);
    const w = checkWeight(weight, ref);
    this.count++;
    this.sumW += w;
    this.sumWLabel += w * y;
    this.sumWPred += w * p;
    const q = Math.min(Math.max(p, LOG_LOSS_EPS), 1 - LOG_LOSS_EPS);
    this.sumWLogLoss -= w * (y === 1 ? Math.log(q) : Math.log(1 - q));
    this.predictions.push(p);
    this.labels.push(y);
    this.weights.push(w);
    return this;
  }

  /** Adds parallel arrays of labels, predictions and (optional) weights. */
  addBatch(labels: ArrayLike<number | boolean>, predictions: ArrayLike<number>, weights?: ArrayLike<number>): this {
    checkLengths(labels.length, { predictions: predictions.length, weights: weights?.length });
    for (let i = 0; i < labels.length; i++) this.add(labels[i]!, predictions[i]!, weights?.[i], this.count);
    return this;
  }

  /** Folds another accumulator (same thresholds) into this one. */
  merge(other: BinaryAccumulator): this {
    if (other.threshold !== this.threshold || other.thresholds.join() !== this.thresholds.join()) {
      throw new DefinitionError('cannot merge binary accumulators with different thresholds');
    }
    this.count += other.count;
    this.sumW += other.sumW;
    this.sumWLabel += other.sumWLabel;
    this.sumWPred += other.sumWPred;
    this.sumWLogLoss += other.sumWLogLoss;
    this.predictions.append(other.predictions);
    this.labels.append(other.labels);
    this.weights.append(other.weights);
    return this;
  }

  /** The examples kept so far (views, valid until the next add): what the curves and calibration buckets are drawn from. */
  examples(): { predictions: Float64Array; labels: Float64Array; weights: Float64Array } {
    return { predictions: this.predictions.view(), labels: this.labels.view(), weights: this.weights.view() };
  }

  /** Weighted confusion counts at threshold t. */
  confusionAt(threshold: number): BinaryConfusion {
    const t = checkThreshold(threshold, 'threshold');
    const p = this.predictions.view();
    const y = this.labels.view();
    const w = this.weights.view();
    let tp = 0;
    let fp = 0;
    let tn = 0;
    let fn = 0;
    for (let i = 0; i < p.length; i++) {
      const positive = p[i]! > t;
      if (y[i] === 1) {
        if (positive) tp += w[i]!;
        else fn += w[i]!;
      } else if (positive) fp += w[i]!;
      else tn += w[i]!;
    }
    return {
      threshold: t,
      tp,
      fp,
      tn,
      fn,
      precision: ratio(tp, tp + fp),
      recall: ratio(tp, tp + fn),
      accuracy: ratio(tp + tn, tp + fp + tn + fn),
    };
  }

  /** All metrics of the examples added so far. */
  result(): BinaryMetrics {
    const reasons: BinaryMetrics['reasons'] = {};
    const aucs = binaryAucs(this.predictions.view(), this.labels.view(), this.weights.view());
    Object.assign(reasons, aucs.reasons);
    const at = this.confusionAt(this.threshold);
    if (this.sumW === 0) {
      const why = this.count === 0 ? 'no examples' : 'every example has weight 0';
      for (const k of ['meanLabel', 'meanPrediction', 'accuracy', 'logLoss'] as const)
        reasons[k] = `${k} is undefined: ${why}`;
    }
    if (at.tp + at.fp === 0)
      reasons.precision = `precision is undefined: no example is predicted positive (prediction > ${this.threshold})`;
    if (at.tp + at.fn === 0) reasons.recall = 'recall is undefined: no positive labels';
    if (this.sumWLabel === 0) reasons.calibration = 'calibration is undefined: the sum of labels is 0';
    return {
      exampleCount: this.count,
      weightedExampleCount: this.sumW,
      meanLabel: ratio(this.sumWLabel, this.sumW),
      meanPrediction: ratio(this.sumWPred, this.sumW),
      aucRoc: aucs.aucRoc,
      aucPr: aucs.aucPr,
      accuracy: at.accuracy,
      precision: at.precision,
      recall: at.recall,
      threshold: this.threshold,
      logLoss: ratio(this.sumWLogLoss, this.sumW),
      calibration: ratio(this.sumWPred, this.sumWLabel),
      confusionMatrices: this.thresholds.map((t) => this.confusionAt(t)),
      reasons,
    };
  }
}

/** One-shot binary metrics of parallel arrays. */
export function binaryMetrics(
  labels: ArrayLike<number | boolean>,
  predictions: ArrayLike<number>,
  options: BinaryOptions & { weights?: ArrayLike<number> } = {},
): BinaryMetrics {
  return new BinaryAccumulator(options).addBatch(labels, predictions, options.weights).result();
}
