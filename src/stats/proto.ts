/**
 * Partials -> TFMD `DatasetFeatureStatisticsList`, its binary wire form (protobufjs, loaded
 * from schemas/proto/statistics.proto), and a JSON view for the CLI.
 *
 * The statistics follow TFDV's BasicStatsGenerator and TopKUniquesStatsGenerator (defaults:
 * 10 value-count quantile buckets, 10 standard and 10 quantile histogram buckets, top 20
 * values, 1000 rank-histogram buckets), so numbers agree with `tfdv.generate_statistics_*`:
 * exactly for counts, min/max, zeros, unique and top-k; to a double's last bits for mean/std;
 * for median and histograms exactly where both sketches hold every value (tfdv-quantiles.ts;
 * up to KLL_EXACT_FACTOR * k values), within the sketches' errors past that. A weighted partial (a weight
 * feature) adds TFDV's weighted statistics beside them (proto-weighted.ts).
 */
import type protobuf from 'protobufjs';
import type { DatasetPartial, FeaturePartial, NumericPartial, StringPartial } from './accumulators.js';
import { sampleFromCounts } from './histograms.js';
import { numericHistograms, quantilesHistogramOf } from './tfdv-quantiles.js';
import { decodeMessage, protoType } from '../io/proto.js';
import { weightedCommonStats, weightedNumericStats, weightedStringStats } from './proto-weighted.js';

export interface StatsOptions {
  numValuesHistogramBuckets?: number;
  numHistogramBuckets?: number;
  numQuantilesHistogramBuckets?: number;
  numTopValues?: number;
  numRankHistogramBuckets?: number;
  /** weighted top values below this total weight are left out (TFDV's weighted_frequency_threshold) */
  weightedFrequencyThreshold?: number;
  /** byte features to report as BYTES (bytes_stats) instead of STRING, as TFDV does for schema-declared ones */
  bytesFeatures?: string[];
}

/** what TFDV writes in top values and rank labels for a value that is not valid UTF-8 */
export const NON_UTF8_PLACEHOLDER = '__BYTES_VALUE__';

const defaults = {
  numValuesHistogramBuckets: 10, numHistogramBuckets: 10, numQuantilesHistogramBuckets: 10,
  numTopValues: 20, numRankHistogramBuckets: 1000, weightedFrequencyThreshold: 1,
};
type Options = Required<Omit<StatsOptions, 'bytesFeatures'>>;

export function statisticsListType(): protobuf.Type {
  return protoType('statistics.proto', 'tensorflow.metadata.v0.DatasetFeatureStatisticsList');
}

// --- building ---

type Obj = Record<string, unknown>;

function commonStats(f: FeaturePartial, numExamples: number, weightedNumExamples: number, o: Options): Obj {
  const c: Obj = { numNonMissing: f.numNonMissing, numMissing: numExamples - f.numNonMissing, totNumValues: f.totNumValues };
  const weighted = weightedCommonStats(f, weightedNumExamples);
  if (weighted) c.weightedCommonStats = weighted;
  if (f.numNonMissing > 0) {
    c.minNumValues = f.minNumValues;
    c.maxNumValues = f.maxNumValues;
    c.avgNumValues = f.totNumValues / f.numNonMissing;
    const s = sampleFromCounts(f.numValuesCounts);
    c.numValuesHistogram = quantilesHistogramOf(s, o.numValuesHistogramBuckets);
  }
  return c;
}

function numericStats(p: NumericPartial, o: Options): Obj {
  if (p.count === 0) {
    // only NaNs (or no values): TFDV reports just the NaN count
    if (p.numNan === 0) return {};
    return { histograms: [{ type: 'STANDARD', numNan: p.numNan, buckets: [] }, { type: 'QUANTILES', numNan: p.numNan, buckets: [] }] };
  }
  const inf = p.posInf > 0 || p.negInf > 0;
  // TFDV's running mean/variance turn NaN as soon as an infinity comes in (checked against
  // TFDV 1.16: mean NaN even for +inf alone), and it clamps the NaN variance to 0
  const mean = inf ? NaN : p.mean;
  const std = inf || p.finiteCount === 0 ? 0 : Math.sqrt(Math.max(0, p.m2 / p.finiteCount));
  const { median, standard, quantiles } = numericHistograms(p.sketch.sample(), o.numHistogramBuckets, o.numQuantilesHistogramBuckets, p, p);
  standard.numNan = p.numNan;
  quantiles.numNan = p.numNan;
  const out: Obj = { mean, stdDev: std, numZeros: p.numZeros, min: p.min, max: p.max, median, histograms: [standard, quantiles] };
  const weighted = weightedNumericStats(p, o);
  if (weighted) out.weightedNumericStats = weighted;
  return out;
}

function label(latin1: string): string {
  const b = Buffer.from(latin1, 'latin1');
  const s = b.toString('utf8');
  // a lossy decode (U+FFFD substitutions) changes the byte length or the bytes
  return Buffer.byteLength(s, 'utf8') === b.length && Buffer.from(s, 'utf8').equals(b) ? s : NON_UTF8_PLACEHOLDER;
}

