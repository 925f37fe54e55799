/**
 * The Evaluator's metrics library: binary, multiclass and regression metrics with optional
 * example weights, as streaming accumulators (add / addBatch / merge / result) and one-shot
 * functions. Node-free (runs in the browser too); checked against scikit-learn 1.5.2 to 1e-6.
 *
 * @example
 * const m = binaryMetrics([0, 1, 1], [0.2, 0.7, 0.4], { weights: [1, 2, 1], thresholds: [0.3, 0.5] });
 * m.aucRoc; m.confusionMatrices[0].tp; m.reasons.aucRoc; // reason when NaN
 */
export { binaryAucs, type AucResult } from './auc.js';
export {
  BinaryAccumulator,
  binaryMetrics,
  type BinaryConfusion,
  type BinaryMetrics,
  type BinaryOptions,
} from './binary.js';
export { type ExampleRef } from './inputs.js';
export {
  MulticlassAccumulator,
  multiclassMetrics,
  type MulticlassMetrics,
  type MulticlassOptions,
} from './multiclass.js';
export { RegressionAccumulator, regressionMetrics, type RegressionMetrics } from './regression.js';
export { binaryCurves, calibrationBuckets, thin, type CalibrationBucket, type PrPoint, type RocPoint } from './curves.js';
