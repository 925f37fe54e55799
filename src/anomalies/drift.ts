/**
 * Drift and skew: a feature's distribution compared with a control dataset's (the previous
 * span for drift, serving data for skew) by the comparators the schema configures per feature,
 * L-infinity distance for categorical values and approximate Jensen-Shannon divergence
 * (log base 2, so 0..1) for numeric histograms and categorical values, as TFDV measures them.
 */
import { featureName, featureStatsView } from '../schema/stats-view.js';
import type { Feature, FeatureComparator } from '../schema/index.js';
import type { DriftSkewInfo, Measurement, Reason } from './proto.js';

type Obj = Record<string, unknown>;

export interface ComparatorOptions {
  /** the previous span's statistics of the same split: drift_comparator applies */
  previous?: Obj;
  /** serving (or another split's) statistics: skew_comparator applies */
  serving?: Obj;
}

const num = (v: unknown) => (typeof v === 'number' ? v : Number(v ?? 0));

/** Features of a dataset by name, for looking the control side up. */
export function featuresByName(dataset: Obj | undefined): Map<string, Obj> {
  return new Map(((dataset?.features ?? []) as Obj[]).map((f) => [featureName(f), f]));
}

interface Side {
  control: Map<string, Obj>;
  comparator: FeatureComparator | undefined;
  names: { treatment: string; control: string };
  key: 'driftMeasurements' | 'skewMeasurements';
}

/** Reasons for one feature, plus the measurements taken (reported whether or not they crossed a threshold). */
export function compareFeature(feature: Feature, stats: Obj, sides: { drift?: Map<string, Obj>; skew?: Map<string, Obj> }): { reasons: Reason[]; info?: DriftSkewInfo } {
  const all: Side[] = [];
  if (sides.drift) all.push({ control: sides.drift, comparator: feature.driftComparator, names: { treatment: 'current', control: 'previous' }, key: 'driftMeasurements' });
  if (sides.skew) all.push({ control: sides.skew, comparator: feature.skewComparator, names: { treatment: 'training', control: 'serving' }, key: 'skewMeasurements' });
  const reasons: Reason[] = [];
  const info: DriftSkewInfo = { path: { step: [feature.name] } };
  for (const side of all) {
    const other = side.control.get(feature.name);
    if (!side.comparator || !other) continue;
    const found: Measurement[] = [];
    const linf = side.comparator.infinityNorm?.threshold;
    if (linf !== undefined) {
      const d = lInfinity(stats, other);
      if (d) {
        found.push({ type: 'L_INFTY', value: d.distance, threshold: linf });
        if (d.distance > linf) {
          const { treatment: t, control: c } = side.names;
          reasons.push({
            type: 'COMPARATOR_L_INFTY_HIGH',
            shortDescription: `High Linfty distance between ${t} and ${c}`,
            description: `The Linfty distance between ${t} and ${c} is ${sixDigits(d.distance)} (up to six significant digits), above the threshold ${sixDigits(linf)}. The feature value with maximum difference is: ${d.value}`,
          });
        }
      }
    }
    const jsd = side.comparator.jensenShannonDivergence?.threshold;
    if (jsd !== undefined) {
      const d = jensenShannon(stats, other);
      if (d !== undefined) {
        found.push({ type: 'JENSEN_SHANNON_DIVERGENCE', value: d, threshold: jsd });
        if (d > jsd) {
          const { treatment: t, control: c } = side.names;
          reasons.push({
            type: 'COMPARATOR_JENSEN_SHANNON_DIVERGENCE_HIGH',
            shortDescription: `High approximate Jensen-Shannon divergence between ${t} and ${c}`,
            description: `The approximate Jensen-Shannon divergence between ${t} and ${c} is ${sixDigits(d)} (up to six significant digits), above the threshold ${sixDigits(jsd)}.`,
          });
        }
      }
    }
    if (found.length) info[side.key] = found;
  }
  return { reasons, info: info.driftMeasurements || info.skewMeasurements ? info : undefined };
}

/** Value -> share of all counted values, from the rank histogram or top values. */
function categorical(stats: Obj): Map<string, number> | undefined {
  const view = featureStatsView(stats);
  if (!view || view.stringValues.size === 0) return undefined;
  const total = [...view.stringValues.values()].reduce((a, b) => a + b, 0);
  if (total === 0) return undefined;
  return new Map([...view.stringValues].map(([k, v]) => [k, v / total]));
}