/** Values by count, then by value (bytes), both descending: TFDV's order, ties included. */
export function rankedValues(counts: Map<string, number>): [string, number][] {
  return [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? 1 : a[0] > b[0] ? -1 : 0));
}

function stringStats(p: StringPartial, tot: number, o: Options): Obj {
  const ranked = rankedValues(p.counts);
  const top = ranked.slice(0, o.numTopValues).map(([v, c]) => ({ value: label(v), frequency: c }));
  const rank = ranked.slice(0, o.numRankHistogramBuckets).map(([v, c], i) => ({ lowRank: i, highRank: i, label: label(v), sampleCount: c }));
  const s: Obj = { unique: p.counts.size, topValues: top, invalidUtf8Count: p.invalidUtf8 };
  if (rank.length) s.rankHistogram = { buckets: rank };
  if (tot > 0) s.avgLength = p.totalBytes / tot;
  const weighted = weightedStringStats(p, o, rankedValues, label);
  if (weighted) s.weightedStringStats = weighted;
  return s;
}

function bytesStats(p: StringPartial, tot: number): Obj {
  if (tot === 0) return { unique: p.counts.size };
  let min = Infinity;
  let max = 0;
  // latin1 keys: one char per byte
  for (const k of p.counts.keys()) {
    if (k.length < min) min = k.length;
    if (k.length > max) max = k.length;
  }
  return { unique: p.counts.size, avgNumBytes: p.totalBytes / tot, minNumBytes: min, maxNumBytes: max, maxNumBytesInt: max };
}

/**
 * One feature's FeatureNameStatistics as a plain object (protobufjs field names);
 * `weightedNumExamples` only matters for a weighted partial.
 */
export function featureStatistics(f: FeaturePartial, numExamples: number, opts: StatsOptions = {}, weightedNumExamples = 0): Obj {
  const o = { ...defaults, ...opts };
  const common = commonStats(f, numExamples, weightedNumExamples, o);
  const out: Obj = { path: { step: [f.name] } };
  if (f.kind === 'int' || f.kind === 'float') {
    out.type = f.kind === 'int' ? 'INT' : 'FLOAT';
    out.numStats = { commonStats: common, ...numericStats(f.numeric!, o) };
  } else if (f.kind === 'bytes' && opts.bytesFeatures?.includes(f.name)) {
    out.type = 'BYTES';
    out.bytesStats = { commonStats: common, ...bytesStats(f.strings!, f.totNumValues) };
  } else {
    // no values ever seen: TFDV has no "unknown" type and says STRING
    out.type = 'STRING';
    out.stringStats = { commonStats: common, ...(f.strings ? stringStats(f.strings, f.totNumValues, o) : {}) };
  }
  return out;
}

/**
 * One split's DatasetFeatureStatistics as a plain object. A feature no example of the split
 * has (an all-null column: ExampleGen aligns the splits on one schema, and Arrow input may
 * carry such columns) is left out, as TFDV never sees a tf.Example feature that no example
 * holds; partials keep it, so a feature present in some shards only still merges in.
 */
export function datasetStatistics(name: string, p: DatasetPartial, opts: StatsOptions = {}): Obj {
  const wn = p.weightedNumExamples ?? 0;
  const features = [...p.features.values()].filter((f) => f.numNonMissing > 0).map((f) => featureStatistics(f, p.numExamples, opts, wn));
  const out: Obj = { name, numExamples: p.numExamples, features };
  if (p.weightFeature !== undefined) out.weightedNumExamples = wn;
  return out;
}

/** Splits -> a DatasetFeatureStatisticsList object (one dataset per split, in the given order). */
export function statisticsList(splits: Iterable<[string, DatasetPartial]>, opts: StatsOptions = {}): Obj {
  return { datasets: [...splits].map(([name, p]) => datasetStatistics(name, p, opts)) };
}

// --- wire form and JSON view ---

/** Encode a DatasetFeatureStatisticsList object (as built above, or decoded) to TFMD binary. */
export function encodeStatistics(list: Obj): Uint8Array {
  const T = statisticsListType();
  return T.encode(T.fromObject(list)).finish();
}

/** Decode TFMD binary (ours or TFDV's) to a plain object: enums as names, 64-bit ints as numbers, defaults filled in. */
export function decodeStatistics(bytes: Uint8Array, file?: string): Obj {
  const T = statisticsListType();
  const msg = decodeMessage(T, bytes, file);
  return T.toObject(msg, { enums: String, longs: Number, defaults: true, arrays: true });
}

/**
 * JSON-safe view for `tsfx show --json`: like decodeStatistics but with NaN and +-Infinity as
 * the strings "NaN", "Infinity", "-Infinity" (protobuf's JSON mapping), defaults included.
 */
export function statisticsJson(bytes: Uint8Array): Obj {
  const T = statisticsListType();
  return T.toObject(T.decode(bytes), { enums: String, longs: Number, json: true, defaults: true, arrays: true });
}
