/**
 * Mergeable partial statistics of one split: one DatasetPartial per shard (or per record
 * batch), folded together with mergePartials in any grouping. Everything but the quantile
 * sketch is exact: counts, min/max, value frequencies (so unique and top-k are exact), and
 * mean/variance through Chan et al.'s pairwise update, whose result depends on the grouping
 * only at the last bits of a double.
 *
 * What is counted follows TFDV's BasicStatsGenerator and TopKUniques generators:
 *  - a feature is missing in a row when its cell is null; an empty list is present with 0 values;
 *  - NaN counts as a value for the value counts but is left out of min/max/mean/std/zeros and
 *    the sketch (it is reported as the histograms' num_nan);
 *  - +-Infinity takes part in min/max and the sketch; with any infinity TFDV's mean is NaN
 *    and its std_dev 0 (proto.ts), the finite moments are kept anyway (weights, later uses);
 *  - string values are counted byte-exactly; avg_length is bytes per value.
 */
import type { RecordBatch, Table } from 'apache-arrow';
import { DataError } from '../errors.js';
import { validity } from '../io/arrow-validity.js';
import { layoutOf, leafBytes, leafNumbers, typeKind, type ColumnLayout, type ValueKind } from './arrow-leaf.js';
import { countByteValues } from './byte-counts.js';
import { KLL_DEFAULT_K, KllSketch } from './kll.js';
import { mergeMoments } from './moments.js';
import {
  addWeightedCommon, addWeightedNumbers, addWeightedStrings, batchWeights, newWeightedNumeric,
  type WeightedCommonPartial, type WeightedNumericPartial,
} from './weights.js';

export { mergeMoments } from './moments.js';

export interface NumericPartial {
  /** values that are not NaN */
  count: number;
  numNan: number;
  numZeros: number;
  posInf: number;
  negInf: number;
  min: number;
  max: number;
  finiteMin: number;
  finiteMax: number;
  /** mean and sum of squared deviations of the finite values */
  finiteCount: number;
  mean: number;
  m2: number;
  sketch: KllSketch;
  /** set when the statistics are weighted (AccumulateOptions.weightFeature) */
  weighted?: WeightedNumericPartial;
}

export interface StringPartial {
  totalBytes: number;
  invalidUtf8: number;
  /** value (its bytes as a latin1 string, so any bytes round-trip and sort byte-wise) -> count */
  counts: Map<string, number>;
  /** same keys -> sum of the rows' weights, when weighted */
  weightedCounts?: Map<string, number>;
}

export interface FeaturePartial {
  name: string;
  /** null until a typed column was seen (Arrow Null columns carry no type) */
  kind: ValueKind | null;
  /** where `kind` was first seen, for type-conflict errors */
  kindSource: string | undefined;
  numNonMissing: number;
  minNumValues: number;
  maxNumValues: number;
  totNumValues: number;
  /** number of values per present row -> rows: exact, and small (valencies repeat) */
  numValuesCounts: Map<number, number>;
  numeric: NumericPartial | undefined;
  strings: StringPartial | undefined;
  /** set when the statistics are weighted */
  weighted?: WeightedCommonPartial;
}

export interface DatasetPartial {
  numExamples: number;
  /** features in first-seen order */
  features: Map<string, FeaturePartial>;
  /** the weight feature these statistics are weighted by, if any */
  weightFeature?: string;
  /** sum of the weights of all examples (with weightFeature) */
  weightedNumExamples?: number;
}

export interface AccumulateOptions {
  /** sketch size (default KLL_DEFAULT_K) */
  k?: number;
  /** names this data in error messages, e.g. the shard file */
  source?: string;
  /** weight every example by this numeric, single-valued, non-negative feature (TFDV's weight_feature) */
  weightFeature?: string;
  /** the row number (within `source`) of the batch's first row, for errors; accumulateTable sets it */
  firstRow?: number;
}

export function emptyPartial(): DatasetPartial {
  return { numExamples: 0, features: new Map() };
}

export function newFeature(name: string, weighted = false): FeaturePartial {
  const f: FeaturePartial = {
    name, kind: null, kindSource: undefined, numNonMissing: 0, minNumValues: Infinity, maxNumValues: 0, totNumValues: 0,
    numValuesCounts: new Map(), numeric: undefined, strings: undefined,
  };
  if (weighted) f.weighted = { numNonMissing: 0, totNumValues: 0 };
  return f;
}

export function newNumeric(k = KLL_DEFAULT_K, weighted = false): NumericPartial {
  const p: NumericPartial = {
    count: 0, numNan: 0, numZeros: 0, posInf: 0, negInf: 0, min: Infinity, max: -Infinity, finiteMin: Infinity, finiteMax: -Infinity,
    finiteCount: 0, mean: 0, m2: 0, sketch: new KllSketch(k),
  };
  if (weighted) p.weighted = newWeightedNumeric(k);
  return p;
}

