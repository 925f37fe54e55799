/**
 * Evaluator's spec: raw Examples (as ExampleGen wrote them) and a Trainer's Model in, scored
 * through the Model's own saved transform; the pipeline's latest blessed Model, found by the
 * driver, is the baseline. Out: a ModelEvaluation (metrics per slice for candidate and baseline,
 * plot data) and a ModelBlessing (TFMA's threshold semantics; BLESSED / NOT_BLESSED file).
 */
import { z } from 'zod';
import { defaultRetry, type ComponentSpec } from '../../src/dsl/component.js';

const scalar = z.union([z.string(), z.number()]);

/**
 * TFMA's SlicingSpec: `features` makes one slice per value (per combination of values: a
 * cross), `values` keeps only the rows with these values. `{}` is the overall slice.
 */
export const SliceSpec = z
  .object({
    features: z.array(z.string().min(1)).default([]),
    values: z.record(z.string().min(1), scalar).default({}),
  })
  .strict();
export type SliceSpec = z.infer<typeof SliceSpec>;

/** TFMA's GenericValueThreshold: lowerBound <= metric <= upperBound (a missing bound is infinite). */
export const ValueThreshold = z
  .object({ lowerBound: z.number().optional(), upperBound: z.number().optional() })
  .strict()
  .refine((v) => v.lowerBound !== undefined || v.upperBound !== undefined, 'a value threshold needs lowerBound or upperBound');

/**
 * TFMA's GenericChangeThreshold on diff = candidate - baseline and ratio = diff / baseline:
 * higherIsBetter needs diff >= absolute and ratio >= relative, lowerIsBetter the reverse.
 */
export const ChangeThreshold = z
  .object({
    direction: z.enum(['higherIsBetter', 'lowerIsBetter']),
    absolute: z.number().optional(),
    relative: z.number().optional(),
  })
  .strict();

export const MetricThreshold = z
  .object({ value: ValueThreshold.optional(), change: ChangeThreshold.optional() })
  .strict()
  .refine((t) => t.value || t.change, 'a metric threshold needs value or change');
export type MetricThreshold = z.infer<typeof MetricThreshold>;

/** metric name (as `tsfx show` prints it: accuracy, aucRoc, recall/Adelie, topKAccuracy@2, ...) -> threshold */
export const MetricThresholds = z.record(z.string().min(1), MetricThreshold);
export type MetricThresholds = z.infer<typeof MetricThresholds>;

export const EvaluatorParams = z
  .object({
    /** the raw label column; default: the column the Model's label was made from */
    label: z.string().min(1).optional(),
    splits: z.array(z.string().min(1)).min(1).default(['eval']),
    /** a raw numeric column of per-example weights */
    exampleWeight: z.string().min(1).optional(),
    /** slices beside the overall one, which is always computed */
    slicing: z.array(SliceSpec).default([]),
    /** thresholds on the overall slice */
    thresholds: MetricThresholds.default({}),
    /** thresholds on every slice a spec matches (TFMA's per_slice_thresholds) */
    sliceThresholds: z.array(z.object({ slice: SliceSpec, thresholds: MetricThresholds }).strict()).default([]),
    /** binary: the thresholds of the confusion matrices (accuracy/precision/recall use 0.5) */
    decisionThresholds: z.array(z.number().finite()).min(1).default([0.5]),
    /** multiclass: top-k accuracies to compute (as topKAccuracy@k) */
    topK: z.array(z.number().int().min(1)).default([]),
    /** binary: equal-width calibration buckets over [0, 1] */
    calibrationBuckets: z.number().int().min(1).max(10_000).default(10),
    /** at most this many ROC / PR points are kept per slice (evenly over the curve, ends kept) */
    curvePoints: z.number().int().min(2).default(1000),
    /** bless with no thresholds at all; off, as in TFX, so a forgotten threshold never blesses */
    blessWithoutThresholds: z.boolean().default(false),
    /** rows per scoring batch */
    batchSize: z.number().int().positive().default(4096),
  })
  .strict();
export type EvaluatorParams = z.infer<typeof EvaluatorParams>;

const inputs = {
  examples: { type: 'Examples' },
  model: { type: 'Model' },
  baselineModel: { type: 'Model', optional: true },
} as const;
const outputs = { evaluation: 'ModelEvaluation', blessing: 'ModelBlessing' } as const;

export const evaluatorSpec = {
  name: 'Evaluator',
  // part of the cache key: bump when the same inputs give other metrics or another verdict
  version: '1',
  inputs,
  outputs,
  params: EvaluatorParams,
  queue: 'cpu',
  retry: defaultRetry,
  timeouts: { startToCloseMs: 6 * 3_600_000, heartbeatMs: 60_000 },
} as const satisfies ComponentSpec<typeof inputs, typeof outputs, typeof EvaluatorParams>;

export type EvaluatorComponentSpec = typeof evaluatorSpec;

/** Files of a ModelEvaluation. */
export const METRICS_FILE = 'metrics.json';
export const BASELINE_METRICS_FILE = 'baseline-metrics.json';
export const PLOTS_FILE = 'plots.json';
/** Files of a ModelBlessing (TFX's marker names). */
export const BLESSED_FILE = 'BLESSED';
export const NOT_BLESSED_FILE = 'NOT_BLESSED';
export const VALIDATION_FILE = 'validation.json';
