/**
 * The shapes histograms are built from and into: a weighted sorted sample (a KLL sketch's
 * retained items, or the exact value-count table) and TFMD Histogram objects. How TFDV turns
 * a sample into its median, QUANTILES and STANDARD histograms is tfdv-quantiles.ts.
 */

/** Ascending values with their cumulative weights (cum[i] = weight of values[0..i]). */
export interface SortedSample {
  values: Float64Array;
  cum: Float64Array;
}

export interface HistogramBucket {
  lowValue: number;
  highValue: number;
  sampleCount: number;
}

export interface HistogramObject {
  numNan?: number;
  buckets: HistogramBucket[];
  type: 'STANDARD' | 'QUANTILES';
}

/** How many of the ascending `sorted` are <= x (or < x when `strict`): a binary search. */
export function countUpTo(sorted: ArrayLike<number>, x: number, strict = false): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (strict ? sorted[mid]! < x : sorted[mid]! <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export interface StandardHistogramInput {
  finiteMin: number;
  finiteMax: number;
  posInf: number;
  negInf: number;
  /** number of non-NaN values */
  count: number;
}

/** A SortedSample from exact value -> count pairs. */
export function sampleFromCounts(counts: Map<number, number>): SortedSample {
  const keys = [...counts.keys()].sort((a, b) => a - b);
  const values = Float64Array.from(keys);
  const cum = new Float64Array(keys.length);
  let acc = 0;
  keys.forEach((k, i) => {
    acc += counts.get(k)!;
    cum[i] = acc;
  });
  return { values, cum };
}