/** Largest difference in share of one value between the two datasets, and that value. */
export function lInfinity(a: Obj, b: Obj): { value: string; distance: number } | undefined {
  const p = categorical(a);
  const q = categorical(b);
  if (!p || !q) return undefined;
  let best = { value: '', distance: 0 };
  // sorted so ties resolve to the same value every time
  for (const v of [...new Set([...p.keys(), ...q.keys()])].sort()) {
    const d = Math.abs((p.get(v) ?? 0) - (q.get(v) ?? 0));
    if (d > best.distance) best = { value: v, distance: d };
  }
  return best;
}

/** JSD of the two features' distributions: numeric histograms, else categorical value shares. */
export function jensenShannon(a: Obj, b: Obj): number | undefined {
  const ha = standardHistogram(a);
  const hb = standardHistogram(b);
  if (ha && hb) return divergence(...rebucket(ha, hb));
  const p = categorical(a);
  const q = categorical(b);
  if (!p || !q) return undefined;
  const keys = [...new Set([...p.keys(), ...q.keys()])];
  return divergence(keys.map((k) => p.get(k) ?? 0), keys.map((k) => q.get(k) ?? 0));
}

interface Hist {
  buckets: { low: number; high: number; count: number }[];
  nan: number;
}

function standardHistogram(stats: Obj): Hist | undefined {
  const hists = ((stats.numStats as Obj | undefined)?.histograms ?? []) as Obj[];
  const h = hists.find((x) => (x.type ?? 'STANDARD') === 'STANDARD');
  if (!h) return undefined;
  const buckets = ((h.buckets ?? []) as Obj[]).map((x) => ({ low: num(x.lowValue), high: num(x.highValue), count: num(x.sampleCount) }));
  return { buckets, nan: num(h.numNan) };
}

/**
 * Both histograms spread over the union of their bucket edges, assuming values are uniform
 * inside a bucket (TFDV's approximation), plus one NaN bucket each: two aligned count vectors.
 */
function rebucket(a: Hist, b: Hist): [number[], number[]] {
  const edges = [...new Set([...a.buckets, ...b.buckets].flatMap((x) => [x.low, x.high]))].sort((x, y) => x - y);
  const spread = (h: Hist) => {
    const out = new Array<number>(Math.max(edges.length - 1, 1)).fill(0);
    for (const bk of h.buckets) {
      const width = bk.high - bk.low;
      for (let i = 0; i < edges.length - 1; i++) {
        const lo = Math.max(edges[i]!, bk.low);
        const hi = Math.min(edges[i + 1]!, bk.high);
        if (width === 0) {
          // a single-value bucket lands in the interval that starts at it (the last one at the end)
          if (bk.low === edges[i] || (i === edges.length - 2 && bk.low === edges[i + 1])) {
            out[i] += bk.count;
            break;
          }
        } else if (hi > lo) out[i] += (bk.count * (hi - lo)) / width;
      }
      if (edges.length === 1) out[0] += bk.count;
    }
    return [...out, h.nan];
  };
  return [spread(a), spread(b)];
}

/** Jensen-Shannon divergence, log base 2, of two count (or share) vectors. */
export function divergence(a: number[], b: number[]): number | undefined {
  const sa = a.reduce((x, y) => x + y, 0);
  const sb = b.reduce((x, y) => x + y, 0);
  if (sa === 0 || sb === 0) return undefined;
  let d = 0;
  for (let i = 0; i < a.length; i++) {
    const p = a[i]! / sa;
    const q = b[i]! / sb;
    const m = (p + q) / 2;
    if (p > 0) d += 0.5 * p * Math.log2(p / m);
    if (q > 0) d += 0.5 * q * Math.log2(q / m);
  }
  return Math.max(0, d);
}

/** A number with up to six significant digits, the way absl::SixDigits (printf %g) prints it. */
export function sixDigits(x: number): string {
  if (x === 0 || !Number.isFinite(x)) return String(x);
  const exp = Math.floor(Math.log10(Math.abs(x)));
  if (exp < -4 || exp >= 6) {
    const [m, e] = x.toExponential(5).split('e');
    const mant = m!.includes('.') ? m!.replace(/\.?0+$/, '') : m!;
    const n = Number(e);
    return `${mant}e${n < 0 ? '-' : '+'}${String(Math.abs(n)).padStart(2, '0')}`;
  }
  const s = x.toPrecision(6);
  return s.includes('.') ? s.replace(/\.?0+$/, '') : s;
}
