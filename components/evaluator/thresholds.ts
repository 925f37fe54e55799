/**
 * Threshold checks with the semantics of TFMA's code (evaluators/metrics_validator.py), not
 * its docs: a value threshold passes when lowerBound <= m <= upperBound (a missing bound is
 * -inf / +inf, so a NaN metric fails); a change threshold takes diff = candidate - baseline
 * and ratio = diff / baseline (NaN when the baseline is exactly 0), and passes when
 * higherIsBetter: diff >= absolute and ratio >= relative, lowerIsBetter: diff <= absolute and
 * ratio <= relative (an unset part passes; a NaN compares false and fails). A threshold on a
 * metric the slice does not have fails naming it; one whose slice spec matched no slice fails
 * (TFMA's missing_slices). Without a baseline, change thresholds are skipped (TFX's rubber
 * stamp). With nothing left to check the model is not blessed unless blessWithoutThresholds.
 */
import { sliceMatches, specFeatures, type SliceKey } from './slicing.js';
import type { MetricThreshold, MetricThresholds, SliceSpec } from './spec.js';

/** One slice's metrics, by name. */
export type SliceMetricValues = Record<string, number>;

export interface ThresholdCheck {
  /** the slice checked (`Overall`, `Island=Biscoe`), or the spec that matched none */
  slice: string;
  metric: string;
  kind: 'value' | 'change';
  threshold: NonNullable<MetricThreshold['value'] | MetricThreshold['change']>;
  /** the candidate's value */
  value?: number;
  baseline?: number;
  diff?: number;
  ratio?: number;
  verdict: 'pass' | 'fail' | 'skipped';
  /** why it failed or was skipped */
  reason?: string;
}

export interface Validation {
  blessed: boolean;
  /** one line: why blessed or not */
  reason: string;
  checks: ThresholdCheck[];
}

export interface ValidateArgs {
  candidate: Map<string, { key: SliceKey; metrics: SliceMetricValues }>;
  /** absent: no baseline model */
  baseline?: Map<string, { key: SliceKey; metrics: SliceMetricValues }>;
  thresholds: MetricThresholds;
  sliceThresholds: { slice: SliceSpec; thresholds: MetricThresholds }[];
  blessWithoutThresholds: boolean;
}

const specText = (s: SliceSpec): string => {
  const parts = [...s.features.filter((f) => !(f in s.values)), ...Object.entries(s.values).map(([f, v]) => `${f}=${v}`)];
  return parts.length ? `slice spec {${parts.join(', ')}}` : 'Overall';
};

/** A value threshold (TFMA's GenericValueThreshold). */
export function checkValue(t: NonNullable<MetricThreshold['value']>, m: number): boolean {
  return m >= (t.lowerBound ?? -Infinity) && m <= (t.upperBound ?? Infinity);
}

/** A change threshold (TFMA's GenericChangeThreshold): its verdict, diff and ratio. */
export function checkChange(t: NonNullable<MetricThreshold['change']>, candidate: number, baseline: number) {
  const diff = candidate - baseline;
  // math.isclose(baseline, 0.0) with its default abs_tol = 0: only an exact 0 gives NaN
  const ratio = baseline === 0 ? NaN : diff / baseline;
  const higher = t.direction === 'higherIsBetter';
  const absOk = t.absolute === undefined || (higher ? diff >= t.absolute : diff <= t.absolute);
  const relOk = t.relative === undefined || (higher ? ratio >= t.relative : ratio <= t.relative);
  return { pass: absOk && relOk, diff, ratio };
}

