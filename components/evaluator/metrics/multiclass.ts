/**
 * Multiclass (single-label) metrics, streaming and mergeable: everything derives from a weighted
 * K x K confusion matrix (rows = true class, columns = predicted class, as sklearn) and top-k hit sums.
 */
import { checkFinite, checkLengths, checkWeight, ratio, type ExampleRef } from './inputs.js';
import { DataError, DefinitionError } from '../../../src/errors.js';

/** Every multiclass metric; NaN entries have their reason in `reasons` (keys like `precision[2]`, `macroRecall`). */
export interface MulticlassMetrics {
  exampleCount: number;
  weightedExampleCount: number;
  /** weighted share of examples whose top-scoring class (lowest index on ties) is the label */
  accuracy: number;
  /** k -> weighted share of examples whose label is among the k top scores */
  topKAccuracy: Record<number, number>;
  /** per class: tp / predicted as the class; NaN when nothing is predicted as it */
  precision: number[];
  /** per class: tp / labelled as the class; NaN when no example has it */
  recall: number[];
  /** micro averages: for single-label data both equal accuracy */
  microPrecision: number;
  microRecall: number;
  /** mean over the classes whose value is defined (sklearn's zero_division=nan: undefined classes are left out) */
  macroPrecision: number;
  macroRecall: number;
  /** confusionMatrix[trueClass][predictedClass] = summed weight */
  confusionMatrix: number[][];
  reasons: Record<string, string>;
}

/** Options of a multiclass accumulator. */
export interface MulticlassOptions {
  /** number of classes K; labels are integers 0..K-1 and predictions K scores */
  numClasses: number;
  /** the k of top-k accuracy (default [] ); each 1 <= k */
  topK?: number[];
}

/** Streaming multiclass metrics over integer labels and per-class scores (probabilities or logits). */
export class MulticlassAccumulator {
  readonly numClasses: number;
  readonly topK: number[];
  private readonly matrix: Float64Array;
  private readonly topKHits: Float64Array;
  private count = 0;
  private sumW = 0;

  constructor(options: MulticlassOptions) {
    const k = options.numClasses;
    if (!Number.isInteger(k) || k < 2)
      throw new DefinitionError(`numClasses must be an integer >= 2, got ${k}`, ['numClasses']);
    this.numClasses = k;
    this.topK = (options.topK ?? []).map((t, i) => {
      if (!Number.isInteger(t) || t < 1)
        throw new DefinitionError(`top-k must be an integer >= 1, got ${t}`, ['topK', i]);
      return t;
    });
    this.matrix = new Float64Array(k * k);
    this.topKHits = new Float64Array(this.topK.length);
  }

  /** Adds one example: its class id, its K scores and an optional weight. */
  add(label: number, scores: ArrayLike<number>, weight?: number, ref: ExampleRef = this.count): this {
    const K = this.numClasses;
    if (!Number.isInteger(label) || label < 0 || label >= K) {
      throw new DataError(
        `label must be a class id in 0..${K - 1}, got ${String(label)}`,
        undefined,
        typeof ref === 'number' ? `example ${ref}` : ref,
      );
    }
    if (scores.length !== K)
      throw new DataError(
        `prediction has ${scores.length} scores, expected ${K}`,
        undefined,
        typeof ref === 'number' ? `example ${ref}` : ref,
      );
    const w = checkWeight(weight, ref);
    let best = 0;
    for (let c = 0; c < K; c++) {
      checkFinite(scores[c]!, `prediction[${c}]`, ref);
      if (scores[c]! > scores[best]!) best = c; // strict: the lowest index wins a tie, like argmax
    }
    // the label's rank: classes scoring higher, or equal with a lower index, come before it
    const s = scores[label]!;
    let rank = 0;
    for (let c = 0; c < K; c++) if (scores[c]! > s || (scores[c] === s && c < label)) rank++;
    for (let j = 0; j < this.topK.length; j++) if (rank < this.topK[j]!) this.topKHits[j]! += w;
    this.matrix[label * K + best]! += w;
    this.count++;
    this.sumW += w;
    return this;
  }

