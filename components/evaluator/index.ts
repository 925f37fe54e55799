/**
 * Evaluator: scores raw eval Examples with a Trainer's Model through the Model's own saved
 * transform (what serving will score), computes TFMA's metrics per slice for the candidate and
 * the pipeline's latest blessed Model (the baseline, found in metadata), checks the thresholds
 * with TFMA's semantics and blesses the candidate, or not, with every check recorded.
 *
 * @example
 * const evaluator = p.add(Evaluator({
 *   examples: gen.outputs.examples, model: trainer.outputs.model,
 *   slicing: [{ features: ['Island'] }],
 *   thresholds: { accuracy: { value: { lowerBound: 0.9 }, change: { direction: 'higherIsBetter', absolute: -0.01 } } },
 * }));
 * p.add(Pusher({ model: trainer.outputs.model, blessing: evaluator.outputs.blessing }));
 */
import { defineComponent, type ComponentImpl, type Executor } from '../../src/dsl/component.js';
import { evaluatorDriver, type EvaluatorResolved } from './driver.js';
import { EvaluatorParams, evaluatorSpec } from './spec.js';

/** Loaded on first use: tfjs costs every worker start-up otherwise. */
const evaluatorExecutor: Executor<typeof evaluatorSpec, EvaluatorResolved> = async (args) =>
  (await import('./executor.js')).evaluatorExecutor(args);

/**
 * The Evaluator node: raw `examples` and a `model` in (a `baselineModel` too, or the driver
 * finds the latest blessed one); `evaluation` (ModelEvaluation) and `blessing` (ModelBlessing) out.
 * @example
 * const ev = p.add(Evaluator({ examples: gen.outputs.examples, model: trainer.outputs.model, thresholds: { accuracy: { value: { lowerBound: 0.9 } } } }));
 */
export const Evaluator = defineComponent(evaluatorSpec);

export const evaluatorComponent = {
  spec: evaluatorSpec,
  driver: evaluatorDriver,
  executor: evaluatorExecutor,
} satisfies ComponentImpl<typeof evaluatorSpec> as ComponentImpl;

export { EvaluatorParams, evaluatorSpec };
