/**
 * The transform runtime (issue 9): trace a preprocessing function into a spec, analyse data in
 * mergeable per-shard passes, save the TransformGraph, apply it anywhere. Node-free: the same
 * module runs in Transform's activities, the Trainer, serving and the browser.
 *
 * @example
 *   const spec = checkSpecAgainstSchema(tracePreprocessing((f) => ({ bill: f.zScore('bill_length_mm') })), schema.feature);
 *   const graph = analyzeBatches(spec, () => batches);
 *   const out = applyTransform(graph, batch);
 */
export * from './dsl.js';
export { checkSpecAgainstSchema, outputsUsing, type SchemaFeature } from './schema-check.js';
export { rawBatchFromArrow } from './arrow.js';
export { numberColumn, rawBatchFromRows, stringColumn, type ListColumn, type NumberColumn, type RawBatch, type RawColumn, type StringColumn } from './batch.js';
export { analyzerPhases, type AnalyzerPhase } from './phases.js';
export {
  accumulate,
  createAccumulators,
  deserializeAccumulators,
  mergeAccumulators,
  serializeAccumulators,
  type AccumulatorJson,
  type AccumulatorSet,
} from './accumulators.js';
export { analyzeBatches, finalizeAccumulators, finalizeGraph, outputFeatures, type OutputFeature } from './graph.js';
export { describeGraph, expressionText, resultSummary, type OutputDescription } from './describe.js';
export { applyTransform, type TransformedBatch, type TransformedColumn } from './apply.js';
export { crossHashed, fingerprint, fingerprintCat64, hashBucket } from './hash.js';
export { compareUtf8, EMPTY_VOCABULARY_DUMMY } from './vocabulary.js';
export { TransformGraph, TransformSpec, type AnalyzerResult, type ExprNode } from '../../../schemas/transform-graph.js';