  /** Adds parallel arrays of labels, score vectors and (optional) weights. */
  addBatch(labels: ArrayLike<number>, scores: ArrayLike<ArrayLike<number>>, weights?: ArrayLike<number>): this {
    checkLengths(labels.length, { predictions: scores.length, weights: weights?.length });
    for (let i = 0; i < labels.length; i++) this.add(labels[i]!, scores[i]!, weights?.[i], this.count);
    return this;
  }

  /** Folds another accumulator with the same classes and k's into this one. */
  merge(other: MulticlassAccumulator): this {
    if (other.numClasses !== this.numClasses || other.topK.join() !== this.topK.join()) {
      throw new DefinitionError('cannot merge multiclass accumulators with different numClasses or topK');
    }
    for (let i = 0; i < this.matrix.length; i++) this.matrix[i]! += other.matrix[i]!;
    for (let j = 0; j < this.topKHits.length; j++) this.topKHits[j]! += other.topKHits[j]!;
    this.count += other.count;
    this.sumW += other.sumW;
    return this;
  }

  /** All metrics of the examples added so far. */
  result(): MulticlassMetrics {
    const K = this.numClasses;
    const reasons: Record<string, string> = {};
    const rows: number[][] = [];
    for (let r = 0; r < K; r++) rows.push(Array.from(this.matrix.subarray(r * K, (r + 1) * K)));
    let diagonal = 0;
    const precision: number[] = [];
    const recall: number[] = [];
    for (let c = 0; c < K; c++) {
      const tp = rows[c]![c]!;
      diagonal += tp;
      let predicted = 0;
      let actual = 0;
      for (let o = 0; o < K; o++) {
        predicted += rows[o]![c]!;
        actual += rows[c]![o]!;
      }
      precision.push(ratio(tp, predicted));
      recall.push(ratio(tp, actual));
      if (predicted === 0)
        reasons[`precision[${c}]`] = `precision of class ${c} is undefined: no example is predicted as it`;
      if (actual === 0) reasons[`recall[${c}]`] = `recall of class ${c} is undefined: no example has it as label`;
    }
    const macro = (values: number[], name: string): number => {
      const defined = values.filter((v) => !Number.isNaN(v));
      if (defined.length === 0) reasons[name] = `${name} is undefined: no class has a defined value`;
      return defined.length ? defined.reduce((a, b) => a + b, 0) / defined.length : NaN;
    };
    const accuracy = ratio(diagonal, this.sumW);
    if (this.sumW === 0) {
      const why = this.count === 0 ? 'no examples' : 'every example has weight 0';
      for (const k of ['accuracy', 'microPrecision', 'microRecall', ...this.topK.map((t) => `topKAccuracy[${t}]`)])
        reasons[k] = `${k} is undefined: ${why}`;
    }
    const topKAccuracy: Record<number, number> = {};
    this.topK.forEach((t, j) => (topKAccuracy[t] = ratio(this.topKHits[j]!, this.sumW)));
    return {
      exampleCount: this.count,
      weightedExampleCount: this.sumW,
      accuracy,
      topKAccuracy,
      precision,
      recall,
      microPrecision: accuracy,
      microRecall: accuracy,
      macroPrecision: macro(precision, 'macroPrecision'),
      macroRecall: macro(recall, 'macroRecall'),
      confusionMatrix: rows,
      reasons,
    };
  }
}

/** One-shot multiclass metrics of parallel arrays. */
export function multiclassMetrics(
  labels: ArrayLike<number>,
  scores: ArrayLike<ArrayLike<number>>,
  options: MulticlassOptions & { weights?: ArrayLike<number> },
): MulticlassMetrics {
  return new MulticlassAccumulator(options).addBatch(labels, scores, options.weights).result();
}
