/**
 * Plot data of a binary classifier, as scikit-learn computes it: the ROC curve
 * (roc_curve(drop_intermediate=False): one point per distinct prediction, descending, after a
 * (0, 0) start at threshold +inf), the precision-recall curve (precision_recall_curve: the
 * same thresholds, from (recall 0, precision 1)), and calibration buckets (equal-width over
 * [0, 1], a prediction on an inner edge in the lower bucket, as numpy.searchsorted puts it for
 * calibration_curve). Examples with weight 0 are dropped from the curves, as sklearn drops them.
 */

export interface RocPoint {
  /** predicted positive when prediction >= threshold; null is +inf (nothing predicted positive) */
  threshold: number | null;
  fpr: number;
  tpr: number;
}

export interface PrPoint {
  threshold: number | null;
  precision: number;
  recall: number;
}

export interface CalibrationBucket {
  lower: number;
  upper: number;
  /** examples in the bucket (any weight), and their summed weight */
  count: number;
  weight: number;
  /** weighted sums of labels and predictions: their ratio to `weight` is the bucket's mean */
  sumLabel: number;
  sumPrediction: number;
}

/** Weighted tp / fp counts at each distinct prediction, descending (sklearn's _binary_clf_curve). */
function cumulative(predictions: Float64Array, labels: Float64Array, weights: Float64Array) {
  const order: number[] = [];
  for (let i = 0; i < predictions.length; i++) if (weights[i]! > 0) order.push(i);
  order.sort((a, b) => predictions[b]! - predictions[a]!);
  const thresholds: number[] = [];
  const tps: number[] = [];
  const fps: number[] = [];
  let tp = 0;
  let fp = 0;
  for (let g = 0; g < order.length; ) {
    const score = predictions[order[g]!]!;
    for (; g < order.length && predictions[order[g]!] === score; g++) {
      const i = order[g]!;
      if (labels[i] === 1) tp += weights[i]!;
      else fp += weights[i]!;
    }
    thresholds.push(score);
    tps.push(tp);
    fps.push(fp);
  }
  return { thresholds, tps, fps };
}

/** At most `max` items, evenly spaced, the first and last kept. */
export function thin<T>(items: T[], max: number): T[] {
  if (items.length <= max) return items;
  const out: T[] = [];
  for (let k = 0; k < max; k++) out.push(items[Math.round((k * (items.length - 1)) / (max - 1))]!);
  return out;
}

/** ROC and PR curves; a rate with a zero denominator is NaN (sklearn warns and gives nan too), PR's precision 0. */
export function binaryCurves(predictions: Float64Array, labels: Float64Array, weights: Float64Array, maxPoints = Infinity): { roc: RocPoint[]; pr: PrPoint[] } {
  const { thresholds, tps, fps } = cumulative(predictions, labels, weights);
  const pos = tps.at(-1) ?? 0;
  const neg = fps.at(-1) ?? 0;
  const roc: RocPoint[] = [{ threshold: null, fpr: neg ? 0 : NaN, tpr: pos ? 0 : NaN }];
  const pr: PrPoint[] = [{ threshold: null, precision: 1, recall: 0 }];
  thresholds.forEach((t, k) => {
    roc.push({ threshold: t, fpr: fps[k]! / neg, tpr: tps[k]! / pos });
    const predicted = tps[k]! + fps[k]!;
    // sklearn: recall is 1 everywhere when there are no positives; precision 0 where nothing is predicted
    pr.push({ threshold: t, precision: predicted ? tps[k]! / predicted : 0, recall: pos ? tps[k]! / pos : 1 });
  });
  return { roc: thin(roc, maxPoints), pr: thin(pr, maxPoints) };
}

/** Equal-width calibration buckets of predictions in [0, 1]. */
export function calibrationBuckets(predictions: Float64Array, labels: Float64Array, weights: Float64Array, buckets: number): CalibrationBucket[] {
  // edges as numpy.linspace(0, 1, n + 1) computes them: i * (1 / n)
  const step = 1 / buckets;
  const edges = Array.from({ length: buckets + 1 }, (_, i) => (i === buckets ? 1 : i * step));
  const out: CalibrationBucket[] = Array.from({ length: buckets }, (_, b) => ({ lower: edges[b]!, upper: edges[b + 1]!, count: 0, weight: 0, sumLabel: 0, sumPrediction: 0 }));
  for (let i = 0; i < predictions.length; i++) {
    const p = predictions[i]!;
    // searchsorted(edges[1:-1], p, 'left'): how many inner edges lie strictly below p
    let b = Math.min(buckets - 1, Math.max(0, Math.ceil(p / step) - 1));
    while (b > 0 && edges[b]! >= p) b--;
    while (b < buckets - 1 && edges[b + 1]! < p) b++;
    const w = weights[i]!;
    const slot = out[b]!;
    slot.count++;
    slot.weight += w;
    slot.sumLabel += w * labels[i]!;
    slot.sumPrediction += w * p;
  }
  return out;
}
