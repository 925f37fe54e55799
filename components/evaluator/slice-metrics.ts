/**
 * The Evaluator's metrics of one slice by task: an accumulator per slice and model, read out
 * as flat named metrics (what thresholds name and `tsfx show` prints) and plot data. Names:
 * binary and regression as the metrics library calls them, multiclass per class as
 * `precision/<class>` and `recall/<class>`, top-k as `topKAccuracy@<k>`. Node-free.
 */
import {
  BinaryAccumulator,
  binaryCurves,
  calibrationBuckets,
  MulticlassAccumulator,
  RegressionAccumulator,
  type BinaryConfusion,
  type CalibrationBucket,
  type PrPoint,
  type RocPoint,
} from './metrics/index.js';

export type Task = 'binary' | 'multiclass' | 'regression';

export interface MetricOptions {
  task: Task;
  /** class names in id order (classification); multiclass needs them, or numClasses */
  classes?: string[];
  numClasses?: number;
  decisionThresholds: number[];
  topK: number[];
  calibrationBuckets: number;
  curvePoints: number;
}

export type SliceAccumulator = BinaryAccumulator | MulticlassAccumulator | RegressionAccumulator;

export interface SlicePlots {
  roc?: RocPoint[];
  pr?: PrPoint[];
  calibration?: CalibrationBucket[];
  /** binary: one per decision threshold (predicted positive when prediction > threshold) */
  confusionMatrices?: BinaryConfusion[];
  /** multiclass: matrix[true class][predicted class] = summed weight */
  confusionMatrix?: { classes: string[]; matrix: number[][] };
}

export function newAccumulator(o: MetricOptions): SliceAccumulator {
  if (o.task === 'binary') return new BinaryAccumulator({ threshold: 0.5, thresholds: o.decisionThresholds });
  if (o.task === 'multiclass') return new MulticlassAccumulator({ numClasses: o.numClasses ?? o.classes!.length, topK: o.topK });
  return new RegressionAccumulator();
}

/**
 * Adds rows of a scored batch: `labels[r]` (class id or value), `values` the model's output
 * (width per row), `weights[r]` (or 1); `ref(r)` names a row in errors.
 */
export function addRows(
  acc: SliceAccumulator,
  rows: readonly number[],
  labels: Float64Array,
  values: ArrayLike<number>,
  width: number,
  weights: Float64Array | undefined,
  ref: (r: number) => string,
): void {
  if (acc instanceof MulticlassAccumulator) {
    const scores = rowScores(values, width);
    for (const r of rows) acc.add(labels[r]!, scores[r]!, weights?.[r], ref(r));
  } else if (acc instanceof BinaryAccumulator) {
    for (const r of rows) acc.add(labels[r]!, values[r]!, weights?.[r], ref(r));
  } else {
    for (const r of rows) acc.add(labels[r]!, values[r]!, weights?.[r], ref(r));
  }
}

/** One view per row of a flat score array; cached per array, since every slice of a batch reads the same rows. */
const views = new WeakMap<object, Float64Array[]>();
function rowScores(values: ArrayLike<number>, width: number): Float64Array[] {
  let cached = views.get(values as object);
  if (!cached) {
    const flat = values instanceof Float64Array ? values : Float64Array.from(values);
    cached = Array.from({ length: flat.length / width }, (_, r) => flat.subarray(r * width, (r + 1) * width));
    views.set(values as object, cached);
  }
  return cached;
}

const className = (o: MetricOptions, c: number): string => o.classes?.[c] ?? String(c);

/** Flat named metrics of a slice, and why each NaN one is NaN. */
export function flatMetrics(acc: SliceAccumulator, o: MetricOptions): { metrics: Record<string, number>; reasons: Record<string, string> } {
  if (acc instanceof MulticlassAccumulator) {
    const m = acc.result();
    const metrics: Record<string, number> = { exampleCount: m.exampleCount, weightedExampleCount: m.weightedExampleCount, accuracy: m.accuracy };
    for (const k of acc.topK) metrics[`topKAccuracy@${k}`] = m.topKAccuracy[k]!;
    m.precision.forEach((v, c) => (metrics[`precision/${className(o, c)}`] = v));
    m.recall.forEach((v, c) => (metrics[`recall/${className(o, c)}`] = v));
    Object.assign(metrics, { microPrecision: m.microPrecision, microRecall: m.microRecall, macroPrecision: m.macroPrecision, macroRecall: m.macroRecall });
    // the library keys reasons as precision[2] / topKAccuracy[3]; rename to the flat names
    const reasons: Record<string, string> = {};
    for (const [k, why] of Object.entries(m.reasons)) {
      const hit = /^(precision|recall|topKAccuracy)\[(\d+)\]$/.exec(k);
      reasons[hit ? (hit[1] === 'topKAccuracy' ? `topKAccuracy@${hit[2]}` : `${hit[1]}/${className(o, Number(hit[2]))}`) : k] = why;
    }
    return { metrics, reasons };
  }
  const { reasons, ...rest } = acc.result() as ReturnType<BinaryAccumulator['result']> | ReturnType<RegressionAccumulator['result']>;
  const metrics: Record<string, number> = {};
  for (const [k, v] of Object.entries(rest)) if (typeof v === 'number' && k !== 'threshold') metrics[k] = v;
  return { metrics, reasons: reasons as Record<string, string> };
}

/** Plot data of a slice: curves, calibration and confusion matrices (binary), the confusion matrix (multiclass). */
export function plotsOf(acc: SliceAccumulator, o: MetricOptions): SlicePlots {
  if (acc instanceof BinaryAccumulator) {
    const { predictions, labels, weights } = acc.examples();
    return {
      ...binaryCurves(predictions, labels, weights, o.curvePoints),
      calibration: calibrationBuckets(predictions, labels, weights, o.calibrationBuckets),
      confusionMatrices: acc.thresholds.map((t) => acc.confusionAt(t)),
    };
  }
  if (acc instanceof MulticlassAccumulator) {
    const m = acc.result();
    return { confusionMatrix: { classes: m.confusionMatrix.map((_, c) => className(o, c)), matrix: m.confusionMatrix } };
  }
  return {};
}