function checksOn(slice: string, metrics: SliceMetricValues, base: SliceMetricValues | undefined, hasBaseline: boolean, thresholds: MetricThresholds): ThresholdCheck[] {
  const out: ThresholdCheck[] = [];
  const notFound = (metric: string, where: string) =>
    `metric '${metric}' was not computed for the ${where} on slice ${slice} (it has ${Object.keys(metrics).join(', ')})`;
  for (const [metric, t] of Object.entries(thresholds)) {
    const value = metrics[metric];
    if (t.value) {
      if (value === undefined) out.push({ slice, metric, kind: 'value', threshold: t.value, verdict: 'fail', reason: notFound(metric, 'candidate') });
      else {
        const pass = checkValue(t.value, value);
        out.push({ slice, metric, kind: 'value', threshold: t.value, value, verdict: pass ? 'pass' : 'fail', ...(pass ? {} : { reason: `${metric} ${value} is outside [${t.value.lowerBound ?? '-inf'}, ${t.value.upperBound ?? 'inf'}]` }) });
      }
    }
    if (!t.change) continue;
    const check = { slice, metric, kind: 'change' as const, threshold: t.change };
    if (!hasBaseline) {
      out.push({ ...check, ...(value === undefined ? {} : { value }), verdict: 'skipped', reason: 'no baseline model (no blessed model in this pipeline yet): change thresholds are skipped' });
      continue;
    }
    const b = base?.[metric];
    if (value === undefined || b === undefined) {
      out.push({ ...check, ...(value === undefined ? {} : { value }), ...(b === undefined ? {} : { baseline: b }), verdict: 'fail', reason: value === undefined ? notFound(metric, 'candidate') : base ? notFound(metric, 'baseline') : `the baseline has no slice ${slice}` });
      continue;
    }
    const { pass, diff, ratio } = checkChange(t.change, value, b);
    const reason = pass
      ? undefined
      : Number.isNaN(ratio) && t.change.relative !== undefined
        ? `ratio is NaN (baseline ${metric} is ${b}), which fails a relative threshold`
        : `${metric} changed by ${diff} (ratio ${ratio}), ${t.change.direction} needs ${[t.change.absolute !== undefined ? `diff ${t.change.direction === 'higherIsBetter' ? '>=' : '<='} ${t.change.absolute}` : '', t.change.relative !== undefined ? `ratio ${t.change.direction === 'higherIsBetter' ? '>=' : '<='} ${t.change.relative}` : ''].filter(Boolean).join(' and ')}`;
    out.push({ ...check, value, baseline: b, diff, ratio, verdict: pass ? 'pass' : 'fail', ...(reason ? { reason } : {}) });
  }
  return out;
}

/** Every threshold on every slice it applies to, and the verdict. */
export function validate(args: ValidateArgs): Validation {
  const hasBaseline = args.baseline !== undefined;
  const specs: { slice: SliceSpec; thresholds: MetricThresholds }[] = [
    { slice: { features: [], values: {} }, thresholds: args.thresholds },
    ...args.sliceThresholds,
  ];
  const checks: ThresholdCheck[] = [];
  for (const { slice: spec, thresholds } of specs) {
    if (Object.keys(thresholds).length === 0) continue;
    const matched = [...args.candidate].filter(([, s]) => sliceMatches(spec, s.key));
    if (matched.length === 0) {
      // TFMA counts a threshold whose slice is absent as a failed validation (missing_slices)
      for (const [metric, t] of Object.entries(thresholds))
        for (const kind of ['value', 'change'] as const)
          if (t[kind])
            checks.push({ slice: specText(spec), metric, kind, threshold: t[kind]!, verdict: 'fail', reason: `no slice matches ${specText(spec)} (features ${specFeatures(spec).join(', ')})` });
      continue;
    }
    for (const [name, s] of matched) checks.push(...checksOn(name, s.metrics, args.baseline?.get(name)?.metrics, hasBaseline, thresholds));
  }
  const checked = checks.filter((c) => c.verdict !== 'skipped');
  const failed = checked.filter((c) => c.verdict === 'fail');
  if (checked.length === 0) {
    const why = checks.length
      ? 'the only thresholds are change thresholds, skipped without a baseline, so nothing was checked'
      : 'no thresholds are configured';
    // TFX's Evaluator does not validate, and so never blesses, without thresholds: a forgotten one must not bless a model
    return args.blessWithoutThresholds
      ? { blessed: true, reason: `blessed without thresholds (blessWithoutThresholds: true): ${why}`, checks }
      : { blessed: false, reason: `not blessed: ${why}; TFX does not bless a model without thresholds to check (add a value threshold, or set blessWithoutThresholds: true)`, checks };
  }
  if (failed.length)
    return { blessed: false, reason: `not blessed: ${failed.length} of ${checked.length} threshold(s) failed (first: ${failed[0]!.slice} ${failed[0]!.metric}: ${failed[0]!.reason})`, checks };
  const skipped = checks.length - checked.length;
  return { blessed: true, reason: `blessed: all ${checked.length} threshold(s) passed${skipped ? `, ${skipped} change threshold(s) skipped (no baseline)` : ''}`, checks };
}
