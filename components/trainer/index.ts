/**
 * Trainer: trains the model a user's module builds on the transformed Examples, with the
 * Keras habits (early stopping, reduce-LR-on-plateau, checkpoints, CSV log, TensorBoard),
 * resumable after a lost worker, on the best tfjs backend that loads (GPU first), optionally
 * data-parallel over worker threads.
 *
 * @example
 * const trainer = p.add(Trainer({
 *   examples: tf.outputs.transformedExamples, transformGraph: tf.outputs.transformGraph,
 *   module: './penguin-model.ts', label: 'species', epochs: 20,
 * }));
 */
import { defineComponent, type ComponentImpl, type Executor } from '../../src/dsl/component.js';
import { trainerDriver, type TrainerResolved } from './driver.js';
import { TrainerParams, trainerSpec } from './spec.js';

/** Loaded on first use: tfjs and the training code cost every worker start-up otherwise. */
const trainerExecutor: Executor<typeof trainerSpec, TrainerResolved> = async (args) =>
  (await import('./executor.js')).trainerExecutor(args);

export const Trainer = defineComponent(trainerSpec);

export const trainerComponent = {
  spec: trainerSpec,
  driver: trainerDriver,
  executor: trainerExecutor,
} satisfies ComponentImpl<typeof trainerSpec> as ComponentImpl;

export { TrainerParams, trainerSpec };
