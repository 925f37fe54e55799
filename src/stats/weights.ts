/**
 * Example weights (TFDV's StatsOptions.weight_feature): the weight column read and checked
 * once per record batch, and the weighted side of each feature's statistics. Kept apart from
 * accumulators.ts so the unweighted path is untouched when no weight feature is set.
 *
 * What is weighted follows TFDV's BasicStatsGenerator and TopKUniquesSketchStatsGenerator:
 *  - presence: the weight of the rows that have the feature, and weight x number of values;
 *  - numbers: every non-NaN value weighs its row's weight (mean, variance, the weighted
 *    sketch; the weight of +-Infinity values is kept for the standard histogram's end bins);
 *  - strings: each value's frequency is the sum of its rows' weights, each weight rounded to
 *    float32 first as TFDV's top-k sketch takes them.
 * TFDV sums a float32 weight column in float32 (numpy); tsfx sums in double, so with weights
 * that are not exact binary fractions the two differ in the float32 rounding.
 */
import type { RecordBatch } from 'apache-arrow';
import { DataError } from '../errors.js';
import { validity } from '../io/arrow-validity.js';
import { layoutOf, leafBytes, leafNumbers, rowRange, type ColumnLayout } from './arrow-leaf.js';
import { WeightedKllSketch } from './kll-weighted.js';
import { mergeMoments } from './moments.js';

export interface WeightedNumericPartial {
  /** total weight of the finite values, and their weighted mean and sum of weighted squared deviations */
  finiteCount: number;
  mean: number;
  m2: number;
  /** weight of the +Infinity and -Infinity values */
  posInf: number;
  negInf: number;
  sketch: WeightedKllSketch;
}

export interface WeightedCommonPartial {
  /** weight of the rows where the feature is present */
  numNonMissing: number;
  /** sum over those rows of weight x number of values */
  totNumValues: number;
}

export function newWeightedNumeric(k: number): WeightedNumericPartial {
  return { finiteCount: 0, mean: 0, m2: 0, posInf: 0, negInf: 0, sketch: new WeightedKllSketch(k) };
}

/**
 * The weight of every row of `batch`, or a DataError naming the weight feature, `source`
 * (split and shard file) and the row (`firstRow` is the batch's first row in the source).
 */
export function batchWeights(batch: RecordBatch, feature: string, source: string | undefined, firstRow: number): Float64Array {
  const c = batch.schema.fields.findIndex((f) => f.name === feature);
  if (c < 0) throw new DataError(`weight feature '${feature}' is not in the data (columns: ${batch.schema.fields.map((f) => f.name).join(', ')})`, source);
  const l = layoutOf(feature, batch.data.children[c]!);
  const rowError = (i: number, what: string) => new DataError(`weight feature '${feature}' ${what}`, source, `row ${firstRow + i}`);
  const numeric = l.kind === 'int' || l.kind === 'float';
  const values = numeric ? leafNumbers(l.leaf) : new Float64Array(0);
  const leafValid = l.offsets || l.fixedSize ? validity(l.leaf) : undefined;
  const out = new Float64Array(l.rows);
  for (let i = 0; i < l.rows; i++) {
    // a Null column (kind null) has every row missing
    if ((l.present && !l.present[i]) || l.kind === null) throw rowError(i, 'is missing');
    const [from, to] = rowRange(l, i);
    if (to - from !== 1) throw rowError(i, `must have exactly one value, but has ${to - from}`);
    if (leafValid && !leafValid[from]) throw rowError(i, 'is missing (a null value)');
    if (!numeric) throw rowError(i, `must be numeric (int or float), but has ${l.kind} values`);
    const w = values[from]!;
    if (!(w >= 0) || w === Infinity) throw rowError(i, `is ${w}; a weight must be a finite number >= 0`);
    out[i] = w;
  }
  return out;
}

/** Weighted presence counts of one column. */
export function addWeightedCommon(p: WeightedCommonPartial, l: ColumnLayout, weights: Float64Array): void {
  let nonMissing = 0;
  let tot = 0;
  for (let i = 0; i < l.rows; i++) {
    if (l.present && !l.present[i]) continue;
    const [from, to] = rowRange(l, i);
    nonMissing += weights[i]!;
    tot += weights[i]! * (to - from);
  }
  p.numNonMissing += nonMissing;
  p.totNumValues += tot;
}

/** Weighted moments, infinity weights and sketch of one numeric column (`values`: its leaf as doubles). */
export function addWeightedNumbers(
  p: WeightedNumericPartial, l: ColumnLayout, values: Float64Array, weights: Float64Array, valid: Uint8Array | undefined,
): void {
  let total = 0;
  let sum = 0;
  let pos = 0;
  let neg = 0;
  const each = (fn: (v: number, w: number) => void) => {
    for (let i = 0; i < l.rows; i++) {
      if (l.present && !l.present[i]) continue;
      const w = weights[i]!;
      const [from, to] = rowRange(l, i);
      for (let j = from; j < to; j++) {
        if (valid && !valid[j]) continue;
        const v = values[j]!;
        if (v === v) fn(v, w);
      }
    }
  };
  each((v, w) => {
    p.sketch.add(v, w);
    if (v === Infinity) pos += w;
    else if (v === -Infinity) neg += w;
    else {
      total += w;
      sum += w * v;
    }
  });
  p.posInf += pos;
  p.negInf += neg;
  if (total === 0) return;
  const mean = sum / total;
  let m2 = 0;
  each((v, w) => {
    if (v - v !== 0) return;
    const d = v - mean;
    m2 += w * d * d;
  });
  mergeMoments(p, total, mean, m2);
}

/** Weighted value frequencies of one string column, keyed like StringPartial.counts (latin1). */
export function addWeightedStrings(counts: Map<string, number>, l: ColumnLayout, weights: Float64Array, valid: Uint8Array | undefined): void {
  const { bytes, starts } = leafBytes(l.leaf);
  for (let i = 0; i < l.rows; i++) {
    if (l.present && !l.present[i]) continue;
    const w = Math.fround(weights[i]!);
    const [from, to] = rowRange(l, i);
    for (let j = from; j < to; j++) {
      if (valid && !valid[j]) continue;
      const key = bytes.toString('latin1', starts[j]!, starts[j + 1]!);
      counts.set(key, (counts.get(key) ?? 0) + w);
    }
  }
}
