/**
 * The weighted halves of TFDV's statistics (with StatsOptions.weight_feature), as plain
 * objects for proto.ts: CommonStatistics.weighted_common_stats,
 * NumericStatistics.weighted_numeric_stats and StringStatistics.weighted_string_stats.
 * Checked against TFDV 1.16 (test/stats/tfdv-weighted.test.ts):
 *  - the weight feature itself gets statistics like any feature, weighted by itself;
 *  - weighted num_missing is the weight of the examples without the feature;
 *  - the weighted mean is NaN (and std_dev 0) as soon as any value is infinite, as unweighted;
 *  - weighted histograms keep the unweighted num_nan; the standard one spans the unweighted
 *    finite range; values of weight 0 are left out of the weighted quantiles;
 *  - weighted top values drop those whose weight is below weighted_frequency_threshold (1.0).
 */
import type { FeaturePartial, NumericPartial, StringPartial } from './accumulators.js';
import { numericHistograms } from './tfdv-quantiles.js';

type Obj = Record<string, unknown>;

export interface WeightedOptions {
  numHistogramBuckets: number;
  numQuantilesHistogramBuckets: number;
  numTopValues: number;
  numRankHistogramBuckets: number;
  weightedFrequencyThreshold: number;
}

export function weightedCommonStats(f: FeaturePartial, weightedNumExamples: number): Obj | undefined {
  const w = f.weighted;
  if (!w) return undefined;
  return {
    numNonMissing: w.numNonMissing,
    numMissing: weightedNumExamples - w.numNonMissing,
    totNumValues: w.totNumValues,
    avgNumValues: w.numNonMissing > 0 ? w.totNumValues / w.numNonMissing : 0,
  };
}

/** Only for a feature with at least one non-NaN value (TFDV stops before the weighted part otherwise). */
export function weightedNumericStats(p: NumericPartial, o: WeightedOptions): Obj | undefined {
  const w = p.weighted;
  if (!w) return undefined;
  // TFDV multiplies every value by its weight: an infinity (even of weight 0) makes the mean NaN
  const inf = p.posInf > 0 || p.negInf > 0;
  const mean = inf ? NaN : w.mean;
  const std = inf || w.finiteCount === 0 ? 0 : Math.sqrt(Math.max(0, w.m2 / w.finiteCount));
  const { median, standard, quantiles } = numericHistograms(
    w.sketch.sample(), o.numHistogramBuckets, o.numQuantilesHistogramBuckets,
    { finiteMin: p.finiteMin, finiteMax: p.finiteMax, posInf: w.posInf, negInf: w.negInf, count: w.sketch.total }, w.sketch,
  );
  standard.numNan = p.numNan;
  quantiles.numNan = p.numNan;
  return { mean, stdDev: std, median, histograms: [standard, quantiles] };
}

export function weightedStringStats(p: StringPartial, o: WeightedOptions, rank: (m: Map<string, number>) => [string, number][], label: (v: string) => string): Obj | undefined {
  if (!p.weightedCounts || p.weightedCounts.size === 0) return undefined;
  const ranked = rank(p.weightedCounts).filter(([, c]) => c >= o.weightedFrequencyThreshold);
  const out: Obj = { topValues: ranked.slice(0, o.numTopValues).map(([v, c]) => ({ value: label(v), frequency: c })) };
  const buckets = ranked.slice(0, o.numRankHistogramBuckets).map(([v, c], i) => ({ lowRank: i, highRank: i, label: label(v), sampleCount: c }));
  if (buckets.length) out.rankHistogram = { buckets };
  return out;
}
