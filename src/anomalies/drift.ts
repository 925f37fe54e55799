/**
 * Drift and skew: a feature's distribution compared with a control dataset's (the previous
 * span for drift, serving data for skew) by the comparators the schema configures per feature,
 * as TFDV's validator runs them: every configured measurement is reported in driftSkewInfo,
 * an anomaly is raised when it is above its threshold, and a control dataset without the
 * feature is an anomaly of its own. The distances themselves are in ./distances.ts.
 */
import { featureName } from '../schema/stats-view.js';
import type { Feature, FeatureComparator } from '../schema/index.js';
import { jensenShannon, lInfinity, normalizedAbsDifference } from './distances.js';
import type { DriftSkewInfo, Measurement, Reason } from './proto.js';

export { divergence, jensenShannon, lInfinity, normalizedAbsDifference } from './distances.js';

type Obj = Record<string, unknown>;

export interface ComparatorOptions {
  /** the previous span's statistics of the same split: drift_comparator applies */
  previous?: Obj;
  /** serving (or another split's) statistics: skew_comparator applies */
  serving?: Obj;
}

/** Features of a dataset by name, for looking the control side up. */
export function featuresByName(dataset: Obj | undefined): Map<string, Obj> {
  return new Map(((dataset?.features ?? []) as Obj[]).map((f) => [featureName(f), f]));
}

interface Side {
  control: Map<string, Obj>;
  comparator: FeatureComparator | undefined;
  /** how TFDV names the two datasets in its texts */
  names: { treatment: string; control: string };
  key: 'driftMeasurements' | 'skewMeasurements';
}

/** One measure: how it is computed, and how TFDV names it in the anomaly type, the measurement and the texts. */
interface Measure {
  threshold: (c: FeatureComparator) => number | undefined;
  measure: (a: Obj, b: Obj, c: FeatureComparator) => { distance: number; value?: string } | undefined;
  type: Measurement['type'];
  anomaly: string;
  label: string;
}

// in TFDV's order: the order of measurements and of reasons follows it
const MEASURES: Measure[] = [
  { threshold: (c) => c.infinityNorm?.threshold, measure: (a, b) => lInfinity(a, b), type: 'L_INFTY', anomaly: 'COMPARATOR_L_INFTY_HIGH', label: 'Linfty distance' },
  {
    threshold: (c) => c.normalizedAbsDifference?.threshold,
    measure: (a, b) => normalizedAbsDifference(a, b),
    type: 'NORMALIZED_ABSOLUTE_DIFFERENCE',
    anomaly: 'COMPARATOR_NORMALIZED_ABSOLUTE_DIFFERENCE_HIGH',
    label: 'normalized absolute difference',
  },
  {
    threshold: (c) => c.jensenShannonDivergence?.threshold,
    measure: (a, b, c) => {
      const d = jensenShannon(a, b, c.jensenShannonDivergence?.source?.type);
      return d === undefined ? undefined : { distance: d };
    },
    type: 'JENSEN_SHANNON_DIVERGENCE',
    anomaly: 'COMPARATOR_JENSEN_SHANNON_DIVERGENCE_HIGH',
    label: 'approximate Jensen-Shannon divergence',
  },
];

/** Reasons for one feature, plus the measurements taken (reported whether or not they crossed a threshold). */
export function compareFeature(feature: Feature, stats: Obj, sides: { drift?: Map<string, Obj>; skew?: Map<string, Obj> }): { reasons: Reason[]; info?: DriftSkewInfo } {
  const all: Side[] = [];
  if (sides.drift) all.push({ control: sides.drift, comparator: feature.driftComparator, names: { treatment: 'current', control: 'previous' }, key: 'driftMeasurements' });
  if (sides.skew) all.push({ control: sides.skew, comparator: feature.skewComparator, names: { treatment: 'training', control: 'serving' }, key: 'skewMeasurements' });
  const reasons: Reason[] = [];
  const info: DriftSkewInfo = { path: { step: [feature.name] } };
  for (const { comparator, control, names, key } of all) {
    const configured = comparator ? MEASURES.filter((m) => m.threshold(comparator) !== undefined) : [];
    if (!comparator || !configured.length) continue;
    const other = control.get(feature.name);
    if (!other) {
      reasons.push({ type: 'COMPARATOR_CONTROL_DATA_MISSING', shortDescription: `${names.control} data missing`, description: `${names.control} data is missing.` });
      continue;
    }
    const found: Measurement[] = [];
    for (const m of configured) {
      const threshold = m.threshold(comparator)!;
      const d = m.measure(stats, other, comparator);
      if (!d) continue; // TFDV logs a warning and measures nothing (e.g. a JSD with no histogram)
      found.push({ type: m.type, value: d.distance, threshold });
      if (d.distance <= threshold) continue;
      const between = `${names.treatment} and ${names.control}`;
      const which = d.value === undefined ? '' : ` The feature value with maximum difference is: ${d.value}`;
      reasons.push({
        type: m.anomaly,
        shortDescription: `High ${m.label} between ${between}`,
        description: `The ${m.label} between ${between} is ${sixDigits(d.distance)} (up to six significant digits), above the threshold ${sixDigits(threshold)}.${which}`,
      });
    }
    if (found.length) info[key] = found;
  }
  return { reasons, info: info.driftMeasurements || info.skewMeasurements ? info : undefined };
}

/** A number with up to six significant digits, the way absl::SixDigits (printf %g) prints it. */
export function sixDigits(x: number): string {
  if (x === 0 || !Number.isFinite(x)) return String(x);
  // %g picks the form by the exponent after rounding to six digits
  const [m, e] = x.toExponential(5).split('e');
  const exp = Number(e);
  if (exp < -4 || exp >= 6) return `${m!.replace(/\.?0+$/, '')}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  const s = x.toPrecision(6);
  return s.includes('.') ? s.replace(/\.?0+$/, '') : s;
}
