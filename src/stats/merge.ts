/**
 * Merging partials. StatisticsGen computes one DatasetPartial per shard in parallel
 * activities, writes each with encodePartial (partial-file.ts), and a final activity decodes
 * and merges them: mergePartials is associative and commutative for every exact statistic
 * (the quantile sketches keep their error bounds under any merge tree), weighted ones included.
 */
import { DataError } from '../errors.js';
import {
  emptyPartial, mergeMoments, newNumeric, newStrings, type DatasetPartial, type FeaturePartial, type NumericPartial,
} from './accumulators.js';
import { KllSketch } from './kll.js';
import { WeightedKllSketch } from './kll-weighted.js';
import type { WeightedNumericPartial } from './weights.js';

function cloneFeature(f: FeaturePartial): FeaturePartial {
  const w = f.numeric?.weighted;
  return {
    ...f,
    numValuesCounts: new Map(f.numValuesCounts),
    numeric: f.numeric && {
      ...f.numeric,
      sketch: KllSketch.fromJSON(f.numeric.sketch.toJSON()),
      ...(w ? { weighted: { ...w, sketch: WeightedKllSketch.fromJSON(w.sketch.toJSON()) } } : {}),
    },
    strings: f.strings && {
      ...f.strings,
      counts: new Map(f.strings.counts),
      ...(f.strings.weightedCounts ? { weightedCounts: new Map(f.strings.weightedCounts) } : {}),
    },
    ...(f.weighted ? { weighted: { ...f.weighted } } : {}),
  };
}

function addCounts(into: Map<string, number>, from: Map<string, number>): void {
  for (const [v, c] of from) into.set(v, (into.get(v) ?? 0) + c);
}

function mergeWeightedNumeric(a: WeightedNumericPartial, b: WeightedNumericPartial): void {
  a.posInf += b.posInf;
  a.negInf += b.negInf;
  mergeMoments(a, b.finiteCount, b.mean, b.m2);
  a.sketch.merge(b.sketch);
}

function mergeNumeric(a: NumericPartial, b: NumericPartial): void {
  a.count += b.count;
  a.numNan += b.numNan;
  a.numZeros += b.numZeros;
  a.posInf += b.posInf;
  a.negInf += b.negInf;
  a.min = Math.min(a.min, b.min);
  a.max = Math.max(a.max, b.max);
  a.finiteMin = Math.min(a.finiteMin, b.finiteMin);
  a.finiteMax = Math.max(a.finiteMax, b.finiteMax);
  mergeMoments(a, b.finiteCount, b.mean, b.m2);
  a.sketch.merge(b.sketch);
  if (a.weighted && b.weighted) mergeWeightedNumeric(a.weighted, b.weighted);
}

/** Fold feature `b` into `a` (same name). Type conflicts are a DataError naming both sides. */
function mergeFeature(a: FeaturePartial, b: FeaturePartial): void {
  if (b.kind !== null) {
    if (a.kind === null) {
      a.kind = b.kind;
      a.kindSource = b.kindSource;
      a.numeric = b.numeric && newNumeric(b.numeric.sketch.k, b.numeric.weighted !== undefined);
      a.strings = b.strings && newStrings(b.strings.weightedCounts !== undefined);
    } else if (a.kind !== b.kind) {
      throw new DataError(
        `feature '${a.name}' has ${a.kind} values in ${a.kindSource ?? 'one part'} but ${b.kind} values in ${b.kindSource ?? 'another'}`,
      );
    }
  }
  a.numNonMissing += b.numNonMissing;
  a.minNumValues = Math.min(a.minNumValues, b.minNumValues);
  a.maxNumValues = Math.max(a.maxNumValues, b.maxNumValues);
  a.totNumValues += b.totNumValues;
  for (const [nv, c] of b.numValuesCounts) a.numValuesCounts.set(nv, (a.numValuesCounts.get(nv) ?? 0) + c);
  if (a.numeric && b.numeric) mergeNumeric(a.numeric, b.numeric);
  if (a.strings && b.strings) {
    a.strings.totalBytes += b.strings.totalBytes;
    a.strings.invalidUtf8 += b.strings.invalidUtf8;
    addCounts(a.strings.counts, b.strings.counts);
    if (a.strings.weightedCounts && b.strings.weightedCounts) addCounts(a.strings.weightedCounts, b.strings.weightedCounts);
  }
  if (a.weighted && b.weighted) {
    a.weighted.numNonMissing += b.weighted.numNonMissing;
    a.weighted.totNumValues += b.weighted.totNumValues;
  }
}

/**
 * Merge partials into a new one (inputs are not modified). Features keep first-seen order
 * across the inputs, in the order given. All inputs must be weighted by the same feature (or
 * none): a mix would add weighted sums to plain counts.
 */
export function mergePartials(parts: Iterable<DatasetPartial>): DatasetPartial {
  const out = emptyPartial();
  let first = true;
  for (const p of parts) {
    if (first) {
      first = false;
      if (p.weightFeature !== undefined) {
        out.weightFeature = p.weightFeature;
        out.weightedNumExamples = 0;
      }
    } else if (p.weightFeature !== out.weightFeature) {
      throw new DataError(
        `can't merge statistics weighted by ${quote(out.weightFeature)} with statistics weighted by ${quote(p.weightFeature)}`,
      );
    }
    out.numExamples += p.numExamples;
    if (out.weightFeature !== undefined) out.weightedNumExamples! += p.weightedNumExamples ?? 0;
    for (const [name, f] of p.features) {
      const mine = out.features.get(name);
      if (mine) mergeFeature(mine, f);
      else out.features.set(name, cloneFeature(f));
    }
  }
  return out;
}

const quote = (s: string | undefined) => (s === undefined ? 'no feature' : `'${s}'`);
