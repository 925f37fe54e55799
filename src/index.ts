/**
 * The `tsfx` package, as another project imports it:
 *
 *   import { definePipeline, ExampleGen, StatisticsGen } from 'tsfx';
 *
 * Pipelines and components are TypeScript; `npx tsfx run <pipeline.ts>` loads them through tsx,
 * so the package ships its TypeScript sources (they are its type declarations too).
 */
export { definePipeline, type Pipeline, type PipelineBuilder, type PipelineConfig, PipelineSpec } from './dsl/pipeline.js';
export {
  defineComponent,
  defaultRetry,
  defaultTimeouts,
  type AnyComponentSpec,
  type ArtifactLookup,
  type ComponentImpl,
  type ComponentSpec,
  type Driver,
  type Executor,
  type ExecutorArgs,
  type ExecutorContext,
  type ExecutorResult,
  type FanOut,
  type InputArtifact,
  type NodeOptions,
  type OutputHandle,
  type OutputLocation,
  type Progress,
  type ShardOutput,
} from './dsl/component.js';
export { registerComponent } from '../components/registry.js';
export { DataError, DefinitionError, TrialsFailedError, TsfxError, UserCodeError } from './errors.js';
export { artifactTypeNames, splitUri, type ArtifactProperties, type ArtifactTypeName, type ExamplesProperties } from '../schemas/artifacts.js';
export { ExampleGen } from '../components/example-gen/index.js';
export { StatisticsGen } from '../components/statistics-gen/index.js';
export { SchemaGen } from '../components/schema-gen/index.js';
export { ImportSchemaGen } from '../components/import-schema-gen/index.js';
export { ExampleValidator } from '../components/example-validator/index.js';
export { Transform, type TransformArgs } from '../components/transform/index.js';
export { Tuner } from '../components/tuner/index.js';
export { Trainer } from '../components/trainer/index.js';
export { Evaluator, EvaluatorParams } from '../components/evaluator/index.js';
export { Pusher, type PushedModelProperties } from '../components/pusher/index.js';
// the preprocessing DSL (Transform's `preprocessing: (f) => ({...})`) and the transform runtime serving and the browser share
export {
  analyzeBatches,
  applyTransform,
  checkSpecAgainstSchema,
  outputFeatures,
  rawBatchFromRows,
  tracePreprocessing,
  Tracer,
  TransformGraph,
  TransformSpec,
  type AnyExpr,
  type Expr,
  type ExprKind,
  type IdExpr,
  type NumArg,
  type NumExpr,
  type NumIn,
  type OutputExpr,
  type OutputFeature,
  type PreprocessingFn,
  type RawBatch,
  type RawColumn,
  type StrExpr,
  type StrIn,
  type TransformedBatch,
  type TransformedColumn,
  type VecExpr,
  type VocabularyOptions,
} from './ml/transform/index.js';
// the model module's contract (Trainer's `module: './model.ts'`)
export type { BuildModelArgs, ModelModule, Tfjs } from './ml/train/model-module.js';
export type { InputFeature, Task } from './ml/train/stepper.js';
