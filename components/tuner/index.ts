/**
 * Tuner: searches the model module's hyperparameters (grid or seeded random) by training one
 * trial per activity, so a worker fleet runs trials in parallel and a lost worker costs one
 * trial's retry (from its checkpoint); the best values are a HyperParameters artifact the
 * Trainer takes as input.
 *
 * @example
 * const tuner = p.add(Tuner({
 *   examples: tf.outputs.transformedExamples, transformGraph: tf.outputs.transformGraph,
 *   module: './penguin-model.ts', label: 'species', epochs: 10,
 *   search: { space: { hidden: { values: [8, 16, 32] }, learningRate: { min: 1e-3, max: 1e-1, scale: 'log' } }, trials: 6, objective: { metric: 'val_accuracy' } },
 * }));
 * p.add(Trainer({ ..., hyperparameters: tuner.outputs.bestHyperparameters }));
 */
import { defineComponent, type ComponentImpl, type Executor, type FanOut } from '../../src/dsl/component.js';
import { tunerDriver, type TunerResolved } from './driver.js';
import { TunerParams, tunerSpec } from './spec.js';

/** Loaded on first use: tfjs and the training code cost every worker start-up otherwise. */
const load = () => import('./executor.js');
const tunerExecutor: Executor<typeof tunerSpec, TunerResolved> = async (args) => (await load()).tunerExecutor(args);
const tunerFanOut: FanOut<typeof tunerSpec, TunerResolved> = {
  plan: async (args) => (await load()).tunerFanOut.plan(args),
  run: async (args) => (await load()).tunerFanOut.run(args),
};

export const Tuner = defineComponent(tunerSpec);

export const tunerComponent = {
  spec: tunerSpec,
  driver: tunerDriver,
  executor: tunerExecutor,
  fanOut: tunerFanOut,
} satisfies ComponentImpl<typeof tunerSpec> as ComponentImpl;

export { TunerParams, tunerSpec };
export { SearchSpec, ParamRange, planTrials, objectiveDirection, type TrialValues } from './search.js';
