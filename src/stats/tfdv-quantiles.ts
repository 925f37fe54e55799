/**
 * Median and histograms the way TFDV derives them from its quantile sketch
 * (tensorflow_data_validation/statistics/generators/basic_stats_generator.py and
 * utils/quantiles_util.py over tfx_bsl's QuantilesSketch):
 *  - the sketch is asked for 100 * B quantiles with their cumulative weights, chosen by
 *    tfx_bsl's rank rule (WeightedQuantilesSummary::GenerateQuantilesAndCumulativeWeights):
 *    for the target rank d = r * total / (100 B), the entry whose rank interval's midpoint
 *    d has passed last, or the next one once d reaches the first one's upper rank;
 *  - the median is the middle of those 100 B + 1 boundaries;
 *  - the QUANTILES histogram keeps every 100th boundary;
 *  - the STANDARD histogram spreads each of the 100 B quantile bins' weight evenly over its
 *    range and adds up what falls in each of B equal-width buckets (linear interpolation).
 * Our sample is a KLL sketch's retained items (or exact counts); each distinct value is one
 * summary entry spanning the weight of the items before it to the weight up to it, so on data
 * the sketch holds exactly the result is TFDV's on the same data.
 */
import { type HistogramBucket, type HistogramObject, type SortedSample, type StandardHistogramInput } from './histograms.js';

/** TFDV asks its sketch for this many quantiles per histogram bucket */
const QUANTILES_FACTOR = 100;

export interface Quantiles {
  values: number[];
  /** the weight up to and including each value */
  cum: number[];
}

/** `buckets + 1` boundaries with their cumulative weights, by tfx_bsl's rank rule. */
export function sketchQuantiles(s: SortedSample, buckets: number): Quantiles {
  const out: Quantiles = { values: [], cum: [] };
  if (s.values.length === 0) return out;
  // one entry per distinct value: weight before it (lo) and up to it (hi)
  const vals: number[] = [];
  const lo: number[] = [];
  const hi: number[] = [];
  for (let i = 0; i < s.values.length; i++) {
    const v = s.values[i]!;
    if (vals.length && vals[vals.length - 1] === v) hi[hi.length - 1] = s.cum[i]!;
    else {
      vals.push(v);
      lo.push(i === 0 ? 0 : s.cum[i - 1]!);
      hi.push(s.cum[i]!);
    }
  }
  const n = vals.length;
  const total = hi[n - 1]!;
  const q = Math.max(buckets, 2);
  let cur = 0;
  for (let r = 0; r <= q; r++) {
    const d2 = 2 * ((r * total) / q);
    let next = cur + 1;
    while (next < n && d2 >= lo[next]! + hi[next]!) next++;
    cur = next - 1;
    const pick = next === n || d2 < hi[cur]! + lo[next]! ? cur : next;
    out.values.push(vals[pick]!);
    out.cum.push(hi[pick]!);
  }
  return out;
}

/** quantiles_util.find_median */
function median(values: number[]): number {
  const m = Math.trunc(values.length / 2);
  return values.length % 2 === 0 ? (values[m - 1]! + values[m]!) / 2 : values[m]!;
}

/**
 * quantiles_util._get_bin_weights: bins between consecutive boundaries, their weight the
 * difference of the cumulative weights; bins sharing their upper bound share their weight
 * evenly, and the weight at the first boundary goes to the leading bins equal to the first.
 */
export function binWeights(bounds: number[], cum: number[]): HistogramBucket[] {
  const bins = bounds.length - 1;
  const counts = Array.from({ length: bins }, (_, i) => cum[i + 1]! - cum[i]!);
  for (let i = 0; i < bins; ) {
    let j = i + 1;
    while (j < bins && bounds[i + 1] === bounds[j + 1]) j++;
    if (j > i + 1) {
      const share = pairwiseSum(counts, i, j) / (j - i);
      for (let t = i; t < j; t++) counts[t] = share;
    }
    i = j;
  }
  let lead = 0;
  while (lead < bins && bounds[lead] === bounds[0] && bounds[lead + 1] === bounds[1]) lead++;
  for (let t = 0; t < lead; t++) counts[t]! += cum[0]! / lead;
  return counts.map((c, i) => ({ lowValue: bounds[i]!, highValue: bounds[i + 1]!, sampleCount: c }));
}

/** numpy's sum of a float64 array (pairwise, 8 accumulators per block of <= 128), so shares round as TFDV's do */
function pairwiseSum(a: number[], from: number, to: number): number {
  const n = to - from;
  if (n < 8) {
    let s = 0;
    for (let i = from; i < to; i++) s += a[i]!;
    return s;
  }
  if (n <= 128) {
    const r = a.slice(from, from + 8);
    let i = 8;
    for (; i < n - (n % 8); i += 8) for (let k = 0; k < 8; k++) r[k]! += a[from + i + k]!;
    let s = ((r[0]! + r[1]!) + (r[2]! + r[3]!)) + ((r[4]! + r[5]!) + (r[6]! + r[7]!));
    for (; i < n; i++) s += a[from + i]!;
    return s;
  }
  let half = Math.trunc(n / 2);
  half -= half % 8;
  return pairwiseSum(a, from, from + half) + pairwiseSum(a, from + half, to);
}