export function newStrings(weighted = false): StringPartial {
  const s: StringPartial = { totalBytes: 0, invalidUtf8: 0, counts: new Map() };
  if (weighted) s.weightedCounts = new Map();
  return s;
}

/** Mark `into` as weighted by `feature` (a partial is weighted by one feature or none). */
function setWeightFeature(into: DatasetPartial, feature: string | undefined): void {
  if (into.weightFeature === feature) return;
  if (into.numExamples > 0 || into.weightFeature !== undefined) {
    throw new Error(`statistics weighted by '${into.weightFeature ?? '(none)'}' can't take data weighted by '${feature ?? '(none)'}'`);
  }
  into.weightFeature = feature;
  into.weightedNumExamples = 0;
  for (const f of into.features.values()) f.weighted ??= { numNonMissing: 0, totNumValues: 0 };
}

function setKind(f: FeaturePartial, kind: ValueKind | null, source: string | undefined, k: number): void {
  if (kind === null || f.kind === kind) return;
  if (f.kind !== null) {
    throw new DataError(`feature '${f.name}' has ${kind} values here but ${f.kind} values in ${f.kindSource ?? 'other data'}`, source);
  }
  f.kind = kind;
  f.kindSource = source;
  if (kind === 'bytes') f.strings = newStrings(f.weighted !== undefined);
  else f.numeric = newNumeric(k, f.weighted !== undefined);
}

/** Fold a table (all its record batches) into `into` (a new partial by default). */
export function accumulateTable(table: Table, opts: AccumulateOptions = {}, into = emptyPartial()): DatasetPartial {
  setWeightFeature(into, opts.weightFeature);
  const weighted = opts.weightFeature !== undefined;
  // every column gets a partial (one that never has a value is left out of the statistics, proto.ts)
  for (const field of table.schema.fields) if (!into.features.has(field.name)) into.features.set(field.name, newFeature(field.name, weighted));
  let firstRow = opts.firstRow ?? 0;
  for (const batch of table.batches) {
    accumulateBatch(batch, { ...opts, firstRow }, into);
    firstRow += batch.numRows;
  }
  if (table.batches.length === 0) {
    for (const field of table.schema.fields) setKind(into.features.get(field.name)!, typeKind(field.name, field.type), opts.source, opts.k ?? KLL_DEFAULT_K);
  }
  return into;
}

export function accumulateBatch(batch: RecordBatch, opts: AccumulateOptions = {}, into = emptyPartial()): DatasetPartial {
  const k = opts.k ?? KLL_DEFAULT_K;
  setWeightFeature(into, opts.weightFeature);
  // weights are read (and checked) before anything is counted, so a bad weight leaves `into` as it was
  const weights = opts.weightFeature !== undefined && batch.numRows > 0 ? batchWeights(batch, opts.weightFeature, opts.source, opts.firstRow ?? 0) : undefined;
  into.numExamples += batch.numRows;
  if (weights) into.weightedNumExamples! += weights.reduce((a, w) => a + w, 0);
  const fields = batch.schema.fields;
  for (let c = 0; c < fields.length; c++) {
    const name = fields[c]!.name;
    let f = into.features.get(name);
    if (!f) into.features.set(name, (f = newFeature(name, opts.weightFeature !== undefined)));
    const layout = layoutOf(name, batch.data.children[c]!);
    setKind(f, layout.kind, opts.source, k);
    accumulateColumn(f, layout, weights);
  }
  return into;
}

/** per-batch tallies of small value counts, folded into numValuesCounts once per batch */
const SMALL_NV = 64;
const nvTally = new Float64Array(SMALL_NV);

