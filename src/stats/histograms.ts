/**
 * Histograms and quantiles from a weighted sorted sample (a KLL sketch's retained items, or
 * the exact value-count table), shaped like TFDV's:
 *  - QUANTILES: `buckets` bins between the 0, 1/B, ..., 1 quantiles; a bin (lo, hi] holds the
 *    weight of the values in it (the first bin also holds the values equal to the minimum),
 *    and bins that share their bounds because of repeated values share their weight evenly;
 *  - STANDARD: `buckets` equal-width bins over [finite min, finite max], [lo, hi) except the
 *    last which is closed; -Infinity and +Infinity values get a point bin of their own at
 *    either end, as TFDV does. Counts are doubles (TFDV's interpolated counts are too).
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

/** total weight of values <= x (or < x when `strict`) */
export function rankOf(s: SortedSample, x: number, strict = false): number {
  const n = countUpTo(s.values, x, strict);
  return n === 0 ? 0 : s.cum[n - 1]!;
}

/** The q-quantile: the smallest value whose cumulative weight reaches q * total. */
export function quantileOf(s: SortedSample, q: number): number {
  const n = s.values.length;
  if (n === 0) return NaN;
  const target = q * s.cum[n - 1]!;
  let lo = 0;
  let hi = n - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (s.cum[mid]! < target) lo = mid + 1;
    else hi = mid;
  }
  return s.values[lo]!;
}

/** B + 1 boundaries: min, the i/B quantiles, max. */
export function quantileBoundaries(s: SortedSample, buckets: number, min: number, max: number): number[] {
  const out = [min];
  for (let b = 1; b < buckets; b++) out.push(quantileOf(s, b / buckets));
  out.push(max);
  return out;
}

export function quantilesHistogram(s: SortedSample, buckets: number, min: number, max: number): HistogramObject {
  if (s.values.length === 0) return { type: 'QUANTILES', buckets: [] };
  const bounds = quantileBoundaries(s, buckets, min, max);
  const cum = bounds.map((b) => rankOf(s, b));
  const counts = bounds.slice(1).map((_, i) => cum[i + 1]! - cum[i]!);
  // bins with the same upper bound split what landed on that bound evenly
  for (let i = 0; i < counts.length; ) {
    let j = i + 1;
    while (j < counts.length && bounds[j + 1] === bounds[i + 1]) j++;
    if (j > i + 1) {
      const share = counts.slice(i, j).reduce((a, c) => a + c, 0) / (j - i);
      for (let t = i; t < j; t++) counts[t] = share;
    }
    i = j;
  }
  // the values equal to the minimum belong to the leading bins that are the point [min, min]
  let lead = 1;
  while (lead < counts.length && bounds[lead] === bounds[0] && bounds[lead + 1] === bounds[1]) lead++;
  for (let t = 0; t < lead; t++) counts[t]! += cum[0]! / lead;
  return {
    type: 'QUANTILES',
    buckets: counts.map((c, i) => ({ lowValue: bounds[i]!, highValue: bounds[i + 1]!, sampleCount: c })),
  };
}

export interface StandardHistogramInput {
  finiteMin: number;
  finiteMax: number;
  posInf: number;
  negInf: number;
  /** number of non-NaN values */
  count: number;
}

export function standardHistogram(s: SortedSample, buckets: number, x: StandardHistogramInput): HistogramObject {
  const out: HistogramObject = { type: 'STANDARD', buckets: [] };
  if (x.count === 0) return out;
  if (!Number.isFinite(x.finiteMin)) {
    // only infinities: one bucket spanning the (empty) finite range, as TFDV reports it
    out.buckets.push({ lowValue: x.finiteMin, highValue: x.finiteMax, sampleCount: x.count });
    return out;
  }
  if (x.negInf > 0) out.buckets.push({ lowValue: -Infinity, highValue: -Infinity, sampleCount: x.negInf });
  if (x.finiteMin === x.finiteMax) {
    out.buckets.push({ lowValue: x.finiteMin, highValue: x.finiteMax, sampleCount: x.count - x.posInf - x.negInf });
  } else {
    const width = (x.finiteMax - x.finiteMin) / buckets;
    const edges: number[] = [];
    for (let i = 0; i < buckets; i++) edges.push(x.finiteMin + i * width);
    edges.push(x.finiteMax);
    for (let i = 0; i < buckets; i++) {
      const last = i === buckets - 1;
      const hi = last ? rankOf(s, x.finiteMax) : rankOf(s, edges[i + 1]!, true);
      const lo = rankOf(s, edges[i]!, true);
      out.buckets.push({ lowValue: edges[i]!, highValue: edges[i + 1]!, sampleCount: hi - lo });
    }
  }
  if (x.posInf > 0) out.buckets.push({ lowValue: Infinity, highValue: Infinity, sampleCount: x.posInf });
  return out;
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
