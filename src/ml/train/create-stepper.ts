/**
 * The one entry the Trainer's loop needs: a LocalStepper without a strategy, a ReplicaStepper
 * for `strategy: { replicas: n }` (n worker threads, n = 1 included: training then runs off the
 * main thread, which keeps reading and shuffling the next batches).
 */
import { LocalStepper } from './local-stepper.js';
import { ReplicaStepper } from './replica-stepper.js';
import type { ModelSource, Stepper } from './stepper.js';
import type { BackendDescription } from './training-backend.js';

export interface StepperOptions {
  /** data-parallel training on this machine; absent: one model in this thread */
  strategy?: { replicas: number };
  /** per-node backend override: tfjs-node-gpu, tfjs-node, tfjs-backend-wasm or tfjs-backend-cpu */
  backend?: string;
}

/** A Stepper and the backend description for the Model and ModelRun artifacts. */
export type DescribedStepper = Stepper & { readonly description: BackendDescription };

/** @example const stepper = await createStepper(source, { strategy: { replicas: 2 } }); */
export function createStepper(source: ModelSource, options: StepperOptions = {}): Promise<DescribedStepper> {
  return options.strategy
    ? ReplicaStepper.create(source, { replicas: options.strategy.replicas, backend: options.backend })
    : LocalStepper.create(source, { backend: options.backend });
}