/** Leaf index ranges [from, to) of the present rows, coalesced where rows are adjacent. */
function presentRanges(f: FeaturePartial, l: ColumnLayout): number[] {
  const ranges: number[] = [];
  const counts = f.numValuesCounts;
  let nonMissing = 0;
  let minNv = f.minNumValues;
  let maxNv = f.maxNumValues;
  let tot = 0;
  const present = l.present;
  if (!l.offsets && !l.fixedSize) {
    // plain column: one value per present row
    if (!present) {
      nonMissing = l.rows;
      if (l.rows > 0) ranges.push(0, l.rows);
    } else {
      for (let i = 0; i < l.rows; i++) {
        if (!present[i]) continue;
        nonMissing++;
        const last = ranges.length - 1;
        if (last > 0 && ranges[last] === i) ranges[last] = i + 1;
        else ranges.push(i, i + 1);
      }
    }
    if (nonMissing > 0) {
      counts.set(1, (counts.get(1) ?? 0) + nonMissing);
      minNv = Math.min(minNv, 1);
      maxNv = Math.max(maxNv, 1);
    }
    tot = nonMissing;
  } else {
    const offsets = l.offsets;
    const size = l.fixedSize;
    // small counts are tallied in a typed array and folded in once, in first-seen order
    const seen: number[] = [];
    for (let i = 0; i < l.rows; i++) {
      if (present && !present[i]) continue;
      const from = offsets ? offsets[i]! : i * size;
      const to = offsets ? offsets[i + 1]! : from + size;
      const nv = to - from;
      nonMissing++;
      tot += nv;
      if (nv < minNv) minNv = nv;
      if (nv > maxNv) maxNv = nv;
      if (nv < SMALL_NV) {
        if (nvTally[nv]!++ === 0) seen.push(nv);
      } else counts.set(nv, (counts.get(nv) ?? 0) + 1);
      if (nv === 0) continue;
      const last = ranges.length - 1;
      if (last > 0 && ranges[last] === from) ranges[last] = to;
      else ranges.push(from, to);
    }
    for (const nv of seen) {
      counts.set(nv, (counts.get(nv) ?? 0) + nvTally[nv]!);
      nvTally[nv] = 0;
    }
  }
  f.numNonMissing += nonMissing;
  f.minNumValues = minNv;
  f.maxNumValues = maxNv;
  f.totNumValues += tot;
  return ranges;
}

/** reused for each numeric column's leaf as doubles */
let converted = new Float64Array(0);

function accumulateColumn(f: FeaturePartial, l: ColumnLayout, weights: Float64Array | undefined): void {
  const ranges = presentRanges(f, l);
  if (weights) addWeightedCommon(f.weighted!, l, weights);
  if (ranges.length === 0 || l.kind === null) return;
  // nulls inside a list (possible in Arrow input, never in tf.Example): counted as values
  // above, skipped for the value statistics
  const isList = Boolean(l.offsets || l.fixedSize);
  const leafValid = isList ? validity(l.leaf) : undefined;
  if (l.kind === 'bytes') {
    addStrings(f.strings!, l, ranges, leafValid);
    if (weights) addWeightedStrings(f.strings!.weightedCounts!, l, weights, leafValid);
  } else {
    if (converted.length < l.leaf.length) converted = new Float64Array(l.leaf.length);
    const values = leafNumbers(l.leaf, converted);
    addNumbers(f.numeric!, values, ranges, leafValid);
    if (weights) addWeightedNumbers(f.numeric!.weighted!, l, values, weights, leafValid);
  }
}

/** non-NaN values of the current column, handed to the sketch in one batch */
let scratch = new Float64Array(1 << 16);

function addNumbers(p: NumericPartial, values: Float64Array, ranges: number[], valid: Uint8Array | undefined): void {
  let count = 0;
  let nan = 0;
  let zeros = 0;
  let pos = 0;
  let neg = 0;
  let min = Infinity;
  let max = -Infinity;
  let fmin = Infinity;
  let fmax = -Infinity;
  let n = 0;
  let sum = 0;
  const last = ranges[ranges.length - 1]!;
  if (scratch.length < last - ranges[0]!) scratch = new Float64Array(last - ranges[0]!);
  const kept = scratch;
  for (let r = 0; r < ranges.length; r += 2) {
    const to = ranges[r + 1]!;
    for (let j = ranges[r]!; j < to; j++) {
      if (valid && !valid[j]) continue;
      const v = values[j]!;
      if (v !== v) {
        nan++;
        continue;
      }
      kept[count++] = v;
      if (v < min) min = v;
      if (v > max) max = v;
      if (v === 0) zeros++;
      else if (v === Infinity) {
        pos++;
        continue;
      } else if (v === -Infinity) {
        neg++;
        continue;
      }
      if (v < fmin) fmin = v;
      if (v > fmax) fmax = v;
      n++;
      sum += v;
    }
  }
  p.sketch.addAll(kept, 0, count);
  p.count += count;
  p.numNan += nan;
  p.numZeros += zeros;
  p.posInf += pos;
  p.negInf += neg;
  if (min < p.min) p.min = min;
  if (max > p.max) p.max = max;
  if (fmin < p.finiteMin) p.finiteMin = fmin;
  if (fmax > p.finiteMax) p.finiteMax = fmax;
  if (n === 0) return;
  // second pass over this batch: deviations from the batch mean, then Chan's pairwise merge
  const mean = sum / n;
  let m2 = 0;
  for (let i = 0; i < count; i++) {
    const v = kept[i]!;
    if (v - v !== 0) continue; // +-Infinity
    const d = v - mean;
    m2 += d * d;
  }
  mergeMoments(p, n, mean, m2);
}

function addStrings(p: StringPartial, l: ColumnLayout, ranges: number[], valid: Uint8Array | undefined): void {
  const { bytes, starts } = leafBytes(l.leaf);
  countByteValues(bytes, starts, ranges, valid, p);
}