/** The QUANTILES histogram of `buckets` bins straight from the sketch (TFDV's num_values_histogram). */
export function quantilesHistogramOf(s: SortedSample, buckets: number): HistogramObject {
  if (s.values.length === 0) return { type: 'QUANTILES', buckets: [] };
  const q = sketchQuantiles(s, buckets);
  return { type: 'QUANTILES', buckets: binWeights(q.values, q.cum) };
}

export interface NumericHistograms {
  median: number;
  standard: HistogramObject;
  quantiles: HistogramObject;
}

/** Median, STANDARD and QUANTILES histograms of a numeric feature's values, as TFDV makes them. */
export function numericHistograms(s: SortedSample, buckets: number, quantileBuckets: number, x: StandardHistogramInput, range: { min: number; max: number }): NumericHistograms {
  if (s.values.length === 0) return { median: NaN, standard: { type: 'STANDARD', buckets: [] }, quantiles: { type: 'QUANTILES', buckets: [] } };
  const fine = sketchQuantiles(s, QUANTILES_FACTOR * quantileBuckets);
  // TFDV's summary always keeps the extremes; a compacted KLL sketch may have let them go
  fine.values[0] = range.min;
  fine.values[fine.values.length - 1] = range.max;
  // quantiles_util.rebin_quantiles: the first boundary and every 100th after it
  const coarse: Quantiles = { values: [], cum: [] };
  for (let i = 0; i < fine.values.length; i += QUANTILES_FACTOR) {
    coarse.values.push(fine.values[i]!);
    coarse.cum.push(fine.cum[i]!);
  }
  return {
    median: median(fine.values),
    standard: equiWidth(fine, buckets, x),
    quantiles: { type: 'QUANTILES', buckets: binWeights(coarse.values, coarse.cum) },
  };
}

/** quantiles_util.generate_equi_width_histogram */
function equiWidth(fine: Quantiles, buckets: number, x: StandardHistogramInput): HistogramObject {
  const out: HistogramObject = { type: 'STANDARD', buckets: [] };
  if (!Number.isFinite(x.finiteMin) && !Number.isFinite(x.finiteMax)) {
    out.buckets.push({ lowValue: x.finiteMin, highValue: x.finiteMax, sampleCount: fine.cum[fine.cum.length - 1]! });
    return out;
  }
  // _strip_infinities: -inf boundaries out (their weight reported apart), +inf ones replaced by the finite max
  let values = fine.values;
  let cum = fine.cum;
  const negIdx = values.filter((v) => v === -Infinity).length;
  let negInf = 0;
  if (negIdx) {
    negInf = cum[negIdx - 1]!;
    values = values.slice(negIdx);
    cum = cum.slice(negIdx).map((c) => c - negInf);
  }
  if (x.posInf) {
    const posIdx = values.filter((v) => v < Infinity).length;
    const finiteMaxCount = cum[cum.length - 1]! - x.posInf;
    values = [...values.slice(0, posIdx), x.finiteMax];
    cum = [...cum.slice(0, posIdx), finiteMaxCount];
  }
  const bins = binWeights(values, cum);
  let edges: number[];
  if (x.finiteMin === x.finiteMax) edges = [x.finiteMin, x.finiteMax];
  else {
    // numpy.linspace: start + i * step, the last one exactly stop
    const step = (x.finiteMax - x.finiteMin) / buckets;
    edges = Array.from({ length: buckets + 1 }, (_, i) => (i === buckets ? x.finiteMax : i * step + x.finiteMin));
    if (!edges.every(Number.isFinite)) return out;
  }
  if (negInf) out.buckets.push({ lowValue: -Infinity, highValue: -Infinity, sampleCount: negInf });
  let start = 0;
  for (let i = 0; i + 1 < edges.length; i++) {
    const [low, high] = [edges[i]!, edges[i + 1]!];
    let count = 0;
    for (let j = start; j < bins.length; j++) {
      const o = overlap(bins[j]!, low, high, i === 0);
      if (o.follows) break;
      if (o.precedes) start = j;
      count += o.fraction * bins[j]!.sampleCount;
    }
    out.buckets.push({ lowValue: low, highValue: high, sampleCount: count });
  }
  if (x.posInf) out.buckets.push({ lowValue: Infinity, highValue: Infinity, sampleCount: x.posInf });
  return out;
}

/** quantiles_util._overlap: the share of a bin's weight inside [low, high], its weight spread evenly. */
function overlap(b: HistogramBucket, low: number, high: number, first: boolean): { fraction: number; precedes: boolean; follows: boolean } {
  const none = { precedes: false, follows: false };
  if (b.highValue === b.lowValue && b.lowValue === low) return first ? { fraction: 1, ...none } : { fraction: 0, precedes: true, follows: false };
  if (b.highValue < low) return { fraction: 0, precedes: true, follows: false };
  if (b.lowValue > high) return { fraction: 0, precedes: false, follows: true };
  if (low <= b.lowValue && high >= b.highValue) return { fraction: 1, ...none };
  const width = b.highValue - b.lowValue;
  if (low <= b.lowValue) return { fraction: (high - b.lowValue) / width, ...none };
  if (high >= b.highValue) return { fraction: (b.highValue - low) / width, ...none };
  return { fraction: (high - low) / width, ...none };
}
