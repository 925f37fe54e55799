/**
 * The file form of a DatasetPartial, how a shard's activity hands it to the merge step: JSON,
 * with float64 arrays as base64, non-finite numbers as strings, and string values (latin1
 * keys holding raw bytes) as base64 so any bytes survive. Weighted parts are written only
 * when present, so unweighted files are as before.
 */
import { DataError } from '../errors.js';
import type { ValueKind } from './arrow-leaf.js';
import { emptyPartial, type DatasetPartial, type FeaturePartial, type NumericPartial } from './accumulators.js';
import { KllSketch, type KllState } from './kll.js';
import { WeightedKllSketch, type WeightedKllState } from './kll-weighted.js';
import type { WeightedNumericPartial } from './weights.js';

const FORMAT = 'tsfx-stats-partial/1';

type Json = Record<string, unknown>;

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

/** the plain number fields of an object (sketches and nested parts left out) */
function numbers(o: object, skip: string[]): Json {
  return Object.fromEntries(Object.entries(o).filter(([key]) => !skip.includes(key)).map(([key, v]) => [key, num(v as number)]));
}
function unnumbers(o: Json, skip: string[]): Json {
  return Object.fromEntries(Object.entries(o).filter(([key]) => !skip.includes(key)).map(([key, v]) => [key, unnum(v)]));
}

const countsOut = (m: Map<string, number>) => [...m].map(([v, c]) => [Buffer.from(v, 'latin1').toString('base64'), c]);
const countsIn = (a: [string, number][]) => new Map(a.map(([v, c]) => [Buffer.from(v, 'base64').toString('latin1'), c]));

function weightedOut(w: WeightedNumericPartial): Json {
  const s = w.sketch.toJSON();
  return { ...numbers(w, ['sketch']), sketch: { ...s, min: num(s.min), max: num(s.max), values: s.values.map(f64), weights: s.weights.map(f64) } };
}
function weightedIn(w: Json): WeightedNumericPartial {
  const s = w.sketch as WeightedKllState & { values: string[]; weights: string[] };
  const sketch = WeightedKllSketch.fromJSON({ ...s, min: unnum(s.min), max: unnum(s.max), values: s.values.map(unf64), weights: s.weights.map(unf64) });
  return { ...(unnumbers(w, ['sketch']) as unknown as WeightedNumericPartial), sketch };
}

/** Serialize a partial (for an activity to hand to the merge step through a file). */
export function encodePartial(p: DatasetPartial): Uint8Array {
  const features = [...p.features.values()].map((f) => ({
    name: f.name, kind: f.kind, kindSource: f.kindSource, numNonMissing: f.numNonMissing,
    minNumValues: num(f.minNumValues), maxNumValues: f.maxNumValues, totNumValues: f.totNumValues,
    numValuesCounts: [...f.numValuesCounts],
    weighted: f.weighted,
    numeric: f.numeric && {
      ...numbers(f.numeric, ['sketch', 'weighted']),
      sketch: ((s: KllState) => ({ ...s, min: num(s.min), max: num(s.max), levels: s.levels.map(f64) }))(f.numeric.sketch.toJSON()),
      weighted: f.numeric.weighted && weightedOut(f.numeric.weighted),
    },
    strings: f.strings && {
      totalBytes: f.strings.totalBytes, invalidUtf8: f.strings.invalidUtf8,
      counts: countsOut(f.strings.counts),
      weightedCounts: f.strings.weightedCounts && countsOut(f.strings.weightedCounts),
    },
  }));
  const doc = { format: FORMAT, numExamples: p.numExamples, weightFeature: p.weightFeature, weightedNumExamples: p.weightedNumExamples, features };
  return Buffer.from(JSON.stringify(doc));
}

/** Inverse of encodePartial; `file` only names the source in errors. */
export function decodePartial(bytes: Uint8Array, file?: string): DatasetPartial {
  let doc: { format?: string; numExamples: number; weightFeature?: string; weightedNumExamples?: number; features: Json[] };
  try {
    doc = JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8'));
  } catch (err) {
    throw new DataError(`not a statistics partial: ${(err as Error).message}`, file);
  }
  if (doc?.format !== FORMAT) throw new DataError(`not a statistics partial (format ${JSON.stringify(doc?.format)}, want ${FORMAT})`, file);
  const out = emptyPartial();
  out.numExamples = doc.numExamples;
  if (doc.weightFeature !== undefined) {
    out.weightFeature = doc.weightFeature;
    out.weightedNumExamples = doc.weightedNumExamples ?? 0;
  }
  for (const raw of doc.features) {
    const r = raw as Record<string, never>;
    const n = r.numeric as Json | undefined;
    const s = r.strings as { totalBytes: number; invalidUtf8: number; counts: [string, number][]; weightedCounts?: [string, number][] } | undefined;
    const f: FeaturePartial = {
      name: r.name, kind: r.kind as ValueKind | null, kindSource: r.kindSource ?? undefined, numNonMissing: r.numNonMissing,
      minNumValues: unnum(r.minNumValues), maxNumValues: r.maxNumValues, totNumValues: r.totNumValues,
      numValuesCounts: new Map(r.numValuesCounts as [number, number][]),
      numeric: undefined,
      strings: s && {
        totalBytes: s.totalBytes, invalidUtf8: s.invalidUtf8, counts: countsIn(s.counts),
        ...(s.weightedCounts ? { weightedCounts: countsIn(s.weightedCounts) } : {}),
      },
    };
    if (r.weighted) f.weighted = { ...(r.weighted as { numNonMissing: number; totNumValues: number }) };
    if (n) {
      const sk = n.sketch as KllState & { levels: string[] };
      f.numeric = {
        ...(unnumbers(n, ['sketch', 'weighted']) as unknown as NumericPartial),
        sketch: KllSketch.fromJSON({ ...sk, min: unnum(sk.min), max: unnum(sk.max), levels: sk.levels.map(unf64) }),
      };
      if (n.weighted) f.numeric.weighted = weightedIn(n.weighted as Json);
    }
    out.features.set(f.name, f);
  }
  return out;
}
