/**
 * Transform: TFX's Transform without Beam. The preprocessing function is written in TypeScript
 * and traced once into a graph of analyzers and mappers; analyzers run as mergeable passes,
 * one activity per Examples shard, and the saved TransformGraph is applied by the same runtime
 * in training, serving and the browser.
 *
 * @example
 * const tf = p.add(Transform({
 *   examples: gen.outputs.examples, schema: schema.outputs.schema,
 *   preprocessing: (f) => ({ island: f.vocabulary('island'), bill: f.zScore(f.fillMissing('bill_length_mm', f.mean('bill_length_mm'))) }),
 * }));
 */
import { defineComponent, type ComponentArgs, type ComponentImpl } from '../../src/dsl/component.js';
import { tracePreprocessing, type PreprocessingFn } from '../../src/ml/transform/index.js';
import { transformDriver } from './driver.js';
import { transformExecutor, transformFanOut } from './executor.js';
import { TransformParams, transformSpec, type TransformComponentSpec } from './spec.js';

const node = defineComponent(transformSpec);

/** What Transform() takes: the inputs and params, with the preprocessing function itself. */
export type TransformArgs = Omit<ComponentArgs<TransformComponentSpec>, 'preprocessing'> & { preprocessing: PreprocessingFn };

/** Transform's node factory: traces `preprocessing` now, when the pipeline is defined. */
export function Transform(args: TransformArgs) {
  return node({ ...args, preprocessing: tracePreprocessing(args.preprocessing) } as ComponentArgs<TransformComponentSpec>);
}

export const transformComponent = {
  spec: transformSpec,
  driver: transformDriver,
  executor: transformExecutor,
  fanOut: transformFanOut,
} satisfies ComponentImpl<TransformComponentSpec> as ComponentImpl;

export { TransformParams, transformSpec };
