/**
 * Merging partials, and their file form. StatisticsGen computes one DatasetPartial per shard
 * in parallel activities, writes each with encodePartial, and a final activity decodes and
 * merges them: mergePartials is associative and commutative for every exact statistic (the
 * quantile sketch keeps its error bound under any merge tree).
 */
import { DataError } from '../errors.js';
import type { ValueKind } from './arrow-leaf.js';
import { emptyPartial, mergeMoments, newNumeric, type DatasetPartial, type FeaturePartial, type NumericPartial } from './accumulators.js';
import { KllSketch, type KllState } from './kll.js';

function cloneFeature(f: FeaturePartial): FeaturePartial {
  return {
    ...f,
    numValuesCounts: new Map(f.numValuesCounts),
    numeric: f.numeric && { ...f.numeric, sketch: KllSketch.fromJSON(f.numeric.sketch.toJSON()) },
    strings: f.strings && { ...f.strings, counts: new Map(f.strings.counts) },
  };
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
}

/** Fold feature `b` into `a` (same name). Type conflicts are a DataError naming both sides. */
function mergeFeature(a: FeaturePartial, b: FeaturePartial): void {
  if (b.kind !== null) {
    if (a.kind === null) {
      a.kind = b.kind;
      a.kindSource = b.kindSource;
      a.numeric = b.numeric && { ...newNumeric(b.numeric.sketch.k) };
      a.strings = b.strings && { totalBytes: 0, invalidUtf8: 0, counts: new Map() };
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
    const counts = a.strings.counts;
    for (const [v, c] of b.strings.counts) counts.set(v, (counts.get(v) ?? 0) + c);
  }
}

/**
 * Merge partials into a new one (inputs are not modified). Features keep first-seen order
 * across the inputs, in the order given.
 */
export function mergePartials(parts: Iterable<DatasetPartial>): DatasetPartial {
  const out = emptyPartial();
  for (const p of parts) {
    out.numExamples += p.numExamples;
    for (const [name, f] of p.features) {
      const mine = out.features.get(name);
      if (mine) mergeFeature(mine, f);
      else out.features.set(name, cloneFeature(f));
    }
  }
  return out;
}

// ---- file form: JSON, with float64 arrays as base64 and non-finite numbers as strings ----

const FORMAT = 'tsfx-stats-partial/1';

function num(x: number): number | string {
  return Number.isFinite(x) ? x : String(x);
}
function unnum(x: unknown): number {
  return typeof x === 'string' ? Number(x) : (x as number);
}
function f64(a: Float64Array): string {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64');
}
function unf64(s: string): Float64Array {
  const b = Buffer.from(s, 'base64');
  const out = new Float64Array(b.length / 8);
  new Uint8Array(out.buffer).set(b);
  return out;
}

/** Serialize a partial (for an activity to hand to the merge step through a file). */
export function encodePartial(p: DatasetPartial): Uint8Array {
  const features = [...p.features.values()].map((f) => ({
    name: f.name, kind: f.kind, kindSource: f.kindSource, numNonMissing: f.numNonMissing,
    minNumValues: num(f.minNumValues), maxNumValues: f.maxNumValues, totNumValues: f.totNumValues,
    numValuesCounts: [...f.numValuesCounts],
    numeric: f.numeric && {
      ...Object.fromEntries(Object.entries(f.numeric).filter(([key]) => key !== 'sketch').map(([key, v]) => [key, num(v as number)])),
      sketch: ((s: KllState) => ({ ...s, min: num(s.min), max: num(s.max), levels: s.levels.map(f64) }))(f.numeric.sketch.toJSON()),
    },
    // latin1 keys hold raw bytes; base64 keeps them intact through JSON
    strings: f.strings && {
      totalBytes: f.strings.totalBytes, invalidUtf8: f.strings.invalidUtf8,
      counts: [...f.strings.counts].map(([v, c]) => [Buffer.from(v, 'latin1').toString('base64'), c]),
    },
  }));
  return Buffer.from(JSON.stringify({ format: FORMAT, numExamples: p.numExamples, features }));
}

/** Inverse of encodePartial; `file` only names the source in errors. */
export function decodePartial(bytes: Uint8Array, file?: string): DatasetPartial {
  let doc: { format?: string; numExamples: number; features: Record<string, unknown>[] };
  try {
    doc = JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8'));
  } catch (err) {
    throw new DataError(`not a statistics partial: ${(err as Error).message}`, file);
  }
  if (doc?.format !== FORMAT) throw new DataError(`not a statistics partial (format ${JSON.stringify(doc?.format)}, want ${FORMAT})`, file);
  const out = emptyPartial();
  out.numExamples = doc.numExamples;
  for (const raw of doc.features) {
    const r = raw as Record<string, never>;
    const n = r.numeric as Record<string, unknown> | undefined;
    const s = r.strings as { totalBytes: number; invalidUtf8: number; counts: [string, number][] } | undefined;
    const f: FeaturePartial = {
      name: r.name, kind: r.kind as ValueKind | null, kindSource: r.kindSource ?? undefined, numNonMissing: r.numNonMissing,
      minNumValues: unnum(r.minNumValues), maxNumValues: r.maxNumValues, totNumValues: r.totNumValues,
      numValuesCounts: new Map(r.numValuesCounts as [number, number][]),
      numeric: undefined,
      strings: s && { totalBytes: s.totalBytes, invalidUtf8: s.invalidUtf8, counts: new Map(s.counts.map(([v, c]) => [Buffer.from(v, 'base64').toString('latin1'), c])) },
    };
    if (n) {
      const sk = n.sketch as KllState & { levels: string[] };
      const fields = Object.fromEntries(Object.entries(n).filter(([key]) => key !== 'sketch').map(([key, v]) => [key, unnum(v)]));
      f.numeric = {
        ...(fields as unknown as NumericPartial),
        sketch: KllSketch.fromJSON({ ...sk, min: unnum(sk.min), max: unnum(sk.max), levels: sk.levels.map(unf64) }),
      };
    }
    out.features.set(f.name, f);
  }
  return out;
}
