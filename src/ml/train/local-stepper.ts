/**
 * The Stepper that trains one model in this thread: a custom step (tf.variableGrads, then the
 * optimizer's applyGradients) rather than model.fit, so the training loop owns epochs and
 * callbacks and the replica stepper can split the same step across threads.
 */
import * as tf from '@tensorflow/tfjs';
import { buildFromSource, loadModelModule, type ModelModule } from './model-module.js';
import { ModelCore } from './model-core.js';
import type { EvalSums, ModelSource, Stepper, TrainBatch, TrainState } from './stepper.js';
import { type BackendDescription, describeBackend, withFallback } from './training-backend.js';

export interface LocalStepperOptions {
  /**
   * Start the backend search at this package (short name: tfjs-node, tfjs-backend-wasm,
   * tfjs-backend-cpu; the per-node override). Default: src/ml/backend.ts's order.
   */
  backend?: string;
  /** the module, when the caller has already imported it */
  module?: ModelModule;
}

/**
 * Build the source's model on the first backend that can train it (probe step; see
 * training-backend.ts) and return a ModelCore on it. Shared with the replica threads.
 */
export async function buildCore(
  source: ModelSource,
  options: LocalStepperOptions = {},
): Promise<{ core: ModelCore; backend: BackendDescription }> {
  const mod = options.module ?? (await loadModelModule(source.module));
  const { value: core, backend } = await withFallback(options.backend, async () => {
    const built = await buildFromSource(tf, source, mod);
    const core = new ModelCore(tf, built, source);
    try {
      core.probe();
    } catch (err) {
      core.dispose();
      throw err;
    }
    return core;
  });
  return { core, backend: await describeBackend(backend) };
}

/** One model, one optimizer, this thread's tfjs backend. */
export class LocalStepper implements Stepper {
  private constructor(
    private readonly core: ModelCore,
    /** backend, device and package versions, for the Model and ModelRun artifacts */
    readonly description: BackendDescription,
  ) {}

  /** @example const stepper = await LocalStepper.create(source, { backend: 'tfjs-backend-wasm' }); */
  static async create(source: ModelSource, options: LocalStepperOptions = {}): Promise<LocalStepper> {
    const { core, backend } = await buildCore(source, options);
    return new LocalStepper(core, backend);
  }

  get backend(): Stepper['backend'] {
    const { name, package: pkg, reason } = this.description;
    return { name, package: pkg, reason };
  }

  step(batch: TrainBatch): Promise<number> {
    return this.core.step(batch);
  }

  evaluate(batch: TrainBatch): Promise<EvalSums> {
    return this.core.evaluate(batch);
  }

  predict(batch: Omit<TrainBatch, 'ys'>): Promise<Float32Array> {
    return this.core.predict(batch);
  }

  getState(): Promise<TrainState> {
    return this.core.getState();
  }

  setState(state: TrainState): Promise<void> {
    return this.core.setState(state);
  }

  async setLearningRate(lr: number): Promise<void> {
    this.core.learningRate = lr;
  }

  async dispose(): Promise<void> {
    this.core.dispose();
  }
}
